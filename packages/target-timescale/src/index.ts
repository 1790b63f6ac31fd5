import { definePlugin } from '@qi/core';
import { configSchema } from './config';
import { TimescaleWriter } from './target';

export default definePlugin({
  name: '@qi/target-timescale',
  kind: 'target',
  apiVersion: '^1.0.0',
  description: 'Writes price, OHLCV, analytics and level1 records to PostgreSQL/TimescaleDB (embedded PGlite when no server is configured)',
  configSchema,
  create: (config, ctx) => new TimescaleWriter(config, ctx),
});

export { configSchema, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, type TimescaleTargetConfig, type TimescaleTargetConfigInput } from './config';
export { TimescaleWriter, createTimescaleWriter } from './target';
export { TimescaleErrors, classifyPgError } from './errors';
export { pgp, type Db } from './client';
export { queryLatestPrices, queryOhlcv, MAX_QUERY_ROWS, DEFAULT_QUERY_ROWS, type LatestPricesQuery, type OhlcvQuery } from './queries';
export { decideTimescale, planTimescale, type ExtensionState, type HypertableState } from './timescale';
