import { RECORD_SPECS } from '@qi/core';
import { columnsOf } from '../src/encoding';
import { conflictClause, copyInto, insertFromStaging, insertUnnest, qualify, stagingDdl } from '../src/sql';

const spec = RECORD_SPECS.price;
const cols = columnsOf(spec).names;

describe('generated statements', () => {
  it('quotes every identifier', () => {
    expect(qualify('my schema', 'a"b')).toBe('"my schema"."a""b"');
    expect(copyInto('"s"."t"', ['coin_id', 'ts'])).toBe('COPY "s"."t" ("coin_id", "ts") FROM STDIN');
  });

  it('ignores conflicts on the natural key in ignore mode', () => {
    expect(conflictClause(spec, cols, 'ignore')).toBe(
      'ON CONFLICT ("coin_id", "exchange", "vs_currency", "ts") DO NOTHING',
    );
  });

  it('updates only non-key columns, and only rows whose values changed, in upsert mode', () => {
    const c = conflictClause(spec, cols, 'upsert');
    expect(c).toMatch(
      /^ON CONFLICT \("coin_id", "exchange", "vs_currency", "ts"\) DO UPDATE SET "kind" = EXCLUDED\."kind", /,
    );
    expect(c).not.toContain('"ts" = EXCLUDED');
    expect(c).toContain('"price" = EXCLUDED."price"');
    expect(c).toMatch(
      /WHERE \(cur\."kind", .*cur\."attribution"\) IS DISTINCT FROM \(EXCLUDED\."kind", .*EXCLUDED\."attribution"\)$/,
    );
  });

  it('moves a staged batch with one INSERT … SELECT', () => {
    expect(stagingDdl('qi_stage_price', '"s"."prices"')).toBe(
      'CREATE TEMP TABLE IF NOT EXISTS "qi_stage_price" (LIKE "s"."prices" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
    );
    expect(insertFromStaging('"s"."prices"', 'qi_stage_price', ['a', 'b'], 'ON CONFLICT DO NOTHING')).toBe(
      'INSERT INTO "s"."prices" AS cur ("a", "b") SELECT "a", "b" FROM "qi_stage_price" ON CONFLICT DO NOTHING',
    );
  });

  it('binds one typed array per column on the INSERT path', () => {
    const sql = insertUnnest('"s"."prices"', columnsOf(spec).fields, 'ON CONFLICT DO NOTHING');
    expect(sql).toContain('SELECT * FROM unnest($1::TEXT[], $2::TEXT[]');
    expect(sql).toContain('::NUMERIC[]');
    expect(sql).toContain('::TIMESTAMPTZ[]');
    expect(sql).toContain(`$${cols.length}::TEXT[])`);
  });
});
