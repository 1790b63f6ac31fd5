import { setFlagsFromString } from 'node:v8';

/** What `boundHeap` did: bounded V8's heap growth, left the user's own flags, or was told not to. */
export type HeapBound = 'bounded' | 'user-flags' | 'node-defaults';

/** The V8 settings `qi run` applies (README, Memory): young generation kept at 1 MB semi-spaces, old generation grown by 1.5x live. */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

// a heap-growth flag given to node (command line or NODE_OPTIONS) is the user's choice
const USER_FLAG =
  /--(max|min)-semi-space-size|--semi-space-growth-factor|--heap-growing-percent|--max-heap-size/;

/**
 * Bounds how far V8 lets garbage pile up in a long `qi run`. Why: at a pipeline's
 * allocation rate (~1 KB per record) Node 24 grows the young generation to 64 MB
 * semi-spaces and lets the old generation grow to up to 4x what is live before it
 * collects, so a source-redpanda -> target-timescale run under a backlog held
 * ~440 MB RSS for ~50 MB of live data. Both factors are read each time V8 resizes
 * a space, so setting them here works without restarting node with flags
 * (`--max-semi-space-size` would only count at startup).
 *
 * Left alone when node was given a heap-growth flag of its own, or when
 * `QI_NODE_HEAP=node` (Node's defaults: more memory, fewer collections).
 */
export function boundHeap(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): HeapBound {
  if (env.QI_NODE_HEAP === 'node') return 'node-defaults';
  if (USER_FLAG.test(`${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`)) return 'user-flags';
  for (const f of HEAP_FLAGS) setFlagsFromString(f);
  return 'bounded';
}
