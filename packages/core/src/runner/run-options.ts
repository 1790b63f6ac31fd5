import type { Logger } from 'pino';
import type { PipelineHealth } from '../observability/health';
import type { QiMetrics } from '../observability/metrics';
import type { Clock } from '../workflow/clock';
import type { PipelineStats } from './stats';

export interface RunOptions {
  signal: AbortSignal;
  once?: boolean;
  logger: Logger;
  metrics: QiMetrics;
  baseDir: string;
  dataDir: string;
  /** live counters, read by the progress line */
  stats?: PipelineStats;
  /** where the pipeline reports its state for /healthz, /ready and metrics (default: metrics only) */
  health?: (stats: PipelineStats, source: { name: string; plugin: string }) => PipelineHealth;
  /** how long plugins may take to start (connect, create topics or tables), ms; 0: no limit */
  startTimeoutMs?: number;
  clock?: Clock;
}
