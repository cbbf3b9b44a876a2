/**
 * Streaming byte-level RFC 4180 CSV scanner: records are handed out as byte ranges over the input
 * (or over a small carry buffer for records that straddle chunks), so the hot path allocates nothing
 * per row and decodes nothing unless a field's text is asked for.
 */

/** One record as byte ranges over a shared buffer; valid only during the callback. */
export interface CsvRecord {
  /** Bytes the offsets point into (the input chunk, or the carry buffer); do not keep or modify. */
  readonly buf: Uint8Array;
  /** Number of fields in this record. */
  readonly count: number;
  /** 1-based physical line number where the record starts (the header is line 1 unless blank lines precede it). */
  readonly line: number;
  /** Byte offset of field i's content (after an opening quote, if quoted); 0 for i outside [0, count). */
  start(i: number): number;
  /** Byte offset one past field i's content (before the closing quote); 0 for i outside [0, count). */
  end(i: number): number;
  /** True when field i was quoted (its bytes may then contain `""` escapes). */
  quoted(i: number): boolean;
  /** Decoded UTF-8 text of field i with `""` unescaped in quoted fields; '' for i outside [0, count). */
  text(i: number): string;
  /** True when field i is absent or zero-length (a whitespace-only field is not empty). */
  isEmpty(i: number): boolean;
  /** Byte compare of field i's raw content with `ascii` (no decoding, no unescaping). */
  equals(i: number, ascii: Uint8Array): boolean;
  /** Field i as a decimal number parsed from bytes (same value as Number(text)); NaN when empty, absent or not a decimal. */
  number(i: number): number;
  /** Field i as an integer (optional sign, digits, surrounding spaces allowed); NaN when empty, absent or not an integer. */
  int(i: number): number;
}

/** Options of {@link scanCsv}. */
/**
 * A record callback may carry a prefix test: after the first `fields` fields of a record, `skip` is asked
 * whether the record can be dropped unread (it counts it itself). The scanner asks only on its fast path, when
 * the rest of the line holds no quote and no lone CR — so the record certainly ends at that line feed — and then
 * moves on without splitting the rest. A layout that filters rows by an early field (the product code) spares the
 * dropped rows most of the scan; the record it does not skip is handed over whole, as without the test.
 */
export interface RecordPrefixTest {
  fields: number;
  skip(rec: CsvRecord): boolean;
}

export interface CsvScanOptions {
  /** Field delimiter byte; default 0x2c ','. */
  delimiter?: number;
  /** Called once with the decoded header fields (BOM stripped); returns the per-record callback. */
  onHeader(header: string[]): (rec: CsvRecord) => void;
  /**
   * The input has no header line: these are its fields, and every record is data (a byte range after
   * the header, scanned on its own). `onHeader` is called with them at once; no BOM is looked for.
   */
  header?: readonly string[];
}

/** Error thrown on malformed CSV (an unterminated quoted field), with the line where it starts. */
export class CsvSyntaxError extends Error {
  /** 1-based physical line of the offending opening quote. */
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.line = line;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

// Scanner states, kept across chunk boundaries.
const FIELD = 0; // before the first byte of a field
const UNQUOTED = 1; // inside an unquoted field (or the tolerated tail after a stray closing quote)
const QUOTED = 2; // inside a quoted field
const QUOTE_SEEN = 3; // just after a quote inside a quoted field: an escape or the closing quote
const AFTER_CR = 4; // a record ended on CR: swallow one LF that follows

const decoder = new TextDecoder();
const bufferIndexOf = Buffer.prototype.indexOf;
/** First index of `byte` in buf at or after `from`, or -1: Node's memchr, far faster than Uint8Array's indexOf on long runs. */
function indexOfByte(buf: Uint8Array, byte: number, from: number): number {
  return bufferIndexOf.call(buf, byte, from);
}
/** The next `byte` at or after `from` below `end`, or the largest int32 when there is none. */
function nextByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  const k = indexOfByte(buf, byte, from);
  return k < 0 || k >= end ? 0x7fffffff : k;
}
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Largest chunk handed to the scanner at once, so byte offsets always fit an Int32Array. */
const MAX_SPAN = 1 << 30;

class ScanRecord implements CsvRecord {
  buf: Uint8Array = new Uint8Array(0);
  count = 0;
  line = 0;
  constructor(
    public starts: Int32Array,
    public ends: Int32Array,
    public quotes: Uint8Array,
  ) {}

  start(i: number): number {
    return i >>> 0 < this.count ? this.starts[i] : 0;
  }

  end(i: number): number {
    return i >>> 0 < this.count ? this.ends[i] : 0;
  }

  quoted(i: number): boolean {
    return i >>> 0 < this.count && this.quotes[i] === 1;
  }

  isEmpty(i: number): boolean {
    return i >>> 0 >= this.count || this.starts[i] === this.ends[i];
  }

  text(i: number): string {
    if (i >>> 0 >= this.count) return '';
    const s = this.starts[i];
    const e = this.ends[i];
    const str = bytesToString(this.buf, s, e);
    return this.quotes[i] === 1 && str.includes('"') ? str.replaceAll('""', '"') : str;
  }

  equals(i: number, ascii: Uint8Array): boolean {
    if (i >>> 0 >= this.count) return false;
    const s = this.starts[i];
    const n = ascii.length;
    if (this.ends[i] - s !== n) return false;
    const buf = this.buf;
    for (let k = 0; k < n; k++) if (buf[s + k] !== ascii[k]) return false;
    return true;
  }

  number(i: number): number {
    if (i >>> 0 >= this.count) return NaN;
    const buf = this.buf;
    let s = this.starts[i];
    let e = this.ends[i];
    while (s < e && isSpace(buf[s])) s++;
    while (e > s && isSpace(buf[e - 1])) e--;
    if (s === e) return NaN;
    let p = s;
    let c = buf[p];
    const neg = c === 0x2d;
    if (neg || c === 0x2b) p++;
    let m = 0;
    let digits = 0;
    let frac = 0;
    while (p < e && (c = buf[p] - 0x30) >= 0 && c <= 9) {
      m = m * 10 + c;
      p++;
      digits++;
    }
    if (p < e && buf[p] === 0x2e) {
      p++;
      while (p < e && (c = buf[p] - 0x30) >= 0 && c <= 9) {
        m = m * 10 + c;
        p++;
        frac++;
      }
    }
    if (digits + frac === 0) return NaN;
    let exp = 0;
    if (p < e && (buf[p] | 0x20) === 0x65) {
      p++;
      const expNeg = p < e && buf[p] === 0x2d;
      if (p < e && (expNeg || buf[p] === 0x2b)) p++;
      const expStart = p;
      while (p < e && (c = buf[p] - 0x30) >= 0 && c <= 9) {
        if (exp < 1e6) exp = exp * 10 + c; // clamped: such exponents go through Number() anyway
        p++;
      }
      if (p === expStart) return NaN;
      if (expNeg) exp = -exp;
    }
    if (p !== e) return NaN;
    // Clinger's fast path: an exact mantissa times/over an exact power of ten rounds correctly once.
    const k = exp - frac;
    let v: number;
    if (m === 0) v = 0;
    else if (m > Number.MAX_SAFE_INTEGER || k < -22 || k > 22) v = Number(bytesToString(buf, s, e));
    else if (k < 0) v = m / POW10[-k];
    else v = m * POW10[k];
    return neg ? -v : v;
  }

  int(i: number): number {
    if (i >>> 0 >= this.count) return NaN;
    const buf = this.buf;
    let s = this.starts[i];
    let e = this.ends[i];
    while (s < e && isSpace(buf[s])) s++;
    while (e > s && isSpace(buf[e - 1])) e--;
    let p = s;
    const neg = p < e && buf[p] === 0x2d;
    if (p < e && (neg || buf[p] === 0x2b)) p++;
    if (p === e) return NaN;
    let v = 0;
    for (; p < e; p++) {
      const d = buf[p] - 0x30;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    if (v > Number.MAX_SAFE_INTEGER) v = Math.abs(Number(bytesToString(buf, s, e))); // correctly rounded
    return neg ? 0 - v : v;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === CR || c === LF;
}

/** UTF-8 text of buf[s, e); short ASCII runs are built directly because TextDecoder has a high per-call cost. */
function bytesToString(buf: Uint8Array, s: number, e: number): string {
  if (e - s <= 16) {
    let str = '';
    for (let p = s; p < e; p++) {
      const c = buf[p];
      if (c >= 0x80) return decoder.decode(buf.subarray(s, e));
      str += String.fromCharCode(c);
    }
    return str;
  }
  return decoder.decode(buf.subarray(s, e));
}

/**
 * Push-style CSV scanner behind {@link scanCsv}: feed chunks with `push`, then call `end` once;
 * use it where chunks arrive as events rather than as an iterable.
 */
export class CsvScanner {
  private readonly delim: number;
  private readonly onHeader: CsvScanOptions['onHeader'];
  private onRecord: ((rec: CsvRecord) => void) | null = null;
  /** The record callback's prefix test (0 fields: none). */
  private prefixFields = 0;
  private prefixSkip: ((rec: CsvRecord) => boolean) | null = null;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private quotes = new Uint8Array(64);
  private readonly rec = new ScanRecord(this.starts, this.ends, this.quotes);
  /** Bytes of the record in progress when it straddles chunks: carry[0, carryLen). */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** First bytes of the input while fewer than 3 have arrived (to recognise a split BOM); null once checked. */
  private head: Uint8Array | null = new Uint8Array(0);
  private state = FIELD;
  private nf = 0;
  private line = 1;
  private recLine = 1;
  private recStart = 0;
  private quoteLine = 0;
  private records = 0;
  private ended = false;

  constructor(opts: CsvScanOptions) {
    this.delim = opts.delimiter ?? 0x2c;
    this.onHeader = opts.onHeader;
    if (this.delim === QUOTE || this.delim === LF || this.delim === CR) throw new RangeError('CSV delimiter cannot be a quote, CR or LF');
    if (opts.header) {
      this.head = null;
      this.setRecordCallback(this.onHeader([...opts.header]));
    }
  }

  private setRecordCallback(cb: ((rec: CsvRecord) => void) & { prefix?: RecordPrefixTest }): void {
    this.onRecord = cb;
    this.prefixFields = cb.prefix && cb.prefix.fields > 0 ? cb.prefix.fields : 0;
    this.prefixSkip = cb.prefix?.skip ?? null;
  }

  /** Line breaks consumed so far (those inside quoted fields too): the line of the next byte is this + 1. */
  get lineBreaks(): number {
    return this.line - 1;
  }

  /** True when the bytes pushed so far end exactly at the end of a record (nothing open, nothing carried). */
  get atRecordEnd(): boolean {
    return this.carryLen === 0 && this.nf === 0 && this.state === FIELD && (this.head === null || this.head.length === 0);
  }

  /** Scans the next chunk; the chunk is not kept, so the caller may reuse it once this returns. */
  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('CsvScanner: push after end');
    if (this.head !== null) {
      const head: Uint8Array = this.head;
      if (head.length + chunk.length < 3) {
        const joined = new Uint8Array(head.length + chunk.length);
        joined.set(head);
        joined.set(chunk, head.length);
        this.head = joined;
        return;
      }
      this.head = null;
      const at = (k: number) => (k < head.length ? head[k] : chunk[k - head.length]);
      if (at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) chunk = chunk.subarray(3 - head.length);
      else if (head.length > 0) this.feed(head);
    }
    for (let off = 0; off < chunk.length; off += MAX_SPAN) this.feed(chunk.length <= MAX_SPAN ? chunk : chunk.subarray(off, off + MAX_SPAN));
  }

  /** Finishes the input (a last record without a newline counts) and returns the number of data records. */
  end(): number {
    if (this.ended) return this.records;
    if (this.head !== null && this.head.length > 0) {
      const head = this.head;
      this.head = null;
      this.feed(head);
    }
    this.ended = true;
    if (this.carryLen > 0) this.finish(this.carry, this.carryLen);
    return this.records;
  }

  private feed(chunk: Uint8Array): void {
    const n = chunk.length;
    let q = 0;
    // A record in progress continues in the carry: append the chunk one line at a time until it ends.
    while (this.carryLen > 0 && q < n) {
      let r = q;
      while (r < n) {
        const c = chunk[r++];
        if (c === LF || c === CR) break;
      }
      const from = this.carryLen;
      this.append(chunk, q, r);
      q = r;
      this.scan(this.carry, from, this.carryLen);
      // a record can only end on the last byte appended, so the carry is either done or still one record
      if (this.recStart >= this.carryLen) this.carryLen = 0;
    }
    if (q < n) {
      this.recStart = q;
      this.scan(chunk, q, n);
      if (this.recStart < n) this.keepTail(chunk, n);
    }
  }

  private append(src: Uint8Array, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (need > this.carry.length) {
      const bigger = new Uint8Array(Math.max(need, this.carry.length * 2, 4096));
      bigger.set(this.carry.subarray(0, this.carryLen));
      this.carry = bigger;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }

  /** Copies the record in progress, buf[recStart, end), into the carry and rebases its offsets to it. */
  private keepTail(buf: Uint8Array, end: number): void {
    const from = this.recStart;
    this.carryLen = 0;
    this.append(buf, from, end);
    const last = Math.min(this.nf, this.starts.length - 1);
    for (let i = 0; i <= last; i++) {
      this.starts[i] -= from;
      this.ends[i] -= from;
    }
    this.recStart = 0;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    const quotes = new Uint8Array(n);
    starts.set(this.starts);
    ends.set(this.ends);
    quotes.set(this.quotes);
    this.starts = this.rec.starts = starts;
    this.ends = this.rec.ends = ends;
    this.quotes = this.rec.quotes = quotes;
  }

  /** Hands a finished record to the header handler or the record callback (blank lines are skipped). */
  private emit(buf: Uint8Array, nf: number, line: number): void {
    if (nf === 1 && this.starts[0] === this.ends[0] && this.quotes[0] === 0) return;
    const rec = this.rec;
    rec.buf = buf;
    rec.count = nf;
    rec.line = line;
    if (this.onRecord !== null) {
      this.records++;
      this.onRecord(rec);
    } else {
      const header: string[] = [];
      for (let i = 0; i < nf; i++) header.push(rec.text(i));
      this.setRecordCallback(this.onHeader(header));
    }
  }

  /** Scans buf[p, end) from the saved state, emitting every record that ends inside it. */
  private scan(buf: Uint8Array, p: number, end: number): void {
    while (p < end) {
      if (this.state === FIELD && this.nf === 0) {
        p = this.scanLines(buf, p, end);
        if (p >= end) break;
      }
      p = this.scanBytes(buf, p, end);
    }
  }

  /**
   * The fast path, from a record start: whole records that end in buf[p, end) and have no line break inside
   * a quoted field, found line by line with memchr (so a quoted field costs one native call, not a loop over
   * its bytes). Returns where it stopped: `end`, or the start of a record it leaves to {@link scanBytes}.
   */
  private scanLines(buf: Uint8Array, p: number, end: number): number {
    const delim = this.delim;
    const hi = delim > CR ? delim : CR; // a byte above this is field content: one compare for most bytes
    let starts = this.starts;
    let ends = this.ends;
    let quotes = this.quotes;
    let line = this.line;
    let lf = -1; // the next LF at or after p
    let cr = -1; // the next CR at or after the last quoted field looked at (end when none)
    let c = 0;
    let pf = this.onRecord !== null ? this.prefixFields : 0; // set once the header is read
    let nq = -1; // for the prefix test: the next quote and the next CR at or after p (MAX when none)
    let ncr = -1;
    records: while (p < end) {
      if (lf < p) {
        lf = indexOfByte(buf, LF, p);
        if (lf < 0 || lf >= end) break; // the record goes on past this buffer
      }
      const recStart = p;
      let nf = 0;
      for (;;) {
        if (nf === starts.length) {
          this.grow();
          starts = this.starts;
          ends = this.ends;
          quotes = this.quotes;
        }
        if (buf[p] === QUOTE) {
          const s = p + 1;
          let q = s;
          for (;;) {
            q = indexOfByte(buf, QUOTE, q);
            // unterminated before the line ends, or a line break inside the quotes: counted by the byte scanner
            if (q < 0 || q > lf) {
              p = recStart;
              break records;
            }
            if (buf[q + 1] !== QUOTE) break; // q < lf, so q + 1 is inside the buffer
            q += 2;
          }
          if (cr < s) {
            cr = indexOfByte(buf, CR, s);
            if (cr < 0 || cr > end) cr = end;
          }
          if (cr < q) {
            p = recStart;
            break records;
          }
          quotes[nf] = 1;
          starts[nf] = s;
          ends[nf] = q;
          p = q + 1;
          c = buf[p];
          if (c !== delim && c !== LF && c !== CR) {
            // bytes after a closing quote are tolerated: the field runs on to the next delimiter
            while ((c = buf[++p]) > hi || (c !== delim && c !== LF && c !== CR));
            ends[nf] = p;
          }
          nf++;
        } else {
          quotes[nf] = 0;
          starts[nf] = p;
          while ((c = buf[p]) > hi || (c !== delim && c !== LF && c !== CR)) p++; // stops at lf at the latest
          ends[nf++] = p;
        }
        p++;
        if (c === delim) {
          if (nf === pf) {
            // the rest of the line holds no quote and no CR but the one of its CRLF: the record ends at lf
            if (nq < p) nq = nextByte(buf, QUOTE, p, end);
            if (ncr < p) ncr = nextByte(buf, CR, p, end);
            if (nq > lf && ncr >= lf - 1) {
              const rec = this.rec;
              rec.buf = buf;
              rec.count = nf;
              rec.line = line;
              if (this.prefixSkip!(rec)) {
                this.records++;
                line++;
                p = lf + 1;
                continue records;
              }
            }
          }
          continue;
        }
        if (c === CR && buf[p] === LF) p++; // p <= lf here
        break;
      }
      this.emit(buf, nf, line);
      pf = this.prefixFields;
      line++;
    }
    this.line = line;
    this.recLine = line;
    this.recStart = p;
    return p;
  }

  /**
   * The byte-by-byte state machine, from the saved state: runs until one record has ended (and a CR's
   * LF is swallowed) or the buffer ends, and returns where it stopped.
   */
  private scanBytes(buf: Uint8Array, p: number, end: number): number {
    const delim = this.delim;
    let starts = this.starts;
    let ends = this.ends;
    let quotes = this.quotes;
    let state = this.state;
    let nf = this.nf;
    let line = this.line;
    let recLine = this.recLine;
    let recStart = this.recStart;
    let c = 0;
    while (p < end) {
      if (state === FIELD) {
        if (nf === starts.length) {
          this.grow();
          starts = this.starts;
          ends = this.ends;
          quotes = this.quotes;
        }
        if (buf[p] === QUOTE) {
          quotes[nf] = 1;
          starts[nf] = ++p;
          state = QUOTED;
          this.quoteLine = line;
        } else {
          quotes[nf] = 0;
          starts[nf] = p;
          state = UNQUOTED;
        }
      }
      if (state === UNQUOTED) {
        while (p < end) {
          c = buf[p];
          if (c === delim || c === LF || c === CR) break;
          p++;
        }
        if (p === end) break;
        ends[nf++] = p;
      } else if (state === AFTER_CR) {
        if (buf[p] === LF) p++;
        recStart = p;
        state = FIELD;
        break;
      } else {
        if (state === QUOTED) {
          while (p < end) {
            c = buf[p];
            if (c === QUOTE) break;
            // CRLF, LF and a lone CR each count as one physical line break
            if (c === CR || (c === LF && buf[p - 1] !== CR)) line++;
            p++;
          }
          if (p === end) break;
          state = QUOTE_SEEN;
          if (++p === end) break;
        }
        c = buf[p];
        if (c === QUOTE) {
          p++;
          state = QUOTED;
          continue;
        }
        if (c !== delim && c !== LF && c !== CR) {
          // bytes after a closing quote are tolerated: the field runs on to the next delimiter
          state = UNQUOTED;
          continue;
        }
        ends[nf++] = p - 1;
      }
      // a field just ended at p, where c is its delimiter or line break
      p++;
      if (c === delim) {
        state = FIELD;
        continue;
      }
      line++;
      this.emit(buf, nf, recLine);
      nf = 0;
      recLine = line;
      recStart = p;
      state = c === CR ? AFTER_CR : FIELD;
      if (state === FIELD) break;
    }
    this.state = state;
    this.nf = nf;
    this.line = line;
    this.recLine = recLine;
    this.recStart = recStart;
    return p;
  }

  /** Ends the record left in buf[recStart, end) by the end of input. */
  private finish(buf: Uint8Array, end: number): void {
    switch (this.state) {
      case FIELD:
        if (this.nf === 0) return;
        if (this.nf === this.starts.length) this.grow();
        this.quotes[this.nf] = 0;
        this.starts[this.nf] = end; // a trailing delimiter leaves one more, empty field
        this.ends[this.nf++] = end;
        break;
      case UNQUOTED:
        this.ends[this.nf++] = end;
        break;
      case QUOTE_SEEN:
        this.ends[this.nf++] = end - 1;
        break;
      case QUOTED:
        throw new CsvSyntaxError('unterminated quoted field (its closing quote is missing)', this.quoteLine);
      default:
        return;
    }
    this.emit(buf, this.nf, this.recLine);
    this.nf = 0;
    this.state = FIELD;
  }
}

/** Scans a stream of byte chunks as RFC 4180 CSV; returns the number of data records seen. */
export async function scanCsv(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: CsvScanOptions): Promise<number> {
  const scanner = new CsvScanner(opts);
  for await (const chunk of chunks) scanner.push(chunk);
  return scanner.end();
}

/** Same over one in-memory buffer (convenience for tests and small files). */
export function scanCsvBuffer(buf: Uint8Array, opts: CsvScanOptions): number {
  const scanner = new CsvScanner(opts);
  scanner.push(buf);
  return scanner.end();
}
