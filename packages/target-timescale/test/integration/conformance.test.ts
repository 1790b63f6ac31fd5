import { describeWriterConformance } from '@qi/core/testkit';
import { admin, dropSchema, readTable, requirePostgres, truncateAll, unique, writer } from './helpers';

// The core contract, against the machine's PostgreSQL, on both write paths.
const copySchema = unique('qi_ts_conf_copy');
const insertSchema = unique('qi_ts_conf_insert');

beforeAll(requirePostgres);
afterAll(async () => {
  await dropSchema(copySchema);
  await dropSchema(insertSchema);
  await admin.$pool.end();
});

describeWriterConformance({
  name: '@qi/target-timescale (PostgreSQL, COPY)',
  create: () => writer(copySchema, { batchSize: 7 }),
  reset: () => truncateAll(copySchema),
  readBack: (kind) => readTable(copySchema, kind),
});

describeWriterConformance({
  name: '@qi/target-timescale (PostgreSQL, INSERT)',
  create: () => writer(insertSchema, { batchSize: 7, writePath: 'insert' }),
  reset: () => truncateAll(insertSchema),
  readBack: (kind) => readTable(insertSchema, kind),
});
