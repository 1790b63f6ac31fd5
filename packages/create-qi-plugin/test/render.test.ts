import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../src/cli';

const sink = () => {
  let text = '';
  return {
    stream: new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    }),
    text: () => text,
  };
};

describe('create-qi-plugin', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'cqp-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const run = async (argv: string[]) => {
    const out = sink();
    const err = sink();
    const stdin = Object.assign(new PassThrough(), { isTTY: false });
    const code = await main(argv, { cwd, stdin, stdout: out.stream, stderr: err.stream });
    return { code, stdout: out.text(), stderr: err.text() };
  };

  it('writes a target package with every token replaced and the chosen kinds', async () => {
    const r = await run([
      '@acme/qi-plugin-kdb',
      '--kind',
      'target',
      '--kinds',
      'price,ohlcv',
      '--description',
      'KDB+ "tick" target',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(cwd, 'qi-plugin-kdb');
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    for (const f of [
      'package.json',
      '.gitignore',
      '.changeset/config.json',
      '.changeset/initial-release.md',
      'src/index.ts',
      'src/config.ts',
      'src/client.ts',
      'src/writer.ts',
      'src/encoding.ts',
      'src/errors.ts',
      'test/conformance.test.ts',
      'test/plugin.test.ts',
      'README.md',
      'tsup.config.mjs',
      'jest.config.cjs',
      'tsconfig.json',
    ]) {
      expect([f, existsSync(path.join(dir, f))]).toEqual([f, true]);
      expect([f, read(f).match(/__[A-Z_]+__|qi:kinds/g)]).toEqual([f, null]);
    }
    expect(existsSync(path.join(dir, 'src/reader.ts'))).toBe(false);
    const pkg = JSON.parse(read('package.json'));
    expect(pkg).toMatchObject({
      name: '@acme/qi-plugin-kdb',
      description: 'KDB+ "tick" target',
      keywords: expect.arrayContaining(['qi-plugin', 'qi-target']),
    });
    expect(pkg.peerDependencies['@qi/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(read('src/encoding.ts')).toContain("export const KINDS = ['price', 'ohlcv'] as const");
    expect(read('src/index.ts')).toContain("name: '@acme/qi-plugin-kdb'");
    expect(read('.changeset/initial-release.md')).toContain('"@acme/qi-plugin-kdb": minor');
    expect(r.stdout).toContain('cd qi-plugin-kdb');
  });

  it('writes a source package, and points at the naming convention when it is not followed', async () => {
    const r = await run([
      'kdb-reader',
      '--kind',
      'source',
      '--kinds',
      'level1',
      '--dir',
      'out/here',
      '--qi-core',
      'file:../core.tgz',
    ]);
    expect(r.code).toBe(0);
    const dir = path.join(cwd, 'out/here');
    expect(existsSync(path.join(dir, 'src/reader.ts'))).toBe(true);
    expect(existsSync(path.join(dir, 'src/writer.ts'))).toBe(false);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@qi/core']).toBe('file:../core.tgz');
    expect(pkg.keywords).toContain('qi-source');
    expect(r.stdout).toContain('qi-plugin-<technology>');
  });

  it('refuses a directory that is not empty unless --force, and bad flags with exit 2', async () => {
    writeFileSync(path.join(cwd, 'keep.txt'), 'x');
    const r = await run(['qi-plugin-x', '--dir', '.']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not empty (use --force');
    expect((await run(['qi-plugin-x', '--dir', '.', '--force'])).code).toBe(0);
    const bad = await run(['qi-plugin-y', '--kinds', 'trades']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown record kind(s) trades');
    expect((await run(['--nope'])).code).toBe(2);
    expect((await run(['--help'])).stdout).toContain('--kinds');
  });
});
