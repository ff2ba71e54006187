/**
 * A configuration the broker cannot start with (or a topic config it cannot accept): names the key,
 * the value it was given and what it expects, so the message alone tells the user what to fix.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** Stable code for programs that catch it. */
  readonly code = 'SKEIN_CONFIG_INVALID';
  /** The configuration key at fault, when there is one. */
  readonly key: string | undefined;
  /** The offending value as written, when there is one. */
  readonly value: string | undefined;
  /** What would have been accepted, in words. */
  readonly expected: string | undefined;

  constructor(message: string, detail: { key?: string; value?: string; expected?: string } = {}) {
    super(message);
    this.key = detail.key;
    this.value = detail.value;
    this.expected = detail.expected;
  }

  /** `Invalid value "x" for configuration k: expected …` — the common shape. */
  static invalidValue(key: string, value: string, expected: string, origin?: string): ConfigError {
    const from = origin ? ` (${origin})` : '';
    return new ConfigError(`Invalid value ${JSON.stringify(value)} for configuration ${key}${from}: expected ${expected}`, { key, value, expected });
  }
}
