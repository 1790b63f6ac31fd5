import { createServer } from 'node:net';
import { requireBroker, requirePostgres, requireRegistry, uniqueName } from '../src/testkit/index';

// A port nothing listens on: bound, then closed, so the guards meet a refused connection.
const closedPort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

describe('testkit service guards', () => {
  it('requireBroker passes when the broker port accepts, and says how to start one when not', async () => {
    const srv = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const { port } = srv.address() as { port: number };
    try {
      await expect(requireBroker([`127.0.0.1:${port}`])).resolves.toBeUndefined();
    } finally {
      srv.close();
    }
    const closed = await closedPort();
    await expect(requireBroker([`127.0.0.1:${closed}`])).rejects.toThrow(
      new RegExp(`Kafka broker not reachable at 127\\.0\\.0\\.1:${closed} .*QI_KAFKA_BROKERS`),
    );
  });

  it('requirePostgres names the URL without its password and keeps the server reason', async () => {
    const failing = () => Promise.reject(new Error('password authentication failed'));
    const err = await requirePostgres(failing, 'postgres://qi:s3cret@db.example:5432/test').catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('postgres://qi:***@db.example:5432/test');
    expect((err as Error).message).toContain('password authentication failed');
    expect((err as Error).message).not.toContain('s3cret');
    await expect(requirePostgres(() => 1, 'postgres://x@h/db')).resolves.toBeUndefined();
  });

  it('requireRegistry fails with how to start one', async () => {
    const closed = await closedPort();
    await expect(requireRegistry(`http://127.0.0.1:${closed}/apis/ccompat/v7`)).rejects.toThrow(
      /Schema Registry not reachable .*QI_SCHEMA_REGISTRY_URL/,
    );
  });

  it('uniqueName differs between calls', () => {
    expect(uniqueName('t')).toMatch(/^t-[0-9a-z]+-[0-9a-f]{6}$/);
    expect(uniqueName('t')).not.toBe(uniqueName('t'));
  });
});
