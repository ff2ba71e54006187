/**
 * A partition of a topic (Kafka's `TopicPartition`), and the one string key that stands for it in
 * maps and sets: `topic` NUL `partition`. A topic name cannot contain NUL (only [a-zA-Z0-9._-]), so
 * the key is unambiguous and splits back at its last NUL.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The topic and partition a `topicPartitionKey` stands for. */
export function topicPartitionOfKey(key: string): TopicPartition {
  const at = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}
