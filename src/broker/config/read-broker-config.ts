/**
 * What `skein broker start [server.properties] --override k=v ...` does with its arguments: read
 * the file (UTF-8) if one is given, apply the overrides on top, and load the result. Without a file
 * every config has its default.
 */
import { readFile } from 'node:fs/promises';
import { loadBrokerConfig, type BrokerConfig } from './broker-config.js';
import { ConfigError } from './config-error.js';
import { parseOverrides, parseProperties } from './properties.js';

export async function readBrokerConfig(options: { file?: string; overrides?: readonly string[] }): Promise<BrokerConfig> {
  const overrides = parseOverrides(options.overrides ?? []);
  let props = new Map<string, string>();
  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new ConfigError(`Cannot read broker config file ${options.file}: ${reason}`, { value: options.file });
    }
    try {
      props = parseProperties(text);
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new ConfigError(`${options.file}: ${err.message}`, { value: err.value, expected: err.expected });
      }
      throw err;
    }
  }
  return loadBrokerConfig(props, overrides);
}
