import { CoreErrors, type QiError, qiError } from '../errors';
import { fieldsOf, type RecordSpec } from './specs';

/** Default tolerance for timestamps ahead of this machine's clock: clock skew between machines. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

const timestampFields = new WeakMap<object, readonly string[]>();

function timestampsOf(spec: RecordSpec<string>): readonly string[] {
  let names = timestampFields.get(spec.schema);
  if (!names) {
    names = fieldsOf(spec)
      .filter((f) => f.type === 'timestamp')
      .map((f) => f.name);
    timestampFields.set(spec.schema, names);
  }
  return names;
}

// one Date → ISO conversion per millisecond at most, not per record
let cachedMs = Number.NaN;
let cachedIso = '';
function isoAt(ms: number): string {
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedIso = new Date(ms).toISOString();
  }
  return cachedIso;
}

// A limit of the default window computed earlier stays a valid bound (time only moves it
// later), so most records are checked without reading the clock: the fast path costs ~0.2 µs.
let defaultLimit = '';

/**
 * A validated record's timestamp that lies more than the allowed skew in the
 * future is a unit mistake (microseconds for milliseconds) or a broken clock.
 * Checked on the normalised record (ISO-8601 UTC strings), so the fast path and
 * zod share it; market data timestamps (prices, candle open times) are never ahead
 * of the provider's clock.
 */
export function futureTimestampError(
  spec: RecordSpec<string>,
  record: object,
  opts: { maxFutureSkewMs?: number; now?: () => number },
): QiError | undefined {
  const skew = opts.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (skew === Number.POSITIVE_INFINITY) return undefined;
  const usual = opts.now === undefined && skew === DEFAULT_MAX_FUTURE_SKEW_MS;
  let limit: string | undefined;
  for (const name of timestampsOf(spec)) {
    const v = (record as Record<string, unknown>)[name];
    if (typeof v !== 'string' || (usual && v <= defaultLimit)) continue;
    if (limit === undefined) {
      limit = isoAt((opts.now ?? Date.now)() + skew);
      if (usual) defaultLimit = limit;
    }
    // one format (years up to 9999, the schema's bound), so string order is time order
    if (v > limit)
      return qiError(
        CoreErrors.VALIDATION,
        `invalid ${spec.kind} record: ${name}: must not be more than ${skew / 1000} s in the future (maxFutureSkewMs), received "${v}"`,
        { context: { kind: spec.kind, issues: [{ path: name, message: 'in the future' }] } },
      );
  }
  return undefined;
}
