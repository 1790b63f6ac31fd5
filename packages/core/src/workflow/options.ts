import { z } from 'zod';
import type { PluginContext } from '../plugin';
import type { BaseWriterOptions } from './base-writer';

/**
 * The workflow settings every target inherits, as a zod schema that plugin
 * config schemas spread in: `z.object({ ...writerWorkflowShape, brokers: … })`.
 */
export const writerWorkflowShape = {
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe('records per write to the destination'),
  lingerMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(10)
    .describe('how long a partial batch waits for more records, in ms'),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe('batches written at the same time (1 keeps per-kind order)'),
  retry: z
    .strictObject({
      maxAttempts: z
        .number()
        .int()
        .min(0)
        .default(10)
        .describe('attempts per batch including the first; 0 retries forever'),
      initialDelayMs: z.number().int().min(1).default(100).describe('first backoff delay, ms'),
      maxDelayMs: z.number().int().min(1).default(10_000).describe('longest backoff delay, ms'),
    })
    .prefault({})
    .describe('retries of retryable errors (exponential backoff with jitter)'),
  breaker: z
    .strictObject({
      failureThreshold: z
        .number()
        .int()
        .min(1)
        .default(5)
        .describe('consecutive failed attempts that open the circuit'),
      resetTimeoutMs: z
        .number()
        .int()
        .min(1)
        .default(10_000)
        .describe('how long the circuit stays open before a trial, ms'),
    })
    .prefault({})
    .describe('circuit breaker'),
};

export const writerWorkflowSchema = z.object(writerWorkflowShape);
export type WriterWorkflowConfig = z.output<typeof writerWorkflowSchema>;

/** BaseWriter options from a plugin's parsed config and the host context. */
export function workflowOptions(
  config: WriterWorkflowConfig,
  ctx: Pick<PluginContext, 'name' | 'logger' | 'metrics' | 'pipeline'> & { signal?: AbortSignal },
): Omit<BaseWriterOptions, 'handler'> {
  return {
    name: ctx.name,
    signal: ctx.signal,
    logger: ctx.logger,
    metrics: ctx.metrics,
    pipeline: ctx.pipeline,
    batch: { size: config.batchSize, lingerMs: config.lingerMs, concurrency: config.concurrency },
    retry: config.retry,
    breaker: config.breaker,
  };
}

/** Marks a config field as secret: redacted in logs, errors and `qi validate` output. */
export function secret<S extends z.ZodType>(schema: S): S {
  return schema.meta({ ...(schema.meta() ?? {}), secret: true }) as S;
}
