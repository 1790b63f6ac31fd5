import path from 'node:path';
import { z } from 'zod';
import { BUILTIN_PLUGINS } from '../builtins/index';
import { resolvePlugin } from '../host/resolve-plugin';
import { PLUGIN_API_VERSION, type QiPlugin } from '../plugin';
import { EXIT, printError } from './context';

export interface ConfigField {
  /** dotted path, e.g. "retry.maxAttempts" */
  field: string;
  type: string;
  /** JSON of the default, when there is one */
  default?: string;
  required: boolean;
  secret: boolean;
  description: string;
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  secret?: boolean;
}

function typeOf(p: JsonSchema): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' | ');
  if (p.type === 'array') return `${typeOf(p.items ?? {})}[]`;
  return p.type ?? 'any';
}

/** A plugin's config reference, from its zod schema (the same source as validation and redaction). */
export function configReference(schema: z.ZodType): ConfigField[] {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: ConfigField[] = [];
  const walk = (s: JsonSchema, prefix: string) => {
    const required = new Set(s.required ?? []);
    for (const [name, p] of Object.entries(s.properties ?? {})) {
      const field = `${prefix}${name}`;
      out.push({
        field,
        type: typeOf(p),
        ...(p.default === undefined ? {} : { default: JSON.stringify(p.default) }),
        required: required.has(name),
        secret: p.secret === true,
        description: p.description ?? '',
      });
      const nested = p.properties ? p : p.anyOf?.find((o) => o.properties);
      if (nested) walk(nested, `${field}.`);
    }
  };
  walk(root, '');
  return out;
}

/** qi describe <plugin>: what a plugin is and every config field it takes. */
export async function describeCommand(
  name: string,
  opts: { config?: string; json?: boolean },
): Promise<number> {
  const baseDir = opts.config ? path.dirname(path.resolve(opts.config)) : process.cwd();
  let plugin: QiPlugin | undefined = BUILTIN_PLUGINS.find((p) => p.name === name);
  let version = plugin ? PLUGIN_API_VERSION : '';
  let location = 'built-in';
  if (!plugin) {
    const r = await resolvePlugin(name, undefined, baseDir, 'qi describe');
    if (!r.ok) {
      // the message already starts with where it came from ("qi describe: …")
      printError(r.error.message);
      return EXIT.USAGE;
    }
    ({ plugin, version, location } = r.value);
  }
  const fields = configReference(plugin.configSchema as z.ZodType);
  if (opts.json) {
    const about = {
      name: plugin.name,
      kind: plugin.kind,
      version,
      location,
      description: plugin.description,
    };
    process.stdout.write(`${JSON.stringify({ ...about, config: fields }, null, 2)}\n`);
    return EXIT.OK;
  }
  const rows = fields.map((f) => [
    f.field,
    f.type,
    f.default ?? (f.required ? '(required)' : ''),
    `${f.secret ? '[secret] ' : ''}${f.description}`,
  ]);
  const table = [['field', 'type', 'default', 'description'], ...rows];
  const widths = [0, 1, 2].map((i) => Math.min(48, Math.max(...table.map((r) => r[i]!.length))));
  const lines = table.map((r) =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd(),
  );
  process.stdout.write(
    `${plugin.name} ${version} (${plugin.kind}, ${location})${plugin.description ? `: ${plugin.description}` : ''}\n\n${lines.join('\n')}\n`,
  );
  return EXIT.OK;
}
