import { defineConfig } from '../src/index';

// Types are the point here: `pnpm typecheck` compiles this file, and each @ts-expect-error
// fails the typecheck if the line it marks stops being an error.
interface Upper {
  out: string;
  shout?: boolean;
}

describe('defineConfig', () => {
  it('types the with of the plugins it is given, and still returns the config as is', () => {
    const ok = defineConfig<{ 'qi-plugin-upper': Upper }>({
      pipelines: {
        p: {
          source: { use: 'file', with: { path: 'in.ndjson' } },
          targets: [
            { use: 'qi-plugin-upper', with: { out: 'out.txt', shout: true }, onError: 'dead-letter' },
          ],
        },
      },
    });
    expect(ok.pipelines.p!.targets[0]!.with).toEqual({ out: 'out.txt', shout: true });

    defineConfig<{ 'qi-plugin-upper': Upper }>({
      pipelines: {
        p: {
          source: { use: 'file', with: { path: 'in.ndjson' } },
          // @ts-expect-error a typo'd key in a typed plugin's with
          targets: [{ use: 'qi-plugin-upper', with: { out: 'out.txt', shoot: true } }],
        },
      },
    });
    defineConfig<{ 'qi-plugin-upper': Upper }>({
      pipelines: {
        p: {
          source: { use: 'file', with: { path: 'in.ndjson' } },
          // @ts-expect-error a plugin not in the map
          targets: [{ use: 'qi-plugin-lower', with: {} }],
        },
      },
    });
  });

  it('without a map takes any plugin and any with', () => {
    const c = defineConfig({
      pipelines: { p: { source: { use: 'anything', with: { x: 1 } }, targets: [{ use: 'stdout' }] } },
    });
    expect(c.pipelines.p!.source.use).toBe('anything');
  });
});
