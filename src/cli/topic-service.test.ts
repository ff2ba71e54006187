import { describe, expect, it } from 'vitest';
import { topicMatcher } from './topic-service.js';

describe('topicMatcher', () => {
  it('matches whole names as a regular expression, with commas as alternatives', () => {
    const orders = topicMatcher('orders');
    expect(orders('orders')).toBe(true);
    expect(orders('orders-v2')).toBe(false);
    expect(topicMatcher('orders.*')('orders-v2')).toBe(true);
    expect(topicMatcher('a,b')('b')).toBe(true);
    expect(topicMatcher('"a\\.b"')('a.b')).toBe(true);
    expect(topicMatcher('"a\\.b"')('aXb')).toBe(false);
  });

  it('reports an invalid pattern', () => {
    expect(() => topicMatcher('(')).toThrow(/Invalid --topic pattern/);
  });
});
