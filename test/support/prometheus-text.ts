/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests that scrape
 * `/metrics`: every line must be a `# HELP`, a `# TYPE`, a blank line or a sample
 * `name{label="value",…} value`; anything else throws, so a test that parses has checked the format.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3])) throw new Error(`line ${i + 1}: unknown type ${meta[3]}`);
        types.set(meta[2], meta[3]);
      } else {
        help.set(meta[2], meta[3]);
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`line ${i + 1} is not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2] !== undefined && m[2] !== '') {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const start = LABEL.lastIndex;
        const l = LABEL.exec(m[2]);
        if (l === null || LABEL.lastIndex === start) throw new Error(`line ${i + 1}: bad labels ${m[2]}`);
        labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    const v = m[3];
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case.
    const value = /^nan$/i.test(v) ? Number.NaN : /^\+?inf$/i.test(v) ? Number.POSITIVE_INFINITY : /^-inf$/i.test(v) ? Number.NEGATIVE_INFINITY : Number(v);
    if (Number.isNaN(value) && !/^nan$/i.test(v)) throw new Error(`line ${i + 1}: bad value ${v}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, help, samples };
}

/** The samples of one metric, optionally with some labels fixed. */
export function samplesOf(e: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
