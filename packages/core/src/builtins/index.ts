import type { QiPlugin } from '../plugin';
import { fileSource } from './file-source';
import { fileTarget } from './file-target';
import { stdoutTarget } from './stdout-target';

export { fileSource, fileTarget, stdoutTarget };
export { parseJsonLossless, NdjsonFile } from './ndjson';

/** Plugins every host has, used by name ("stdout", "file"). A source and a target may share a name. */
export const BUILTIN_PLUGINS: QiPlugin[] = [stdoutTarget as QiPlugin, fileTarget as QiPlugin, fileSource as QiPlugin];
