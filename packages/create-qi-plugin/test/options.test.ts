import { PassThrough, Writable } from 'node:stream';
import { PLUGIN_API_VERSION } from '@qi/core';
import { resolveOptions } from '../src/cli';
import { checkName, followsConvention, parseCliArgs, parseKinds } from '../src/options';
import { promptMissing } from '../src/prompt';
import { API_RANGE, coreRange } from '../src/versions';

describe('options', () => {
  it('takes the name as the positional argument (npm init qi-plugin <name>) or --name', () => {
    expect(parseCliArgs(['qi-plugin-kdb', '--kind', 'source']).name).toBe('qi-plugin-kdb');
    expect(parseCliArgs(['--name', '@acme/qi-plugin-kdb', '-y']).yes).toBe(true);
    expect(() => parseCliArgs(['a', 'b'])).toThrow('at most one name');
    expect(() => parseCliArgs(['--frobnicate'])).toThrow();
  });

  it('resolves defaults without a terminal, but never invents a name', () => {
    const o = resolveOptions(parseCliArgs(['@acme/qi-plugin-kdb']), '/work');
    expect(o).toMatchObject({
      name: '@acme/qi-plugin-kdb',
      kind: 'target',
      kinds: ['price', 'ohlcv', 'analytics', 'level1'],
      dir: '/work/qi-plugin-kdb',
    });
    expect(() => resolveOptions(parseCliArgs(['--yes']), '/work')).toThrow('a package name is required');
    expect(() => resolveOptions(parseCliArgs(['Qi Plugin']), '/work')).toThrow(
      'not a valid npm package name',
    );
    expect(() => resolveOptions(parseCliArgs(['qi-plugin-x', '--kind', 'sink']), '/work')).toThrow(
      '"source" or "target"',
    );
  });

  it('parses record kinds in DSL order, "all", and refuses unknown ones', () => {
    expect(parseKinds('level1, price,price')).toEqual(['price', 'level1']);
    expect(parseKinds('all')).toEqual(['price', 'ohlcv', 'analytics', 'level1']);
    expect(() => parseKinds('price,trades')).toThrow('unknown record kind(s) trades');
  });

  it('checks npm names and the qi-plugin-* convention', () => {
    expect(checkName('qi-plugin-nats')).toBeUndefined();
    expect(checkName('@acme/qi-plugin-nats')).toBeUndefined();
    expect(checkName('UPPER')).toContain('not a valid npm package name');
    expect(followsConvention('@acme/qi-plugin-nats')).toBe(true);
    expect(followsConvention('nats-for-qi')).toBe(false);
  });

  it('asks for what is missing and asks again after a wrong answer', async () => {
    const input = new PassThrough();
    let said = '';
    const output = new Writable({
      write(chunk, _e, cb) {
        said += String(chunk);
        cb();
      },
    });
    input.end('Not Valid\nqi-plugin-x\nsink\nsource\nprice,level1\n');
    const answers = await promptMissing(parseCliArgs([]), input, output);
    expect(answers).toMatchObject({ name: 'qi-plugin-x', kind: 'source', kinds: 'price,level1' });
    expect(said).toContain('not a valid npm package name');
    expect(said).toContain('"source" or "target"');
  });

  it('generates plugins for the plugin API this @qi/core provides, peer-depending on its version', () => {
    expect(API_RANGE).toBe(`^${PLUGIN_API_VERSION.split('.')[0]}.0.0`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(coreRange()).toBe(`^${require('../../core/package.json').version}`);
  });
});
