import { createStreamingClient } from '../src/index';

// The librdkafka connector's two ways of not being there: the package missing (install it)
// and the package present without its compiled native part (rebuild it, with what a source build needs).
describe('client "rdkafka" when @confluentinc/kafka-javascript cannot load', () => {
  const fail = (e: Error & { code?: string }) => async () => {
    throw e;
  };

  it('not installed: says what to install', async () => {
    const r = await createStreamingClient(
      { client: 'rdkafka' },
      {
        importer: fail(
          Object.assign(new Error("Cannot find module '@confluentinc/kafka-javascript' from 'x'"), {
            code: 'MODULE_NOT_FOUND',
          }),
        ),
      },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('QI_STREAMING_CLIENT_MISSING');
      expect(r.error.message).toContain('npm install @confluentinc/kafka-javascript');
    }
  });

  it('installed without its native build: says how to rebuild and what a source build needs', async () => {
    const r = await createStreamingClient(
      { client: 'rdkafka' },
      {
        importer: fail(
          new Error(
            'Could not locate the bindings file. Tried:\n → /x/build/Release/confluent-kafka-javascript.node',
          ),
        ),
      },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('QI_STREAMING_CLIENT_MISSING');
      expect(r.error.message).toContain('native part is not built');
      expect(r.error.message).toContain('npm rebuild @confluentinc/kafka-javascript');
      expect(r.error.message).toContain('CKJS_LINKING=dynamic');
      expect(r.error.message).toMatch(/libzstd-dev.*libsasl2-dev/);
    }
  });

  it('any other load failure is reported as it is', async () => {
    const r = await createStreamingClient(
      { client: 'rdkafka' },
      { importer: fail(new Error('libsasl2.so.2: cannot open shared object file')) },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('libsasl2.so.2');
  });
});
