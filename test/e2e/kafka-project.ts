import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { samplePrice, TEST_KAFKA_BROKERS, testContext } from '@qi/core/testkit';
import { configSchema, createRedpandaWriter } from '@qi/target-redpanda';
import { REPO } from './helpers';

// Helpers of the end-to-end tests in test/e2e/kafka-*.test.ts: a user project
// outside the workspace running the built `qi` CLI (kafka -> PostgreSQL).

export const QI_BIN = path.join(REPO, 'packages/core/bin/qi.cjs');
const PACKAGES = ['core', 'streaming', 'target-redpanda', 'source-redpanda', 'target-timescale'];

/** A temp project with the built @qi packages linked into node_modules and the given qi.config.yaml. */
export function kafkaProject(configYaml: string): { dir: string; cleanup: () => void } {
  for (const p of PACKAGES) {
    if (!existsSync(path.join(REPO, 'packages', p, 'dist/index.js')))
      throw new Error(`packages/${p} is not built: run pnpm build`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qi-kafka-e2e-'));
  mkdirSync(path.join(dir, 'node_modules/@qi'), { recursive: true });
  for (const p of PACKAGES)
    symlinkSync(path.join(REPO, 'packages', p), path.join(dir, 'node_modules/@qi', p), 'dir');
  writeFileSync(path.join(dir, 'qi.config.yaml'), configYaml);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface QiProcess {
  child: ChildProcess;
  /** exit code or signal once it ended */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the JSON log lines written so far (stderr) */
  logs(): Array<Record<string, unknown>>;
  stderr(): string;
}

export function qiRun(dir: string, args: string[] = []): QiProcess {
  const child = spawn(process.execPath, [QI_BIN, 'run', '--no-progress', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  child.stdout!.resume();
  const p = {} as QiProcess;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      p.exited = { code, signal };
      resolve({ code, signal });
    }),
  );
  const logs = () =>
    err
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return Object.assign(p, { child, done, logs, stderr: () => err, exited: undefined });
}

/** Polls `check` until it holds; fails at once if one of the processes ended, or after `timeoutMs`. */
export async function until(
  check: () => boolean,
  procs: readonly QiProcess[],
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    const dead = procs.find((p) => p.exited);
    if (dead)
      throw new Error(
        `qi run ended (${JSON.stringify(dead.exited)}) while waiting for ${what()}\n${dead.stderr()}`,
      );
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what()}\n${procs.map((p) => p.stderr()).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The partitions of the last assignment a process logged (undefined before its first). */
export function lastAssignment(p: QiProcess): string[] | undefined {
  const a = p.logs().filter((l) => l.event === 'redpanda.source.assigned');
  return a.length ? (a[a.length - 1]!.partitions as string[]) : undefined;
}

export function pipelineStop(p: QiProcess): Record<string, unknown> | undefined {
  return p.logs().find((l) => l.event === 'pipeline.stop');
}

/** Price record i: 60 instruments (so keys spread over the partitions), a unique natural key per i. */
export function priceRecord(i: number, source: string) {
  return samplePrice(i, {
    coin_id: `coin-${i % 60}`,
    symbol: `c${i % 60}`,
    ts: new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(i / 60) * 1000).toISOString(),
    source,
  });
}

/** coin_id|epoch ms: what `keysSql` selects from the table */
export const naturalKeyOf = (i: number) => {
  const r = priceRecord(i, 'x');
  return `${r.coin_id}|${Date.parse(r.ts as string)}`;
};

export const keysSql = (schema: string) =>
  `SELECT coin_id || '|' || (extract(epoch from ts) * 1000)::bigint FROM "${schema}".prices`;

/** Produces records [from, to) with the Redpanda target, `chunk` per acknowledged call. */
export async function produceRange(
  topicPrefix: string,
  from: number,
  to: number,
  source: string,
  chunk = 1000,
): Promise<void> {
  const w = createRedpandaWriter(
    configSchema.parse({
      topicPrefix,
      partitions: 6,
      deadLetterTopic: `${topicPrefix}dlq`,
      brokers: TEST_KAFKA_BROKERS,
      lingerMs: 1,
    }),
    testContext({ name: 'redpanda-target' }),
  );
  try {
    for (let i = from; i < to; i += chunk) {
      const records = Array.from({ length: Math.min(chunk, to - i) }, (_, k) => priceRecord(i + k, source));
      const r = await w.publishBatch(records);
      if (!r.ok) throw r.error;
    }
  } finally {
    await w.close();
  }
}
