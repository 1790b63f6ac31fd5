import { err, type Logger, ok, type QueryResult, type Result } from '@qi/core';
import { openClient, pgp } from './client';
import type { TimescaleTargetConfig } from './config';
import { classifyPgError } from './errors';

/**
 * `qi query`: one statement in a READ ONLY transaction, sent as a prepared statement
 * (the extended protocol takes exactly one statement, so a `COMMIT; DROP …` in the text
 * cannot leave the transaction). On the embedded database this opens its folder, so it
 * works when the pipeline does not run; while it runs, psql on the printed port does.
 */
export async function queryReadOnly(
  config: TimescaleTargetConfig,
  text: string,
  ctx: { baseDir: string; logger: Logger },
): Promise<Result<QueryResult>> {
  let client: Awaited<ReturnType<typeof openClient>> | undefined;
  try {
    client = await openClient({ ...config, poolMax: 1 }, ctx.baseDir, ctx.logger);
    const mode = new pgp.txMode.TransactionMode({ readOnly: true });
    const r = await client.db.tx({ mode }, (t) =>
      t.result(new pgp.PreparedStatement({ name: 'qi_query', text })),
    );
    return ok({ columns: r.fields.map((f) => f.name), rows: r.rows as Array<Record<string, unknown>> });
  } catch (e) {
    return err(classifyPgError(e, 'qi query'));
  } finally {
    await client?.close();
  }
}
