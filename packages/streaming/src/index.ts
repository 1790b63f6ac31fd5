export { checkStreaming } from './check';
export { createStreamingClient, type StreamingClientOptions } from './client';
export {
  CLIENT_NAMES,
  connectionOf,
  connectionShape,
  parseBroker,
  redactConfig,
  type SaslConfig,
  type StreamingConfig,
  type StreamingConfigInput,
  saslSchema,
  streamingConfigSchema,
  type TlsConfig,
  tlsSchema,
} from './config';
export { createConnector } from './connectors/index';
export { type Importer, isMissingModule, loadOptional } from './connectors/load';
export { attempt, classifyStreamingError, StreamingErrors } from './errors';
export type * from './types';
