import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvScanner, CsvSyntaxError, scanCsv, scanCsvBuffer, type CsvRecord, type CsvScanOptions } from '../../src/io/csv-scanner.ts';
import { chunksOf } from '../helpers.ts';
import { mulberry32 } from '../../src/table/mulberry32.ts';

const enc = new TextEncoder();

interface Scanned {
  header: string[] | null;
  rows: string[][];
  lines: number[];
  count: number;
}

/** Options that record every field's text and every record's line into `out`. */
function recorder(out: Scanned, delimiter?: number): CsvScanOptions {
  return {
    delimiter,
    onHeader(header) {
      out.header = header;
      return (rec: CsvRecord) => {
        const row: string[] = [];
        for (let i = 0; i < rec.count; i++) row.push(rec.text(i));
        out.rows.push(row);
        out.lines.push(rec.line);
      };
    },
  };
}

const empty = (): Scanned => ({ header: null, rows: [], lines: [], count: 0 });

/** Scans the chunks synchronously through {@link CsvScanner}. */
function scanChunks(chunks: Iterable<Uint8Array>, delimiter?: number): Scanned {
  const out = empty();
  const scanner = new CsvScanner(recorder(out, delimiter));
  for (const c of chunks) scanner.push(c);
  out.count = scanner.end();
  return out;
}

async function scanAsync(chunks: Iterable<Uint8Array>, delimiter?: number): Promise<Scanned> {
  async function* gen() {
    for (const c of chunks) yield c;
  }
  const out = empty();
  out.count = await scanCsv(gen(), recorder(out, delimiter));
  return out;
}

/** The bytes split at the given offsets (copied, so no chunk shares memory with another). */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  return out;
}

/** csv-parse's reading of the text: header row first, then data rows. */
function reference(text: string, delimiter = ','): string[][] {
  return parse(text, {
    bom: true,
    delimiter,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  }) as string[][];
}

/** 1-based physical line of a character offset: CRLF, LF and a lone CR each end a line. */
function lineAt(text: string, offset: number): number {
  return 1 + (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0);
}

// Quotes, embedded delimiters and line breaks, "" escapes, empty fields, blank lines (LF and CRLF),
// multi-byte characters, a trailing delimiter, and no newline at the end.
const TRICKY =
  'id,name,value,note\r\n' + // 1
  '1,"Smith, John",22722446.5,"said ""hi"""\n' + // 2
  '2,镓 gallium,-0.25,"line1\nline2\r\nline3"\n' + // 3–5
  '\n' + // 6
  '3,,1e3,é\r\n' + // 7
  '"4","",12.,"a,b"\n' + // 8
  '\r\n' + // 9
  '5,"x""",  7 ,"\r\n"\n' + // 10–11
  '6,naïve ""q"",0.1,\n' + // 12
  '7,last,115969.976,"no newline at end 😀"'; // 13
const TRICKY_LINES = [2, 3, 7, 8, 10, 12, 13];

describe('scanCsv: agreement with csv-parse', () => {
  const bytes = enc.encode(TRICKY);
  const ref = reference(TRICKY);

  it('reads the tricky file in one buffer', () => {
    const out = empty();
    out.count = scanCsvBuffer(bytes, recorder(out));
    expect(out.header).toEqual(ref[0]);
    expect(out.rows).toEqual(ref.slice(1));
    expect(out.lines).toEqual(TRICKY_LINES);
    expect(out.count).toBe(7);
    expect(out.rows[1][1]).toBe('镓 gallium');
    expect(out.rows[5][1]).toBe('naïve ""q""'); // quotes inside an unquoted field are literal
  });

  it('gives the same answer for every split into two chunks', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out = await scanAsync(splitAt(bytes, [cut]));
      expect(out.header, `cut ${cut}`).toEqual(ref[0]);
      expect(out.rows, `cut ${cut}`).toEqual(ref.slice(1));
      expect(out.lines, `cut ${cut}`).toEqual(TRICKY_LINES);
    }
  });

  it('gives the same answer in 1-byte chunks', async () => {
    const out = await scanAsync(chunksOf(bytes, 1));
    expect(out.header).toEqual(ref[0]);
    expect(out.rows).toEqual(ref.slice(1));
    expect(out.lines).toEqual(TRICKY_LINES);
    expect(out.count).toBe(7);
  });

  it('gives the same answer for every split into three chunks', () => {
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 2) {
        const out = scanChunks(splitAt(bytes, [a, b]));
        expect(out.rows, `cuts ${a},${b}`).toEqual(ref.slice(1));
        expect(out.lines, `cuts ${a},${b}`).toEqual(TRICKY_LINES);
      }
    }
  });
});

describe('scanCsv: BOM and line endings', () => {
  const body = enc.encode('a,b\n1,2\n');
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...body]);

  it('strips a UTF-8 BOM, whole or split across chunks', () => {
    for (let a = 0; a <= 4; a++) {
      for (let b = a; b <= 5; b++) {
        const out = scanChunks(splitAt(withBom, [a, b]));
        expect(out.header, `cuts ${a},${b}`).toEqual(['a', 'b']);
        expect(out.rows).toEqual([['1', '2']]);
      }
    }
    expect(scanChunks(chunksOf(withBom, 1)).header).toEqual(['a', 'b']);
  });

  it('keeps short inputs and non-BOM first bytes intact', () => {
    expect(scanChunks([enc.encode('a')]).header).toEqual(['a']);
    expect(scanChunks([enc.encode('ab')]).header).toEqual(['ab']);
    expect(scanChunks(chunksOf('ab,c\n1,2', 1)).rows).toEqual([['1', '2']]);
    expect(scanChunks([new Uint8Array([0xef, 0xbb, 0xbf])]).header).toBeNull();
    expect(scanChunks([]).header).toBeNull();
    expect(scanChunks([new Uint8Array(0), new Uint8Array(0)]).count).toBe(0);
    const é = scanChunks([new Uint8Array([0xc3]), new Uint8Array([0xa9, 0x0a, 0x31])]);
    expect(é.header).toEqual(['é']);
    expect(é.rows).toEqual([['1']]);
  });

  it('treats CRLF split across chunks as one line break', () => {
    const out = scanChunks([enc.encode('a,b\r'), enc.encode('\n1,2\r'), enc.encode('\n\r'), enc.encode('\n3,4\r'), enc.encode('\n')]);
    expect(out.rows).toEqual([['1', '2'], ['3', '4']]);
    expect(out.lines).toEqual([2, 4]);
  });

  it('treats a lone CR as a line break', () => {
    const out = scanChunks([enc.encode('a,b\r1,2\r\r3,"x\ry"\r4,5')]);
    expect(out.rows).toEqual([['1', '2'], ['3', 'x\ry'], ['4', '5']]);
    expect(out.lines).toEqual([2, 4, 6]);
  });

  it('keeps the line number of a record after quoted line breaks', () => {
    const out = scanChunks([enc.encode('h\n"a\n\nb"\nnext\n')]);
    expect(out.rows).toEqual([['a\n\nb'], ['next']]);
    expect(out.lines).toEqual([2, 5]);
  });

  it('counts blank lines before the header', () => {
    const out = scanChunks([enc.encode('\n\r\nh1,h2\nx,y\n')]);
    expect(out.header).toEqual(['h1', 'h2']);
    expect(out.lines).toEqual([4]);
  });

  it('handles a trailing delimiter, quoted empty lines and a custom delimiter', () => {
    expect(scanChunks([enc.encode('a,b\n1,\n""\n,\n2,')]).rows).toEqual([['1', ''], [''], ['', ''], ['2', '']]);
    expect(scanChunks([enc.encode('a;b\n"x;y";2\n')], 0x3b).rows).toEqual([['x;y', '2']]);
    expect(scanChunks([enc.encode('a\tb\n1,5\t2\n')], 0x09).rows).toEqual([['1,5', '2']]);
  });

  it('keeps bytes after a closing quote as part of the field', () => {
    expect(scanChunks([enc.encode('a,b\n"x"y,2\n"1" ,3\n')]).rows).toEqual([['x"y', '2'], ['1" ', '3']]);
  });

  it('grows its offset arrays for wide records, also across chunks', () => {
    const wide = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? `"q${i}"` : `f${i}`));
    const text = `h\n1,2\n${wide.join(',')}\n3\n${wide.join(',')},\n`;
    const want = [['1', '2'], wide.map((f) => f.replaceAll('"', '')), ['3'], [...wide.map((f) => f.replaceAll('"', '')), '']];
    expect(scanChunks([enc.encode(text)]).rows).toEqual(want);
    expect(scanChunks(chunksOf(text, 1)).rows).toEqual(want);
    expect(scanChunks(chunksOf(text, 97)).rows).toEqual(want);
  });

  it('carries a record longer than many chunks', () => {
    const long = 'x'.repeat(100_000);
    const text = `h,i\n"${long}\n${long}",${long}\nend,1\n`;
    const out = scanChunks(chunksOf(text, 4096));
    expect(out.rows).toEqual([[`${long}\n${long}`, long], ['end', '1']]);
    expect(out.lines).toEqual([2, 4]);
  });
});

describe('CsvRecord accessors', () => {
  /** Runs `fn` on the single data record of a one-column file holding `field` (as written, unquoted unless quoted in it). */
  function withField<T>(field: string, fn: (rec: CsvRecord) => T): T {
    let result: T | undefined;
    scanCsvBuffer(enc.encode(`h,z\n${field},z\n`), { onHeader: () => (rec) => (result = fn(rec)) });
    return result as T;
  }

  it('number() equals Number() on plain decimals and exponents', () => {
    const cases = [
      '22722446.5', '0.1', '115969.976', '-3', ' 7 ', '1e-3', '1.5E+4', '12.', '1e3', '-0.25', '0', '-0', '+5',
      '.5', '-.5', '007', '0.30000000000000004', '123456789.123456789', '9007199254740993', '12345678901234567890',
      '1e22', '1e23', '4.35e-7', '1e400', '1e-400', '1.7976931348623157e308', '5e-324', '\t-1.5e-3  ', '0e999',
      '2.2250738585072014e-308', '100000000000000000000000.5', '3.14159265358979323846', '0.000001', '1E5',
    ];
    for (const s of cases) expect(withField(s, (r) => r.number(0)), s).toBe(Number(s)); // toBe uses Object.is: -0 counts
    for (const s of cases) expect(withField(`"${s}"`, (r) => r.number(0)), `"${s}"`).toBe(Number(s));
  });

  it('number() is NaN for empty, absent and non-decimal fields', () => {
    for (const s of ['', ' ', 'abc', 'NA', 'NaN', '1,5', '1.2.3', 'e5', '1e', '1e+', '--1', '-', '.', '+', '12abc', '0x10', 'Infinity', '1 2', '- 5']) {
      expect(withField(s.includes(',') ? `"${s}"` : s, (r) => r.number(0)), s).toBeNaN();
    }
    expect(withField('1', (r) => r.number(5))).toBeNaN();
    expect(withField('1', (r) => r.number(-1))).toBeNaN();
  });

  it('int() parses integers from bytes', () => {
    const cases: [string, number][] = [
      ['012', 12], ['+5', 5], ['-3', -3], [' 7 ', 7], ['0', 0], ['-0', 0], ['842', 842], ['"156"', 156],
      ['12345678901234567890', 12345678901234567890],
    ];
    for (const [s, v] of cases) expect(withField(s, (r) => r.int(0)), s).toBe(v);
    for (const s of ['', ' ', '1.0', '1e3', 'abc', '-', '+', '12a', '1 2']) expect(withField(s, (r) => r.int(0)), s).toBeNaN();
    expect(withField('1', (r) => r.int(9))).toBeNaN();
  });

  it('text(), quoted(), isEmpty(), equals(), start() and end()', () => {
    let seen = 0;
    scanCsvBuffer(enc.encode('a,b,c,d\n"x""y",,"",ab\n'), {
      onHeader: () => (rec) => {
        seen++;
        expect(rec.count).toBe(4);
        expect([0, 1, 2, 3].map((i) => rec.text(i))).toEqual(['x"y', '', '', 'ab']);
        expect([0, 1, 2, 3].map((i) => rec.quoted(i))).toEqual([true, false, true, false]);
        expect([0, 1, 2, 3, 4].map((i) => rec.isEmpty(i))).toEqual([false, true, true, false, true]);
        expect(rec.equals(3, enc.encode('ab'))).toBe(true);
        expect(rec.equals(3, enc.encode('abc'))).toBe(false);
        expect(rec.equals(1, new Uint8Array(0))).toBe(true);
        expect(rec.equals(7, new Uint8Array(0))).toBe(false);
        expect(rec.equals(0, enc.encode('x""y'))).toBe(true); // raw bytes, not unescaped
        expect(new TextDecoder().decode(rec.buf.subarray(rec.start(3), rec.end(3)))).toBe('ab');
        expect(rec.end(0) - rec.start(0)).toBe(4);
        expect([rec.text(4), rec.text(-1), rec.start(4), rec.end(4), rec.quoted(4)]).toEqual(['', '', 0, 0, false]);
      },
    });
    expect(seen).toBe(1);
  });

  it('text() decodes long and multi-byte fields', () => {
    const long = 'gallium 镓 germanium é 😀 '.repeat(20);
    expect(withField(long, (r) => r.text(0))).toBe(long);
    expect(withField(`"${long.replaceAll(' ', '""')}"`, (r) => r.text(0))).toBe(long.replaceAll(' ', '"'));
  });
});

describe('scanCsv: malformed input', () => {
  it('throws CsvSyntaxError naming the line of an unterminated quote', async () => {
    const text = 'a,b\n1,2\n3,"abc\ndef\n';
    let err: unknown;
    try {
      scanCsvBuffer(enc.encode(text), { onHeader: () => () => {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).line).toBe(3);
    expect((err as CsvSyntaxError).message).toMatch(/unterminated quoted field/);
    await expect(scanCsv(chunksOf(text, 2), { onHeader: () => () => {} })).rejects.toMatchObject({ name: 'CsvSyntaxError', line: 3 });
  });

  it('rejects a delimiter that cannot work', () => {
    expect(() => scanCsvBuffer(enc.encode('a'), { delimiter: 0x22, onHeader: () => () => {} })).toThrow(RangeError);
  });
});

/** A small seeded PRNG, so failures reproduce. */
const prng = mulberry32;

describe('scanCsv: randomized agreement with csv-parse', () => {
  const PIECES = ['a', 'b', 'Z', '0', '7', '.', '-', ' ', '"', '""', ',', ';', '\t', '\n', '\r\n', '\r', 'é', '镓', '😀', 'xyz', '12.5'];

  it('matches csv-parse on 200 random files split at random places', () => {
    const rnd = prng(20240611);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    for (let fileNo = 0; fileNo < 200; fileNo++) {
      const delimiter = pick([',', ',', ';', '\t']);
      const eol = () => (rnd() < 0.7 ? '\n' : '\r\n');
      let text = rnd() < 0.2 ? '\ufeff' : '';
      const starts: number[] = [];
      const rows = 1 + Math.floor(rnd() * 25);
      for (let r = 0; r < rows; r++) {
        if (r > 0 && rnd() < 0.1) text += eol(); // a blank line
        const nFields = 1 + Math.floor(rnd() * 7);
        const fields: string[] = [];
        for (let f = 0; f < nFields; f++) {
          let v = '';
          const len = Math.floor(rnd() * 6);
          for (let k = 0; k < len; k++) v += pick(PIECES);
          const mustQuote = /[",;\t\r\n]/.test(v) || (nFields === 1 && v === '');
          fields.push(mustQuote || rnd() < 0.2 ? `"${v.replaceAll('"', '""')}"` : v);
        }
        starts.push(text.length);
        text += fields.join(delimiter);
        if (r < rows - 1 || rnd() < 0.5) text += eol();
      }
      const bom = text.startsWith('\ufeff') ? 1 : 0;
      const want = reference(text, delimiter);
      const wantLines = starts.map((s) => lineAt(text.slice(bom), s - bom));

      const bytes = enc.encode(text);
      const cuts = Array.from({ length: Math.floor(rnd() * 8) }, () => Math.floor(rnd() * (bytes.length + 1))).sort((x, y) => x - y);
      const out = scanChunks(splitAt(bytes, cuts), delimiter.charCodeAt(0));
      const ctx = `file ${fileNo}, cuts ${cuts.join(',')}: ${JSON.stringify(text)}`;
      expect(out.header, ctx).toEqual(want[0]);
      expect(out.rows, ctx).toEqual(want.slice(1));
      expect(out.lines, ctx).toEqual(wantLines.slice(1));
      expect(out.count, ctx).toBe(want.length - 1);
    }
  });
});

describe('CsvScanner: a record callback\'s prefix test', () => {
  /** Records as [line, fields…] with a prefix test on field 1 (`drop` skips), and the lines the test skipped. */
  function scanWithPrefix(text: string, chunk: number) {
    const kept: string[][] = [];
    const skipped: number[] = [];
    const scanner = new CsvScanner({
      onHeader: () =>
        Object.assign((rec: CsvRecord) => kept.push([String(rec.line), ...Array.from({ length: rec.count }, (_, i) => rec.text(i))]), {
          prefix: {
            fields: 2,
            skip: (rec: CsvRecord) => {
              if (rec.text(1) !== 'drop') return false;
              skipped.push(rec.line);
              return true;
            },
          },
        }),
    });
    for (const c of chunksOf(new TextEncoder().encode(text), chunk)) scanner.push(c);
    const n = scanner.end();
    return { kept, skipped, n };
  }

  it.each([1, 3, 7, 1 << 20])('skips a line whose rest holds no quote and no lone CR, and hands over every other record whole (chunks of %i bytes)', (chunk) => {
    const text = [
      'a,b,c,d',
      '1,drop,x,y', // skipped
      '2,keep,x,y',
      '3,drop,"has, a quote",y', // a quote in the rest: handed over whole
      '4,drop,"spans\nlines",y', // a line break inside quotes in the rest: whole, two lines
      '6,drop,x,y\r', // CRLF: skipped
      '7,drop,x\ry', // a lone CR ends the record early: not skipped here
      '8,drop', // no field after the prefix: handed over
      '9,drop,x,y',
    ].join('\n');
    const { kept, skipped, n } = scanWithPrefix(text, chunk);
    // the fast path sees whole lines only within a chunk: with small chunks the byte scanner reads most of them,
    // unskipped; with one chunk, lines 2 and 7 (CRLF) are skipped, and the last line (no line feed) is read whole
    if (chunk >= text.length) expect(skipped).toEqual([2, 7]);
    expect(n).toBe(9);
    const byLine = new Map(kept.map((r) => [r[0], r.slice(1)]));
    expect(byLine.get('3')).toEqual(['2', 'keep', 'x', 'y']);
    expect(byLine.get('4')).toEqual(['3', 'drop', 'has, a quote', 'y']);
    expect(byLine.get('5')).toEqual(['4', 'drop', 'spans\nlines', 'y']);
    expect(byLine.get('8')).toEqual(['7', 'drop', 'x']);
    expect(byLine.get('9')).toEqual(['y']);
    expect(byLine.get('10')).toEqual(['8', 'drop']);
    expect(byLine.get('11') ?? skipped.includes(11)).toBeTruthy();
    // every record is either kept or skipped, once
    expect(kept.length + skipped.length).toBe(n);
  });
});
