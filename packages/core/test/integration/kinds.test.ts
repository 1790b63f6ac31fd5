import path from 'node:path';
import {
  BaseWriter,
  BUILTIN_PLUGINS,
  createHost,
  createLogger,
  createMetrics,
  definePlugin,
  qiError,
  runPipeline,
  workflowOptions,
  writerWorkflowShape,
  z,
} from '../../src/index';
import { sampleRecords } from '../../src/testkit/index';
import { makeProject, pluginPackage, runQi } from '../helpers/project';

// a per-target `kinds` filter, and the validate warning for a target that cannot take a kind

describe('a target with kinds', () => {
  it('is given only those kinds; the others are counted, not dead-lettered', async () => {
    const got: Record<string, string[]> = { all: [], prices: [] };
    const recording = definePlugin({
      name: 'recording',
      kind: 'target',
      apiVersion: '^1.0.0',
      configSchema: z.strictObject({ ...writerWorkflowShape, id: z.string() }),
      create: (config, ctx) =>
        new BaseWriter({
          ...workflowOptions(config, ctx),
          handler: {
            async writeBatch(kind, records) {
              got[config.id]!.push(...records.map(() => kind));
            },
            classifyError: (e) => qiError({ code: 'REC', category: 'internal', retryable: false }, String(e)),
            async close() {},
          },
        }),
    });
    const lines = [
      ...sampleRecords('price', 3),
      ...sampleRecords('analytics', 2),
      ...sampleRecords('price', 1, 3),
    ];
    const p = makeProject({
      'in.ndjson': `${lines.map((r) => JSON.stringify(r)).join('\n')}\n`,
      'qi.config.yaml': [
        'pipelines:',
        '  p:',
        '    source: { use: file, with: { path: in.ndjson } }',
        '    targets:',
        '      - { use: recording, name: all, with: { id: all } }',
        '      - { use: recording, name: prices, kinds: [price], with: { id: prices } }',
        '',
      ].join('\n'),
    });
    try {
      const prepared = await createHost({ plugins: [...BUILTIN_PLUGINS, recording] }).prepare({ cwd: p.dir });
      if (!prepared.ok) throw prepared.error;
      const metrics = createMetrics();
      const r = await runPipeline(prepared.value.pipelines[0]!, {
        signal: new AbortController().signal,
        once: true,
        logger: createLogger({ level: 'silent' }),
        metrics,
        baseDir: p.dir,
        dataDir: path.join(p.dir, '.qi'),
      });
      expect(r.ok && r.value.deadLettered).toBe(0);
      expect(got.all!.sort()).toEqual(['analytics', 'analytics', 'price', 'price', 'price', 'price']);
      expect(got.prices).toEqual(['price', 'price', 'price', 'price']);
      const text = await metrics.registry.metrics();
      expect(text).toContain('qi_records_filtered_total{pipeline="p",target="prices",kind="analytics"} 2');
      expect(text).not.toContain('target="all",kind=');
    } finally {
      p.cleanup();
    }
  });

  it('an unknown kind in kinds is a config error naming the path', async () => {
    const p = makeProject({
      'in.ndjson': '',
      'qi.config.yaml':
        'pipelines:\n  p:\n    source: { use: file, with: { path: in.ndjson } }\n    targets: [{ use: stdout, kinds: [prices] }]\n',
    });
    try {
      const r = await runQi(['validate'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pipelines.p.targets[0].kinds[0]');
    } finally {
      p.cleanup();
    }
  });
});

const mixedSource = `
const { definePlugin, z } = require('@qi/core');
module.exports = definePlugin({
  name: 'qi-plugin-mixed', kind: 'source', apiVersion: '^1.0.0',
  configSchema: z.strictObject({ level1: z.boolean().default(false) }),
  produces: (c) => (c.level1 ? ['price', 'level1'] : ['price']),
  create() { throw new Error('not run in this test'); },
});`;
const pricesOnly = `
const { definePlugin, z } = require('@qi/core');
module.exports = definePlugin({
  name: 'qi-plugin-prices-only', kind: 'target', apiVersion: '^1.0.0',
  configSchema: z.strictObject({}), accepts: ['price'],
  create() { throw new Error('not run in this test'); },
});`;

describe('qi validate and record kinds', () => {
  const project = (targets: string, level1: boolean) =>
    makeProject({
      ...pluginPackage('qi-plugin-mixed', mixedSource),
      ...pluginPackage('qi-plugin-prices-only', pricesOnly),
      'qi.config.yaml': `pipelines:\n  p:\n    source: { use: qi-plugin-mixed, with: { level1: ${level1} } }\n    targets: ${targets}\n`,
    });

  it('warns (exit 0) when a target cannot take a kind its source produces, naming the target and the fix', async () => {
    const p = project('[{ use: qi-plugin-prices-only }]', true);
    try {
      const r = await runQi(['validate'], { cwd: p.dir });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        '⚠ pipelines.p.targets[0]: qi-plugin-prices-only cannot write level1, which qi-plugin-mixed produces; set pipelines.p.targets[0].kinds: [price]',
      );
    } finally {
      p.cleanup();
    }
  });

  it('does not warn when the source does not produce that kind, or the target filters it out', async () => {
    for (const [targets, level1] of [
      ['[{ use: qi-plugin-prices-only }]', false],
      ['[{ use: qi-plugin-prices-only, kinds: [price] }]', true],
    ] as const) {
      const p = project(targets, level1);
      try {
        const r = await runQi(['validate'], { cwd: p.dir });
        expect(r.code).toBe(0);
        expect(r.stdout).not.toContain('⚠');
      } finally {
        p.cleanup();
      }
    }
  });
});
