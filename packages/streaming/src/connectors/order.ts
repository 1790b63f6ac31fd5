/** Sort order of per-partition results: by topic, then partition (both connectors answer alike). */
export const byTopicPartition = (
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);
