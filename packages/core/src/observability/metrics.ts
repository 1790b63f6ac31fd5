import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one host; a registry per host so tests can make their own. */
export interface QiMetrics {
  registry: Registry;
  recordsIn: Counter<'pipeline'>;
  /** blank lines a line-based source skipped (they carry no record, but are not lost silently) */
  sourceBlankLines: Counter<'pipeline' | 'source'>;
  recordsOut: Counter<'pipeline' | 'target'>;
  recordsFailed: Counter<'pipeline' | 'target'>;
  recordsDeadLettered: Counter<'pipeline' | 'target' | 'stage'>;
  batchDuration: Histogram<'pipeline' | 'target'>;
  retries: Counter<'pipeline' | 'target'>;
  breakerState: Gauge<'pipeline' | 'target'>;
}

export function createMetrics(registry = new Registry()): QiMetrics {
  const registers = [registry];
  return {
    registry,
    recordsIn: new Counter({
      name: 'qi_records_in_total',
      help: 'Records read from the source',
      labelNames: ['pipeline'],
      registers,
    }),
    sourceBlankLines: new Counter({
      name: 'qi_source_blank_lines_total',
      help: 'Blank lines a source skipped (no record in them)',
      labelNames: ['pipeline', 'source'],
      registers,
    }),
    recordsOut: new Counter({
      name: 'qi_records_out_total',
      help: 'Records acknowledged by a target',
      labelNames: ['pipeline', 'target'],
      registers,
    }),
    recordsFailed: new Counter({
      name: 'qi_records_failed_total',
      help: 'Records a target failed to write after retries',
      labelNames: ['pipeline', 'target'],
      registers,
    }),
    recordsDeadLettered: new Counter({
      name: 'qi_records_dead_lettered_total',
      help: 'Records sent to the dead-letter destination',
      labelNames: ['pipeline', 'target', 'stage'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'qi_batch_duration_seconds',
      help: 'Time to write one batch, retries included',
      labelNames: ['pipeline', 'target'],
      registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    retries: new Counter({
      name: 'qi_retries_total',
      help: 'Write attempts retried after a retryable error',
      labelNames: ['pipeline', 'target'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'qi_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['pipeline', 'target'],
      registers,
    }),
  };
}
