export { createStreamingClient, type StreamingClientOptions } from './client';
export {
  connectionShape, parseBroker, redactConfig, saslSchema, streamingConfigSchema, tlsSchema,
  type SaslConfig, type StreamingConfig, type StreamingConfigInput, type TlsConfig,
} from './config';
export { createConnector } from './connectors/index';
export { type Importer, isMissingModule, loadOptional } from './connectors/load';
export { StreamingErrors, attempt, classifyStreamingError } from './errors';
export type * from './types';
