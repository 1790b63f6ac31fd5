import { type ErrorSpec, type QiError, qiError } from '@qi/core';
import { StreamingErrors } from '../errors';

export type Importer = (specifier: string) => Promise<unknown>;

// A real dynamic import: @platformatic/kafka is ESM-only, kafkajs is CommonJS; both load this way.
const defaultImporter: Importer = (specifier) => import(specifier);

/** Is this the "module not found" error for `specifier` itself (not one of its own dependencies)? */
export function isMissingModule(e: unknown, specifier: string): boolean {
  const o = e as { code?: string; message?: string } | null;
  if (!o) return false;
  const notFound =
    o.code === 'ERR_MODULE_NOT_FOUND' ||
    o.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)/.test(o.message ?? '');
  const msg = o.message ?? '';
  return notFound && (msg.includes(`'${specifier}'`) || msg.includes(`"${specifier}"`));
}

/**
 * Loads an optional peer dependency. When it is not installed the error says
 * exactly what to run; any other load failure (a broken install) is reported as is.
 */
export async function loadOptional<T>(
  specifier: string,
  purpose: string,
  importer: Importer = defaultImporter,
  spec: ErrorSpec = StreamingErrors.CLIENT_MISSING,
): Promise<{ ok: true; value: T } | { ok: false; error: QiError }> {
  try {
    const mod = (await importer(specifier)) as T & { default?: T };
    return { ok: true, value: mod };
  } catch (e) {
    if (isMissingModule(e, specifier)) {
      return {
        ok: false,
        error: qiError(
          spec,
          `${purpose} needs the package "${specifier}", which is not installed: npm install ${specifier}`,
          {
            context: { package: specifier, install: `npm install ${specifier}` },
            cause: e,
          },
        ),
      };
    }
    return {
      ok: false,
      error: qiError(spec, `could not load "${specifier}" for ${purpose}: ${(e as Error).message}`, {
        context: { package: specifier },
        cause: e,
      }),
    };
  }
}
