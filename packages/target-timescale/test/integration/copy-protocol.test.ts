import pg from 'pg';
import { PipelinedCopy } from '../../src/copy-protocol';
import { admin, PG_URL, requirePostgres, unique } from './helpers';

// The one-round-trip COPY against the real server, including how it fails.
const table = unique('qi_ts_copy');
let client: pg.Client;

beforeAll(async () => {
  await requirePostgres();
  client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE TEMP TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
});
afterAll(async () => {
  await client.end();
  await admin.$pool.end();
});

const copy = (text: string, data: string) => {
  const q = new PipelinedCopy(text, Buffer.from(data));
  client.query(q);
  return q.done;
};

describe('PipelinedCopy', () => {
  it('sends the COPY and its data at once, in frames, and reports the row count', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i}\tname ${'x'.repeat(i % 50)}\n`).join('');
    expect(Buffer.byteLength(rows)).toBeGreaterThan(3 * 64 * 1024);
    expect(await copy(`COPY ${table} FROM STDIN`, rows)).toEqual([20_000]);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 20_000 }]);
  });

  it('runs the statements after the COPY in the same transaction', async () => {
    const counts = await copy(
      `COPY ${table} FROM STDIN; DELETE FROM ${table} WHERE id >= 20000`,
      '20000\ta\n20001\tb\n',
    );
    expect(counts).toEqual([2, 2]);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 20_000 }]);
  });

  it('fails on bad data with the server reason, writes nothing, and leaves the connection usable', async () => {
    await expect(
      copy(`COPY ${table} FROM STDIN`, '30000\tok\nnot-a-number\tbad\n30001\tok\n'),
    ).rejects.toMatchObject({ code: '22P02' });
    await expect(
      copy(`COPY ${table} FROM STDIN; DELETE FROM ${table}`, '1\tduplicate\n'),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 20_000 }]);
  });

  it('fails before copy mode (no such table) and the server drops the data that was already sent', async () => {
    await expect(copy('COPY no_such_table_qi FROM STDIN', '1\tx\n'.repeat(10_000))).rejects.toMatchObject({
      code: '42P01',
    });
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});
