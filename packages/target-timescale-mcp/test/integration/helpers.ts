import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { quoteIdent, RECORD_SPECS, type RecordKind, silentLogger } from '@qi/core';
import { requirePostgres as requirePostgresAt, TEST_PG_URL } from '@qi/core/testkit';
import { serveTargetFromConfig } from '@qi/mcp';
import timescale, { pgp } from '@qi/target-timescale';
import { mcpExtension } from '../../src/index';

/** The machine's PostgreSQL, database `test` (override with QI_TEST_PG_URL). */
export const PG_URL = TEST_PG_URL;
export const TOKEN = 'tsmcp-test-token-0123456789';
// int8 columns (counts) come back as strings by default; the DSL wants numbers
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pgp.pg.types.getTypeParser(oid, format as 'text'),
};
export const admin = pgp({
  connectionString: PG_URL,
  max: 2,
  application_name: 'qi-ts-mcp-test',
  types: types as never,
});

/** Fails (never skips) with a clear message when PostgreSQL is not reachable. */
export const requirePostgres = () => requirePostgresAt(() => admin.one('SELECT 1 AS ok'), PG_URL);

export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;
export const tableOf = (schema: string, kind: RecordKind) =>
  `${quoteIdent(schema)}.${quoteIdent(RECORD_SPECS[kind].name)}`;
export const readTable = (schema: string, kind: RecordKind) =>
  admin.any<Record<string, unknown>>(`SELECT * FROM ${tableOf(schema, kind)}`).catch(() => []);
export const dropSchema = (schema: string) =>
  admin.none(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);

/** A temp project with a qi config whose pipeline "prices" writes to PostgreSQL schema `schema`. */
export function project(schema: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'qi-ts-mcp-'));
  const configPath = path.join(dir, 'qi.config.yaml');
  writeFileSync(
    configPath,
    [
      'pipelines:',
      '  prices:',
      '    source: { use: file, with: { path: in.ndjson } }',
      '    targets:',
      '      - use: "@qi/target-timescale"',
      '        name: db',
      `        with: { connectionString: "${PG_URL}", schema: ${schema}, lingerMs: 1 }`,
      '',
    ].join('\n'),
  );
  return { dir, configPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function serve(configPath: string, env: NodeJS.ProcessEnv = { QI_MCP_TOKEN: TOKEN }) {
  const r = await serveTargetFromConfig({
    configPath,
    target: 'prices.db',
    plugin: timescale,
    extension: mcpExtension as never,
    port: 0,
    env,
    logger: silentLogger(),
  });
  if (!r.ok) throw r.error;
  return r.value;
}

export async function connect(url: string, token = TOKEN): Promise<Client> {
  const client = new Client({ name: 'ts-mcp-test', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}
