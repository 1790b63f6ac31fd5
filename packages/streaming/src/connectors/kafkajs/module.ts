import type * as KafkaJS from 'kafkajs';

// Apart from index.ts, which imports the admin, consumer, producer and codecs that use it.
export type KafkajsModule = typeof KafkaJS;
