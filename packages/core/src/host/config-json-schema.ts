import { z } from 'zod';
import type { QiPlugin } from '../plugin';
import { qiConfigSchema } from './config-schema';

type Node = Record<string, unknown>;

const toSchema = (s: z.ZodType): Node =>
  // draft-07: what editors (yaml-language-server, VS Code) understand best
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Node;

/** `${VAR}` can stand for any value: a number, boolean, enum or patterned field also takes a string that interpolates. */
const INTERPOLATED = { type: 'string', pattern: '\\$\\{[^}]+\\}', description: '${VAR} or ${VAR:-default}' };

function allowInterpolation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowInterpolation);
  if (!node || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'default' || k === 'const' ? v : allowInterpolation(v);
  const constrained =
    out.type === 'number' ||
    out.type === 'integer' ||
    out.type === 'boolean' ||
    out.enum !== undefined ||
    (out.type === 'string' && (out.pattern !== undefined || out.format !== undefined));
  if (constrained) {
    const { description, default: dflt, ...typed } = out;
    return {
      ...(description === undefined ? {} : { description }),
      ...(dflt === undefined ? {} : { default: dflt }),
      anyOf: [typed, INTERPOLATED],
    };
  }
  return out;
}

/** For a `{ use, with }` node: `with` is the plugin's own schema when `use` names a known plugin. */
function typedWith(ref: Node, plugins: QiPlugin[]): void {
  const names = plugins.map((p) => p.name);
  ref.allOf = plugins.map((p) => {
    const { $schema: _, ...withSchema } = toSchema(p.configSchema as z.ZodType);
    return {
      if: { properties: { use: { const: p.name } }, required: ['use'] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword
      then: { properties: { with: { ...withSchema, description: p.description ?? `${p.name} config` } } },
    };
  });
  const use = (ref.properties as Node).use as Node;
  if (names.length) use.examples = names;
}

/**
 * The JSON Schema of a whole config file: the host's keys plus, for each plugin given,
 * its `with` (from its zod schema, with descriptions and defaults). A plugin not given
 * still validates, with a free-form `with`.
 */
export function configJsonSchema(plugins: QiPlugin[]): Node {
  const root = toSchema(qiConfigSchema);
  const pipeline = (root.properties as Node).pipelines as Node;
  const p = pipeline.additionalProperties as Node;
  const props = p.properties as Node;
  const sources = plugins.filter((x) => x.kind === 'source');
  const targets = plugins.filter((x) => x.kind === 'target');
  typedWith(props.source as Node, sources);
  typedWith((props.targets as Node).items as Node, targets);
  typedWith(props.deadLetter as Node, targets);
  return {
    ...(allowInterpolation(root) as Node),
    title: 'Qi config (qi.config.yaml, .qirc.json, package.json#qi)',
  };
}
