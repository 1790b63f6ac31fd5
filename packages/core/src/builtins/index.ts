import type { QiPlugin } from '../plugin';
import { fileSource } from './file-source';
import { fileTarget } from './file-target';
import { stdoutTarget } from './stdout-target';

export { NdjsonFile } from './ndjson';
export { fileSource, fileTarget, stdoutTarget };

/** Plugins every host has, used by name ("stdout", "file"). A source and a target may share a name. */
export const BUILTIN_PLUGINS: QiPlugin[] = [
  stdoutTarget as QiPlugin,
  fileTarget as QiPlugin,
  fileSource as QiPlugin,
];
