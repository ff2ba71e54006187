import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseOverride, parseOverrides, parseProperties } from './properties.js';

const parse = (text: string) => Object.fromEntries(parseProperties(text));

describe('parseProperties', () => {
  it('reads the three separators and blanks around them', () => {
    expect(parse('a=1\nb: 2\nc 3\nd   =   4\ne\t:\t5\nf:=6\ng = = 7')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '=6',
      g: '= 7',
    });
  });

  it('skips # and ! comments and blank lines, even when indented', () => {
    expect(parse('# one\n  ! two\n\n   \n\tkey=value # not a comment')).toEqual({ key: 'value # not a comment' });
  });

  it('gives a key with no value the empty string', () => {
    expect(parse('lonely\nspaced   \nsep=')).toEqual({ lonely: '', spaced: '', sep: '' });
  });

  it('drops leading blanks of a line but keeps trailing blanks of a value', () => {
    expect(parseProperties('   key = value  ').get('key')).toBe('value  ');
  });

  it("joins continuation lines, dropping the next line's leading blanks", () => {
    const text = 'listeners=PLAINTEXT://:9092,\\\n          PLAINTEXT2://:9093\nnext=1';
    expect(parse(text)).toEqual({ listeners: 'PLAINTEXT://:9092,PLAINTEXT2://:9093', next: '1' });
  });

  it('continues over several lines and keeps a # that starts a continuation line', () => {
    expect(parse('a=1\\\n  2\\\n  #3')).toEqual({ a: '12#3' });
  });

  it('does not continue a comment line that ends in a backslash', () => {
    expect(parse('# comment \\\nb=1')).toEqual({ b: '1' });
  });

  it('treats an even number of trailing backslashes as escaped backslashes, not a continuation', () => {
    expect(parse('dir=C:\\\\\nnext=1')).toEqual({ dir: 'C:\\', next: '1' });
  });

  it('ends a continuation at an empty line', () => {
    expect(parse('a=x\\\n\nb=y')).toEqual({ a: 'x', b: 'y' });
  });

  it('drops a backslash on the very last line', () => {
    expect(parse('a=x\\')).toEqual({ a: 'x' });
  });

  it('understands \\t \\n \\r \\f \\uXXXX and escapes of any other character', () => {
    expect(parseProperties('v=a\\tb\\nc\\rd\\fe\\u0041\\u00e9\\q\\\\').get('v')).toBe('a\tb\nc\rd\feAéq\\');
  });

  it('lets escaped separators and blanks be part of a key', () => {
    expect(parse('a\\=b=c\nx\\:y:z\nsp\\ ace=1')).toEqual({ 'a=b': 'c', 'x:y': 'z', 'sp ace': '1' });
  });

  it('accepts \\r\\n and \\r line endings', () => {
    expect(parse('a=1\r\nb=2\rc=3')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('lets a later duplicate key win', () => {
    expect(parse('a=1\na=2')).toEqual({ a: '2' });
  });

  it('ignores a leading byte order mark', () => {
    expect(parse('\uFEFFbroker.id=3')).toEqual({ 'broker.id': '3' });
  });

  it('rejects a malformed \\u escape, naming the line', () => {
    expect(() => parseProperties('ok=1\nbad=\\u12G4')).toThrowError(/line 2.*\\u12G4/);
    expect(() => parseProperties('bad=\\u12')).toThrow(ConfigError);
  });

  it('reads a Kafka KRaft server.properties', () => {
    const text = [
      '############################# Server Basics #############################',
      'process.roles=broker,controller',
      'node.id=1',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
      'log.dirs=/tmp/kraft-combined-logs',
    ].join('\n');
    expect(parse(text)).toEqual({
      'process.roles': 'broker,controller',
      'node.id': '1',
      listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      'log.dirs': '/tmp/kraft-combined-logs',
    });
  });
});

describe('parseOverride', () => {
  it('splits at the first =', () => {
    expect(parseOverride('log.retention.hours=24')).toEqual({ key: 'log.retention.hours', value: '24' });
    expect(parseOverride('listeners=PLAINTEXT://a=b:1')).toEqual({ key: 'listeners', value: 'PLAINTEXT://a=b:1' });
    expect(parseOverride('cluster.id=')).toEqual({ key: 'cluster.id', value: '' });
  });

  it.each(['log.retention.hours', '=24', ' =24', 'two words=1', ''])('rejects %j with an example of the right form', (arg) => {
    expect(() => parseOverride(arg)).toThrowError(/Malformed --override .*expected key=value, e\.g\. --override log\.retention\.hours=24/);
  });

  it('lets a later override of the same key win', () => {
    expect(Object.fromEntries(parseOverrides(['a=1', 'b=2', 'a=3']))).toEqual({ a: '3', b: '2' });
  });
});
