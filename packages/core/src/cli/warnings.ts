// kafkajs 2.2.4 (unmaintained) arms a timer with a negative delay whenever it is not
// throttled, and Node >= 24 prints a TimeoutNegativeWarning for it on every start. Node runs
// such a timer after 1 ms, which is what kafkajs means: the warning tells a Qi user nothing
// and looks like a fault. The Qi command-line programs (applications, not libraries) drop
// that one warning type; every other warning is printed as usual.
const MUTED = new Set(['TimeoutNegativeWarning']);
let installed = false;

/** For the `qi` CLI and the Qi MCP server programs; QI_NODE_WARNINGS=all keeps every warning. */
export function muteKnownWarnings(): void {
  if (installed || process.env.QI_NODE_WARNINGS === 'all') return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const opt = rest[0];
    const type =
      warning instanceof Error
        ? warning.name
        : typeof opt === 'string'
          ? opt
          : (opt as { type?: string } | undefined)?.type;
    if (type && MUTED.has(type)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
