/**
 * The status of a running `qi run`: the body of `/status`, `/healthz` (non-200
 * when `ok` is false) and the reusable shape for tools such as a `qi top`.
 * Times are ISO strings, ages whole seconds; error messages are scrubbed of
 * secrets and cut to 500 characters. Fields may be added, never renamed.
 */
export interface StatusReport {
  /** false when any pipeline has a problem */
  ok: boolean;
  /** every pipeline has started and none has stopped (the /ready answer) */
  ready: boolean;
  at: string;
  uptimeSeconds: number;
  thresholds: { sourceFailures: number; breakerOpenMs: number; maxDeliveryAgeMs: number };
  pipelines: PipelineStatus[];
}

export interface ErrorStatus {
  code: string;
  message: string;
  at: string;
}

export interface PipelineStatus {
  name: string;
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
  ok: boolean;
  /** why `ok` is false, one sentence each */
  problems: string[];
  /** the last start-up or fatal error */
  lastError?: ErrorStatus;
  batches: number;
  recordsIn: number;
  deadLettered: number;
  /** batches read and not yet acknowledged by every required target (at most maxInFlight) */
  inFlight: number;
  source: {
    name: string;
    plugin: string;
    reads: number;
    errors: number;
    consecutiveFailures: number;
    /** how far behind upstream the source is, in its own unit (e.g. Kafka messages), when it knows */
    lag?: number;
    lastSuccessAt?: string;
    lastSuccessAgeSeconds?: number;
    lastError?: ErrorStatus;
  };
  targets: TargetStatus[];
}

export interface TargetStatus {
  name: string;
  plugin: string;
  required: boolean;
  ok: boolean;
  /** closed | half-open | open, for targets built on BaseWriter */
  breaker?: string;
  /** how long the breaker has not been closed */
  breakerOpenSeconds?: number;
  written: number;
  failed: number;
  /** publish calls to this target under way */
  inFlight: number;
  /** write attempts retried after a retryable error (qi_retries_total) */
  retries: number;
  /** records of this target's batches sent to the dead-letter destination (rejected or onError) */
  deadLettered: number;
  lastDeliveryAt?: string;
  lastDeliveryAgeSeconds?: number;
  lastError?: ErrorStatus;
}
