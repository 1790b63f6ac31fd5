import {
  err,
  isQiError,
  ok,
  type PluginContext,
  type QiError,
  quoteIdent,
  RECORD_KINDS,
  RECORD_SPECS,
  type RecordSpec,
  type RecordSpecs,
  type Result,
  type SchemaChange,
  type SchemaPlanner,
  tableDdl,
} from '@qi/core';
import { openClient, pq } from './client';
import type { TimescaleTargetConfig } from './config';
import { classifyPgError } from './errors';

const ADD_COLUMN = / ADD COLUMN IF NOT EXISTS ("(?:[^"]|"")+") (.+)$/;

/**
 * `qi schema plan|apply` for this target: tables to create and columns to add
 * for new DSL fields (additive only: a column the DSL no longer has is left).
 * Apply is the writer's own start-up schema step (init: ensureSchema).
 */
export function timescaleSchemaPlanner(
  config: TimescaleTargetConfig,
  ctx: Pick<PluginContext, 'logger' | 'baseDir'>,
  /** the writer's own start-up (connect, ensureSchema): what applying is */
  init: () => Promise<Result<void>>,
  specs: RecordSpecs = RECORD_SPECS,
): SchemaPlanner {
  const withDb = async <T>(
    fn: (c: Awaited<ReturnType<typeof openClient>>) => Promise<T>,
  ): Promise<Result<T>> => {
    try {
      const client = await openClient(config, ctx.baseDir, ctx.logger);
      try {
        return ok(await fn(client));
      } finally {
        await client.close();
      }
    } catch (e) {
      return err(isQiError(e) ? (e as QiError) : classifyPgError(e));
    }
  };
  // one connection per call: pg-promise keeps one pool per connection, and close() ends it
  const planOn = async (db: Awaited<ReturnType<typeof openClient>>['db']): Promise<SchemaChange[]> => {
    const changes: SchemaChange[] = [];
    for (const kind of RECORD_KINDS) {
      const ddl = tableDdl(specs[kind] as RecordSpec<string>, {
        schema: config.schema,
        tables: config.tables,
        timescale: false,
        specs,
      });
      const target = `${quoteIdent(config.schema)}.${quoteIdent(ddl.table)}`;
      const rows = await db.any<{ column_name: string }>(
        pq('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [
          config.schema,
          ddl.table,
        ]),
      );
      const existing = new Set(rows.map((r) => r.column_name));
      if (existing.size === 0) {
        changes.push({
          area: 'sql',
          target,
          action: 'CREATE TABLE (with its primary key and indexes)',
          ok: true,
        });
        continue;
      }
      for (const stmt of ddl.statements) {
        const m = ADD_COLUMN.exec(stmt.replace(/;\s*$/, ''));
        if (!m) continue;
        const name = m[1]!.slice(1, -1).replace(/""/g, '"');
        if (!existing.has(name))
          changes.push({ area: 'sql', target, action: `ADD COLUMN ${m[1]} ${m[2]}`, ok: true });
      }
    }
    return changes;
  };
  return {
    planSchema: () => withDb((c) => planOn(c.db)),
    async applySchema() {
      const planned = await withDb((c) => planOn(c.db));
      if (!planned.ok || planned.value.length === 0) return planned;
      const applied = await init();
      return applied.ok ? planned : applied;
    },
  };
}
