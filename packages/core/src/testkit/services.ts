import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

// Guards for integration tests against real services. A test that cannot reach its
// service fails with what to do, never skips: a skipped test reads as a passed one.

/** Kafka brokers under test: `QI_KAFKA_BROKERS` (comma-separated), else a local broker on 9092. */
export const TEST_KAFKA_BROKERS: string[] = (process.env.QI_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** PostgreSQL under test: `QI_TEST_PG_URL`, else database `test` of a local server on 5432. */
export const TEST_PG_URL = process.env.QI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Confluent-compatible Schema Registry under test: `QI_SCHEMA_REGISTRY_URL`, else a local Apicurio. */
export const TEST_REGISTRY_URL =
  process.env.QI_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';

/** A name no other run uses (topics, groups): `base-<time>-<random>`. */
export const uniqueName = (base: string): string =>
  `${base}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** A URL as it may appear in an error: without its password. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

/** Rejects, saying how to start one, when the first broker does not accept a TCP connection. */
export async function requireBroker(brokers: readonly string[] = TEST_KAFKA_BROKERS): Promise<void> {
  const b = brokers[0]!;
  await new Promise<void>((resolve, reject) => {
    const s = connect({
      host: b.slice(0, b.lastIndexOf(':')),
      port: Number(b.split(':').pop()),
      timeout: 5000,
    });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    const fail = (e?: Error) => {
      s.destroy();
      reject(
        new Error(
          `Kafka broker not reachable at ${b} (${e?.message ?? 'timeout'}): start it (in Qi's repository \`scripts/kafka.sh start\`) or set QI_KAFKA_BROKERS`,
        ),
      );
    };
    s.once('error', fail);
    s.once('timeout', () => fail());
  });
}

/**
 * Rejects with the server's answer when `ping` (a `SELECT 1` through the test's own
 * client: core has no PostgreSQL driver) fails.
 */
export async function requirePostgres(ping: () => unknown, url: string = TEST_PG_URL): Promise<void> {
  try {
    await ping();
  } catch (e) {
    throw new Error(
      `these tests need PostgreSQL at ${shown(url)} (set QI_TEST_PG_URL): ${(e as Error).message}`,
    );
  }
}

/** Rejects, saying how to start one, when the Schema Registry does not list its subjects. */
export async function requireRegistry(url: string = TEST_REGISTRY_URL): Promise<void> {
  const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
  if (res instanceof Error || !res.ok)
    throw new Error(
      `Schema Registry not reachable at ${shown(url)} (${res instanceof Error ? res.message : res.status}): start it (in Qi's repository \`scripts/schema-registry.sh start\`) or set QI_SCHEMA_REGISTRY_URL`,
    );
}
