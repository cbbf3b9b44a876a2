import { InputError } from '../base/errors.ts';

/** One row of `geo.csv`: a country's main-city point (degrees) and whether it has no sea coast. */
export interface GeoRow {
  iso3: string;
  /** Latitude, degrees north, in [-90, 90]. */
  lat: number;
  /** Longitude, degrees east, in [-180, 180]. */
  lon: number;
  landlocked: boolean;
}

/** Mean Earth radius, km (IUGG), the sphere the great-circle distances are taken on. */
export const EARTH_RADIUS_KM = 6371.0088;

const GEO_HEADER = ['iso3', 'lat', 'lon', 'landlocked'] as const;
const CONTIGUITY_HEADER = ['iso3_a', 'iso3_b'] as const;
/** Text codes that name a country under another label: BACI writes Taiwan `S19`. */
const ALIASES: ReadonlyMap<string, string> = new Map([['S19', 'TWN']]);

/**
 * Distances, land borders and landlockedness by ISO3, for gravity-style trade-cost models. Lookups of an
 * unknown code return null (never a guess); `S19` is accepted for Taiwan. Built once, read-only.
 */
export class GeoTable {
  /** ISO3 codes with a row, sorted. */
  readonly iso3: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  /** Latitude and longitude by index, radians. */
  private readonly latRad: Float64Array;
  private readonly lonRad: Float64Array;
  private readonly isLandlocked: Uint8Array;
  /** Border pairs as `index_a * n + index_b`, both orders. */
  private readonly borders: ReadonlySet<number>;

  /** Builds the table; throws on a repeated ISO3, a coordinate out of range, or a border naming an unknown ISO3. */
  constructor(rows: readonly GeoRow[], borders: readonly (readonly [string, string])[]) {
    const sorted = [...rows].sort((a, b) => (a.iso3 < b.iso3 ? -1 : a.iso3 > b.iso3 ? 1 : 0));
    const index = new Map<string, number>();
    const n = sorted.length;
    this.latRad = new Float64Array(n);
    this.lonRad = new Float64Array(n);
    this.isLandlocked = new Uint8Array(n);
    sorted.forEach((r, i) => {
      if (index.has(r.iso3)) throw new Error(`geo: ${r.iso3} appears twice`);
      if (!(Math.abs(r.lat) <= 90) || !(Math.abs(r.lon) <= 180)) throw new Error(`geo: ${r.iso3} has lat ${r.lat}, lon ${r.lon} out of range`);
      index.set(r.iso3, i);
      this.latRad[i] = (r.lat * Math.PI) / 180;
      this.lonRad[i] = (r.lon * Math.PI) / 180;
      this.isLandlocked[i] = r.landlocked ? 1 : 0;
    });
    const pairs = new Set<number>();
    for (const [a, b] of borders) {
      const ia = index.get(a);
      const ib = index.get(b);
      if (ia === undefined || ib === undefined) throw new Error(`geo: border ${a}–${b} names a country without a geo row`);
      pairs.add(ia * n + ib).add(ib * n + ia);
    }
    this.iso3 = Object.freeze(sorted.map((r) => r.iso3));
    this.index = index;
    this.borders = pairs;
  }

  /** Row index of a code (ISO3 or alias), or -1 when the table has no row for it. */
  indexOf(code: string): number {
    return this.index.get(ALIASES.get(code) ?? code) ?? -1;
  }

  /** Great-circle (haversine) distance between the two countries' points, km; null when either is unknown. */
  distanceKm(a: string, b: string): number | null {
    const i = this.indexOf(a);
    const j = this.indexOf(b);
    if (i < 0 || j < 0) return null;
    return haversineRad(this.latRad[i], this.lonRad[i], this.latRad[j], this.lonRad[j]);
  }

  /** Whether the two countries share a land border (symmetric; a country is not its own neighbour); null when either is unknown. */
  contiguous(a: string, b: string): boolean | null {
    const i = this.indexOf(a);
    const j = this.indexOf(b);
    if (i < 0 || j < 0) return null;
    return this.borders.has(i * this.iso3.length + j);
  }

  /** Whether the country has no sea coast; null when unknown. */
  landlocked(a: string): boolean | null {
    const i = this.indexOf(a);
    return i < 0 ? null : this.isLandlocked[i] === 1;
  }
}

/** Great-circle distance between two points given in degrees, km, by the haversine formula on {@link EARTH_RADIUS_KM}. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  return haversineRad(lat1 * r, lon1 * r, lat2 * r, lon2 * r);
}

/**
 * Parses `geo.csv` (iso3,lat,lon,landlocked) and `contiguity.csv` (iso3_a,iso3_b, each border once with
 * a < b) into a {@link GeoTable}; throws an InputError naming the file, line and column of the first bad row.
 */
export function parseGeoTable(
  text: { geo: string; contiguity: string },
  files: { geo: string; contiguity: string } = { geo: 'geo.csv', contiguity: 'contiguity.csv' },
): GeoTable {
  const rows: GeoRow[] = [];
  const lineOf = new Map<string, number>();
  forEachRow(text.geo, files.geo, GEO_HEADER, (f, bad, line) => {
    const [iso3, latText, lonText, ll] = f;
    if (!/^[A-Z]{3}$/.test(iso3)) throw bad(0, 'is not an uppercase ISO3 code');
    const first = lineOf.get(iso3);
    if (first !== undefined) throw bad(0, `repeats the country of line ${first}`);
    const lat = parseDegrees(latText);
    if (!(Math.abs(lat) <= 90)) throw bad(1, 'is not a latitude in degrees, -90 to 90');
    const lon = parseDegrees(lonText);
    if (!(Math.abs(lon) <= 180)) throw bad(2, 'is not a longitude in degrees, -180 to 180');
    if (ll !== 'true' && ll !== 'false') throw bad(3, 'is not true or false');
    lineOf.set(iso3, line);
    rows.push({ iso3, lat, lon, landlocked: ll === 'true' });
  });
  const borders: [string, string][] = [];
  const pairLine = new Map<string, number>();
  forEachRow(text.contiguity, files.contiguity, CONTIGUITY_HEADER, (f, bad, line) => {
    const [a, b] = f;
    if (!lineOf.has(a)) throw bad(0, `has no row in ${files.geo}`);
    if (!lineOf.has(b)) throw bad(1, `has no row in ${files.geo}`);
    // Each border once, in one order, so a reversed or repeated pair is a typo, not a second border.
    if (!(a < b)) throw bad(1, `must sort after iso3_a '${a}' (each pair once, a < b)`);
    const first = pairLine.get(`${a},${b}`);
    if (first !== undefined) throw bad(0, `repeats the pair of line ${first}`);
    pairLine.set(`${a},${b}`, line);
    borders.push([a, b]);
  });
  return new GeoTable(rows, borders);
}

type BadField = (col: number, why: string) => InputError;

/** Calls `each` with the fields of every non-empty data line after checking the header and field count. */
function forEachRow(
  csvText: string,
  fileName: string,
  header: readonly string[],
  each: (fields: string[], bad: BadField, line: number) => void,
): void {
  const lines = csvText.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== header.join(',')) {
    throw new InputError(`${fileName} line 1: expected the header '${header.join(',')}', found '${lines[0] ?? ''}'`);
  }
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const line = i + 1;
    // The tables hold codes, numbers and booleans only: no quoting to handle.
    const f = lines[i].split(',');
    if (f.length !== header.length) throw new InputError(`${fileName} line ${line}: ${f.length} fields, expected ${header.length}`);
    each(f, (col, why) => new InputError(`${fileName} line ${line}, column ${header[col]}: '${f[col]}' ${why}`), line);
  }
}

/** A plain decimal number, or NaN (Number() would accept '', hex and exponents). */
function parseDegrees(text: string): number {
  return /^-?\d{1,3}(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

function haversineRad(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const s = Math.sin((lat2 - lat1) / 2);
  const t = Math.sin((lon2 - lon1) / 2);
  const h = s * s + Math.cos(lat1) * Math.cos(lat2) * t * t;
  // min() guards asin against rounding just above 1 for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
