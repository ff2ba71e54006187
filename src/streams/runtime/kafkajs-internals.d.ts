/**
 * Types for the parts of kafkajs Skein uses that kafkajs does not publish (it has no `exports` map,
 * so they are reachable by path). Kept to what is used; see docs/streams-internals.md for why.
 */
declare module 'kafkajs/src/producer/partitioners/default/murmur2.js' {
  const murmur2: (key: Buffer | string) => number;
  export default murmur2;
}

declare module 'kafkajs/src/consumer/filterAbortedMessages.js' {
  const filterAbortedMessages: (args: { messages: unknown[]; abortedTransactions: unknown[] }) => unknown[];
  export default filterAbortedMessages;
}
