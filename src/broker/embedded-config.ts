/**
 * The configuration of an embedded broker (`Broker.start(options)`): Kafka's property names and
 * defaults, as for `skein broker start`, except for the few defaults below that suit a broker
 * living inside a program or a test — applied only to the keys the caller did not set.
 *
 * Embedding is a program talking to an API, not an operator editing a file, so it is stricter than
 * server.properties: a key Skein does not know, a value that is not a string, number or boolean,
 * or an option name that does not exist is an error rather than a warning, since a typo would
 * otherwise silently leave a default in place.
 */
import { BROKER_CONFIGS, type BrokerConfig, loadBrokerConfig } from './config/broker-config.js';
import { ConfigError } from './config/config-error.js';

/** A broker config value as a program writes it: `'log.retention.ms': 60_000`, `'auto.create.topics.enable': false`. */
export type ConfigValues = Record<string, string | number | boolean>;

/**
 * Defaults for an embedded broker where Kafka's suit a long-lived cluster rather than a test.
 * Each applies only when `config` does not set the key.
 */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, string>> = {
  // Kafka waits 3 s for more members before a new group's first rebalance; a test's one consumer
  // would wait for nothing.
  'group.initial.rebalance.delay.ms': '0',
  // 50 partitions each (a log and its files per partition) when the first group or transactional
  // producer appears; one process on one machine gains nothing from that many.
  'offsets.topic.num.partitions': '5',
  'transaction.state.log.num.partitions': '5',
};

/** Keys that `Broker.start` sets from its own options; set through `config` they would disagree. */
const OWNED_BY_OPTIONS: Readonly<Record<string, string>> = {
  listeners: 'host and port',
  'log.dirs': 'logDir',
  'log.dir': 'logDir',
};

/** Every option `Broker.start` takes, to catch a misspelt one. */
export const START_OPTION_NAMES = ['logDir', 'port', 'host', 'config', 'logger', 'clock'] as const;

export function checkOptionNames(options: object): void {
  for (const name of Object.keys(options)) {
    if (!(START_OPTION_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(`Broker.start: unknown option "${name}" (the options are ${START_OPTION_NAMES.join(', ')})`, { key: name });
    }
  }
}

/** Kafka property values as strings; undefined means "not set". */
export function configEntries(config: unknown, what: string): Map<string, string> {
  const out = new Map<string, string>();
  if (config === undefined) return out;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(`${what} must be an object of Kafka property names to values`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`${what}: the value of ${key} must be a string, number or boolean, not ${value === null ? 'null' : typeof value}`, {
        key,
      });
    }
    out.set(key, String(value));
  }
  return out;
}

/** The BrokerConfig an embedded broker starts with: one PLAINTEXT listener on host:port, data in logDir. */
export function embeddedBrokerConfig(opts: { logDir: string; host: string; port: number; config?: ConfigValues }): BrokerConfig {
  if (typeof opts.host !== 'string' || opts.host === '')
    throw new ConfigError('Broker.start: host must be a host name or address, e.g. 127.0.0.1', { key: 'host' });
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new ConfigError(`Broker.start: port must be an integer from 0 (any free port) to 65535, not ${String(opts.port)}`, {
      key: 'port',
      value: String(opts.port),
    });
  }
  const given = configEntries(opts.config, 'Broker.start: config');
  const props = new Map<string, string>();
  for (const [key, value] of Object.entries(EMBEDDED_DEFAULTS)) props.set(key, value);
  for (const [key, value] of given) {
    if (key in OWNED_BY_OPTIONS) {
      throw new ConfigError(
        `Broker.start: set ${key} through the ${OWNED_BY_OPTIONS[key]} option${OWNED_BY_OPTIONS[key].includes(' and ') ? 's' : ''}, not config`,
        { key, value },
      );
    }
    if (!BROKER_CONFIGS.has(key)) {
      throw new ConfigError(`Broker.start: ${key} is not a broker config Skein knows (docs/configuration.md lists them)`, { key, value });
    }
    props.set(key, value);
  }
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  props.set('listeners', `PLAINTEXT://${host}:${opts.port}`);
  props.set('log.dirs', opts.logDir);
  return loadBrokerConfig(props);
}
