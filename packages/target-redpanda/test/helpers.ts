import type { RecordKind } from '@qi/core';
import { testContext } from '@qi/core/testkit';
import { configSchema, createRedpandaWriter, type RedpandaTargetConfigInput } from '../src/index';

// the service guards are the testkit's, the Kafka read-back is shared with the other Kafka suites
export {
  requireBroker,
  requireRegistry,
  TEST_KAFKA_BROKERS as BROKERS,
  TEST_REGISTRY_URL as REGISTRY_URL,
  uniqueName as unique,
} from '@qi/core/testkit';
export { deleteTopicsWithPrefixes, readRecords, readTopic, streamingFor } from '../../../test/support/kafka';

export function makeWriter(input: RedpandaTargetConfigInput, name = 'redpanda') {
  return createRedpandaWriter(configSchema.parse(input), testContext({ name }));
}

export const DEFAULT_TOPIC_NAMES: Record<RecordKind, string> = {
  price: 'prices',
  ohlcv: 'ohlcv',
  analytics: 'market_analytics',
  level1: 'level1',
};
