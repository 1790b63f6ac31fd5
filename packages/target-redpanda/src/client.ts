import { type Logger, ok, type Result } from '@qi/core';
import {
  connectionOf,
  createStreamingClient,
  type StreamingAdmin,
  type StreamingClient,
  type StreamingProducer,
} from '@qi/streaming';
import type { RedpandaTargetConfig } from './config';

export { connectionOf } from '@qi/streaming';

export interface RedpandaConnection {
  streaming: StreamingClient;
  producer: StreamingProducer;
  admin(): Promise<Result<StreamingAdmin>>;
  close(): Promise<Result<void>>;
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
