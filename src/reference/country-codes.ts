import { InputError } from '../base/errors.ts';
import type { CountryResolver } from './countries.ts';

/** One row of `iso2_countries.csv`: an ISO 3166-1 alpha-2 code and its alpha-3 code. */
export interface Iso2Row {
  iso2: string;
  iso3: string;
}

/** Parses `iso2_countries.csv` (header `iso2,iso3`); throws naming the line on a bad or repeated code. */
export function parseIso2Table(text: string, fileName = 'iso2_countries.csv'): Iso2Row[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== 'iso2,iso3') throw new InputError(`${fileName} line 1: expected the header 'iso2,iso3', found '${lines[0] ?? ''}'`);
  const rows: Iso2Row[] = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const m = /^([A-Z]{2}),([A-Z]{3})$/.exec(lines[i]);
    if (!m) throw new InputError(`${fileName} line ${i + 1}: expected ISO2,ISO3 in capitals, found '${lines[i]}'`);
    const first = seen.get(m[1]);
    if (first !== undefined) throw new InputError(`${fileName} line ${i + 1}: '${m[1]}' repeats line ${first}`);
    seen.set(m[1], i + 1);
    rows.push({ iso2: m[1], iso3: m[2] });
  }
  return rows;
}

/**
 * Country codes as declarations write them (ISO3, or ISO2 in e.g. Korea Customs data) → one ISO3 label
 * list. Labels are the resolver's countries (historical ones and aliases such as BACI's `S19` included)
 * plus every ISO 3166-1 country of the ISO2 table (Guernsey, Liechtenstein, Puerto Rico… which the trade
 * area tables fold into another code). Lookups read bytes, so the hot path allocates nothing.
 */
export class CountryCodeIndex {
  /** ISO3 labels, sorted; a label's index is its id. */
  readonly iso3: readonly string[];
  /** 2-letter and 3-letter keys (base 27, either case) → id; -1 where unknown. */
  private readonly byIso2: Int32Array;
  private readonly byIso3: Int32Array;
  private readonly resolver: CountryResolver;
  private readonly idOf: ReadonlyMap<string, number>;

  constructor(resolver: CountryResolver, iso2: readonly Iso2Row[]) {
    const labels = new Set<string>();
    resolver.iso3.forEach((l, id) => resolver.kind[id] === 'country' && labels.add(l));
    for (const r of iso2) labels.add(r.iso3);
    this.iso3 = Object.freeze([...labels].sort());
    const idOf = new Map(this.iso3.map((l, id) => [l, id]));
    this.byIso2 = new Int32Array(27 * 27).fill(-1);
    for (const r of iso2) this.byIso2[key(r.iso2, 0, 2)] = idOf.get(r.iso3)!;
    this.byIso3 = new Int32Array(27 * 27 * 27).fill(-1);
    for (const l of this.iso3) this.byIso3[key(l, 0, 3)] = idOf.get(l)!;
    this.resolver = resolver;
    this.idOf = idOf;
  }

  /** Id of an ISO2 code given as bytes buf[s, e) (either case), or -1. */
  fromIso2Bytes(buf: Uint8Array, s: number, e: number): number {
    if (e - s !== 2) return -1;
    const k = keyBytes(buf, s, e);
    return k < 0 ? -1 : this.byIso2[k];
  }

  /** Id of an ISO3 code (or an alias such as `S19`) given as bytes buf[s, e), or -1. */
  fromIso3Bytes(buf: Uint8Array, s: number, e: number): number {
    if (e - s !== 3) return -1;
    const k = keyBytes(buf, s, e);
    if (k >= 0) return this.byIso3[k];
    // not three letters: the resolver's aliases of countries (BACI's S19 for Taiwan)
    const rid = this.resolver.fromIso3Bytes(buf, s, e);
    return rid >= 0 && this.resolver.kind[rid] === 'country' ? (this.idOf.get(this.resolver.iso3[rid]) ?? -1) : -1;
  }

  /** Id of a code given as text in the given system, or -1. */
  fromText(code: string, system: 'iso2' | 'iso3'): number {
    const bytes = new TextEncoder().encode(code.trim());
    return system === 'iso2' ? this.fromIso2Bytes(bytes, 0, bytes.length) : this.fromIso3Bytes(bytes, 0, bytes.length);
  }
}

/** Base-27 key of letters A–Z (either case), 1–26 per letter; -1 when a byte is not a letter. */
function keyBytes(buf: Uint8Array, s: number, e: number): number {
  let k = 0;
  for (let p = s; p < e; p++) {
    const c = buf[p] | 0x20;
    if (c < 0x61 || c > 0x7a) return -1;
    k = k * 27 + (c - 0x60);
  }
  return k;
}

function key(text: string, s: number, e: number): number {
  return keyBytes(new TextEncoder().encode(text), s, e);
}
