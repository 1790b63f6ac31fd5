import { type Logger, ok, type Result } from '@qi/core';
import {
  createStreamingClient,
  type StreamingAdmin,
  type StreamingClient,
  type StreamingConfigInput,
  type StreamingProducer,
} from '@qi/streaming';
import type { RedpandaTargetConfig } from './config';

export interface RedpandaConnection {
  streaming: StreamingClient;
  producer: StreamingProducer;
  admin(): Promise<Result<StreamingAdmin>>;
  close(): Promise<Result<void>>;
}

/** The transport settings of this target's config. */
export function connectionOf(config: RedpandaTargetConfig): StreamingConfigInput {
  const { client, clientId, brokers, ssl, sasl, connectionTimeoutMs, requestTimeoutMs, retries } = config;
  return { client, clientId, brokers, ssl, sasl, connectionTimeoutMs, requestTimeoutMs, retries };
}

/** Opens the transport with this target's producer settings (idempotent, acks, compression). */
export async function connectRedpanda(
  config: RedpandaTargetConfig,
  logger: Logger,
): Promise<Result<RedpandaConnection>> {
  const streaming = await createStreamingClient(connectionOf(config), { logger });
  if (!streaming.ok) return streaming;
  const producer = await streaming.value.getProducer({
    idempotent: config.idempotent && config.acks === -1,
    acks: config.acks,
    compression: config.compression,
    ackTimeoutMs: config.ackTimeoutMs,
  });
  if (!producer.ok) {
    await streaming.value.disconnect();
    return producer;
  }
  return ok({
    streaming: streaming.value,
    producer: producer.value,
    admin: () => streaming.value.getAdmin(),
    close: () => streaming.value.disconnect(),
  });
}
