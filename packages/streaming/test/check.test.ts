import { checkStreaming } from '../src/index';

const ctx = (connect: boolean) => ({ baseDir: process.cwd(), connect, signal: new AbortController().signal });
const missing = async (s: string) => {
  throw Object.assign(new Error(`Cannot find module '${s}' from 'here'`), { code: 'MODULE_NOT_FOUND' });
};

describe('checkStreaming (qi validate)', () => {
  it.each([
    ['kafkajs', 'kafkajs'],
    ['platformatic', '@platformatic/kafka'],
  ] as const)(
    'names the client library %s that is not installed, with the install line',
    async (client, pkg) => {
      const r = await checkStreaming({ client, brokers: ['127.0.0.1:9092'] }, ctx(false), {
        importer: missing,
      });
      expect(r).toEqual([
        {
          what: `client library ${pkg}`,
          field: 'client',
          problem: expect.stringContaining(`npm install ${pkg}`),
        },
      ]);
    },
  );

  it('without connect, only says the library is installed (no network)', async () => {
    // a port nothing listens on: a connection attempt would fail
    expect(await checkStreaming({ brokers: ['127.0.0.1:1'] }, ctx(false))).toEqual([
      { what: 'client library kafkajs is installed' },
    ]);
  });
});
