/**
 * `--bootstrap-server host:port[,host:port…]`, as every Kafka tool takes it. An IPv6 address is
 * written in brackets (`[::1]:9092`). Checked before any connection is tried, so a typo is reported
 * as such rather than as a connection failure.
 */
import { CliError } from './cli-error.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

export function parseBootstrapServers(value: string): BrokerAddress[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw invalid(value, 'no server given');
  return entries.map((entry) => parseOne(entry, value));
}

/** `host:port` for display and for kafkajs's `brokers` list (IPv6 hosts get their brackets back). */
export function formatAddress(a: BrokerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function parseOne(entry: string, whole: string): BrokerAddress {
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(entry);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon < 0) throw invalid(whole, `"${entry}" has no port`);
    host = entry.slice(0, colon);
    portText = entry.slice(colon + 1);
    if (host.includes(':')) throw invalid(whole, `write an IPv6 address in brackets, e.g. [${host}]:${portText}`);
  }
  if (host === '' || /[\s/]/.test(host)) throw invalid(whole, `"${entry}" has no valid host`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw invalid(whole, `"${portText}" in "${entry}" is not a port between 1 and 65535`);
  }
  return { host, port: Number(portText) };
}

function invalid(value: string, why: string): CliError {
  return new CliError(`Invalid --bootstrap-server "${value}": ${why} (expected host:port[,host:port...])`);
}
