// Its own file: the health module reads these counters and the runner writes them.
export interface PipelineStats {
  pipeline: string;
  batches: number;
  recordsIn: number;
  deadLettered: number;
  written: Record<string, number>;
  failed: Record<string, number>;
  /** batches read and not yet acknowledged (at most maxInFlight) */
  inFlight?: number;
  /** publish calls under way, by target */
  inFlightByTarget?: Record<string, number>;
}

export const newStats = (pipeline: string): PipelineStats => ({
  pipeline,
  batches: 0,
  recordsIn: 0,
  deadLettered: 0,
  written: {},
  failed: {},
  inFlight: 0,
  inFlightByTarget: {},
});
