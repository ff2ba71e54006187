import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { LineMessageReader, lineReaderConfig } from './line-message-reader.js';

describe('LineMessageReader', () => {
  it('sends the whole line as the value by default', () => {
    const r = new LineMessageReader(lineReaderConfig([]));
    expect(r.read('a\tb')).toEqual({ key: null, value: 'a\tb' });
    expect(r.read('')).toEqual({ key: null, value: '' });
  });

  it('splits at the first separator with parse.key, tab by default', () => {
    const tab = new LineMessageReader(lineReaderConfig(['parse.key=true']));
    expect(tab.read('k\tv\tw')).toEqual({ key: 'k', value: 'v\tw' });
    const colon = new LineMessageReader(lineReaderConfig(['parse.key=TRUE', 'key.separator=::']));
    expect(colon.read('k::v::w')).toEqual({ key: 'k', value: 'v::w' });
    expect(colon.read('::v')).toEqual({ key: '', value: 'v' });
  });

  it('rejects a line without the separator, naming the line, unless ignore.error', () => {
    const r = new LineMessageReader(lineReaderConfig(['parse.key=true', 'key.separator=:']));
    expect(r.read('a:1')).toEqual({ key: 'a', value: '1' });
    expect(() => r.read('no separator')).toThrow(new CliError("No key separator found on line number 2: 'no separator'"));
    const lenient = new LineMessageReader(lineReaderConfig(['parse.key=true', 'key.separator=:', 'ignore.error=true']));
    expect(lenient.read('plain')).toEqual({ key: null, value: 'plain' });
  });

  it('turns the null marker into null', () => {
    const r = new LineMessageReader(lineReaderConfig(['parse.key=true', 'key.separator=:', 'null.marker=<null>']));
    expect(r.read('k:<null>')).toEqual({ key: 'k', value: null });
    expect(r.read('<null>:v')).toEqual({ key: null, value: 'v' });
  });

  it('refuses unknown and malformed properties', () => {
    expect(() => lineReaderConfig(['parse.kee=true'])).toThrow(/Unknown --property parse.kee/);
    expect(() => lineReaderConfig(['parse.key'])).toThrow(/expected key=value/);
    expect(() => lineReaderConfig(['key.separator='])).toThrow(/cannot be empty/);
  });
});
