import { definePlugin } from '@qi/core';
import { checkTimescale } from './check';
import { configSchema } from './config';
import { queryReadOnly } from './query';
import { timescaleSchemaPlanner } from './schema-plan';
import { TimescaleWriter } from './target';

export default definePlugin({
  name: '@qi/target-timescale',
  kind: 'target',
  apiVersion: '^1.0.0',
  description:
    'Writes price, OHLCV, analytics and level1 records to PostgreSQL/TimescaleDB (embedded PGlite when no server is configured)',
  configSchema,
  check: checkTimescale,
  query: queryReadOnly,
  // the instance also plans and applies schema changes (qi schema plan|apply)
  create: (config, ctx) => {
    const writer = new TimescaleWriter(config, ctx);
    return Object.assign(
      writer,
      timescaleSchemaPlanner(config, ctx, () => writer.init()),
    );
  },
});

export { type Db, pgp } from './client';
export {
  configSchema,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  type TimescaleTargetConfig,
  type TimescaleTargetConfigInput,
} from './config';
export { classifyPgError, TimescaleErrors } from './errors';
export { decideTimescale, type ExtensionState } from './extension';
export { decideFeatures } from './features';
export {
  DEFAULT_QUERY_ROWS,
  type LatestPricesQuery,
  MAX_QUERY_ROWS,
  type OhlcvQuery,
  queryLatestPrices,
  queryOhlcv,
} from './queries';
export { timescaleSchemaPlanner } from './schema-plan';
export { createTimescaleWriter, TimescaleWriter } from './target';
export { type HypertableState, planTimescale } from './timescale';
