import { describe, expect, it } from 'vitest';
import { formatAddress, parseBootstrapServers } from './bootstrap.js';

describe('parseBootstrapServers', () => {
  it('reads a comma-separated host:port list, IPv6 in brackets', () => {
    expect(parseBootstrapServers('127.0.0.1:9092, broker-2:19092,[::1]:9093')).toEqual([
      { host: '127.0.0.1', port: 9092 },
      { host: 'broker-2', port: 19092 },
      { host: '::1', port: 9093 },
    ]);
    expect(formatAddress({ host: '::1', port: 9093 })).toBe('[::1]:9093');
  });

  it.each([
    ['localhost', /has no port/],
    ['localhost:', /is not a port/],
    ['localhost:abc', /is not a port/],
    ['localhost:70000', /is not a port/],
    [':9092', /no valid host/],
    ['::1:9092', /IPv6 address in brackets/],
    ['', /no server given/],
  ])('refuses %j', (value, why) => {
    expect(() => parseBootstrapServers(value)).toThrow(why);
  });
});
