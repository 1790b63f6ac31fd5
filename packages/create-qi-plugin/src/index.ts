export { main, resolveOptions } from './cli';
export { type PluginKind, RECORD_KINDS, type RecordKind, type ScaffoldOptions } from './options';
export { renderPlugin } from './render';
export { API_RANGE, coreRange } from './versions';
