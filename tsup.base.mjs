// Shared tsup settings: every package ships ESM + CJS + .d.ts with an exports map.
import { defineConfig } from 'tsup';

export function qiTsup(entry = { index: 'src/index.ts' }, extra = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    shims: true,
    ...extra,
  });
}
