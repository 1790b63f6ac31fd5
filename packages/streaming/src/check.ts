import type { CheckContext, CheckResult } from '@qi/core';
import { createStreamingClient, type StreamingClientOptions } from './client';
import { type StreamingConfigInput, streamingConfigSchema } from './config';

/**
 * `qi validate` for a Kafka plugin: the client library loads (static), and with `connect`
 * the brokers answer a metadata request. Nothing is created or written.
 */
export async function checkStreaming(
  input: StreamingConfigInput,
  ctx: CheckContext,
  opts: StreamingClientOptions = {},
): Promise<CheckResult[]> {
  const config = streamingConfigSchema.parse(input);
  const library = config.client === 'platformatic' ? '@platformatic/kafka' : 'kafkajs';
  // one try: an unreachable broker is the answer, not something to wait out
  const client = await createStreamingClient({ ...config, retries: 0 }, opts);
  if (!client.ok)
    return [{ what: `client library ${library}`, field: 'client', problem: client.error.message }];
  const results: CheckResult[] = [{ what: `client library ${library} is installed` }];
  if (!ctx.connect) return results;
  const brokers = `Kafka brokers ${config.brokers.join(', ')}`;
  try {
    const admin = await client.value.getAdmin();
    const topics = admin.ok ? await admin.value.listTopics() : admin;
    results.push(
      topics.ok
        ? { what: `${brokers} reachable (${topics.value.length} topics)` }
        : { what: brokers, field: 'brokers', problem: topics.error.message },
    );
  } finally {
    await client.value.disconnect();
  }
  return results;
}
