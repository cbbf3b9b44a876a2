/** A country of the synthetic world, with the codes Comtrade Plus writes for it. */
export interface SynthCountry {
  iso3: string;
  /** Comtrade area code (not always ISO numeric: USA 842, FRA 251, IND 699, CHE 757, NOR 579, ITA 381, TWN 490). */
  code: number;
  /** What Comtrade writes in `reporterISO`/`partnerISO`: the ISO3, except `S19` for Taiwan (code 490). */
  comtradeIso: string;
  /** Comtrade's `reporterDesc`/`partnerDesc`. */
  name: string;
  /** Approximate latitude and longitude of its main port, degrees: CIF margins grow with distance. */
  lat: number;
  lon: number;
  /** Relative size as a buyer (1 = the largest); weights which countries buy a code and how much. */
  size: number;
  /** Plausible transshipment hub (free zones, re-export trade, on a route to a controlled market). */
  hub: boolean;
  /** Currency its exporters invoice in when they do not use USD. */
  currency: 'USD' | 'EUR' | 'CNY';
  /** Comtrade publishes it as a reporter (not Taiwan, which appears only as partner 490 "Other Asia, nes"). */
  published: boolean;
}

const row = (
  iso3: string,
  code: number,
  name: string,
  lat: number,
  lon: number,
  size: number,
  hub = false,
  currency: SynthCountry['currency'] = 'USD',
): SynthCountry =>
  Object.freeze({ iso3, code, comtradeIso: code === 490 ? 'S19' : iso3, name, lat, lon, size, hub, currency, published: code !== 490 });

/**
 * The 40 countries the generator draws from, in priority order: a world of `countryCount` N uses the
 * first N (the first 20 hold the origin, the main buyers, the four entrepôts and five hubs).
 */
export const SYNTH_COUNTRIES: readonly SynthCountry[] = Object.freeze([
  row('CHN', 156, 'China', 31, 122, 1.0, false, 'CNY'),
  row('USA', 842, 'USA', 34, -118, 1.0),
  row('JPN', 392, 'Japan', 35, 140, 0.8),
  row('KOR', 410, 'Rep. of Korea', 35, 129, 0.7),
  row('DEU', 276, 'Germany', 53, 10, 0.8, false, 'EUR'),
  row('FRA', 251, 'France', 49, 0, 0.5, false, 'EUR'),
  row('GBR', 826, 'United Kingdom', 51, 0, 0.4),
  row('NLD', 528, 'Netherlands', 52, 4, 0.5, false, 'EUR'),
  row('BEL', 56, 'Belgium', 51, 4, 0.4, false, 'EUR'),
  row('SGP', 702, 'Singapore', 1, 104, 0.3),
  row('HKG', 344, 'China, Hong Kong SAR', 22, 114, 0.3),
  row('THA', 764, 'Thailand', 13, 101, 0.3, true),
  row('VNM', 704, 'Viet Nam', 11, 107, 0.3, true),
  row('MYS', 458, 'Malaysia', 3, 101, 0.3, true),
  row('IND', 699, 'India', 19, 73, 0.6, true),
  row('MEX', 484, 'Mexico', 19, -96, 0.4, true),
  row('CAN', 124, 'Canada', 49, -123, 0.4),
  row('TWN', 490, 'Other Asia, nes', 23, 120, 0.5),
  row('ARE', 784, 'United Arab Emirates', 25, 55, 0.2, true),
  row('MOZ', 508, 'Mozambique', -20, 35, 0.05),
  row('ITA', 381, 'Italy', 44, 9, 0.4, false, 'EUR'),
  row('CHE', 757, 'Switzerland', 47, 8, 0.2),
  row('NOR', 579, 'Norway', 60, 5, 0.15),
  row('TUR', 792, 'Türkiye', 41, 29, 0.3, true),
  row('KAZ', 398, 'Kazakhstan', 43, 77, 0.1, true),
  row('KGZ', 417, 'Kyrgyzstan', 43, 75, 0.05, true),
  row('ARM', 51, 'Armenia', 40, 45, 0.05, true),
  row('RUS', 643, 'Russian Federation', 60, 30, 0.4),
  row('BRA', 76, 'Brazil', -24, -46, 0.3),
  row('AUS', 36, 'Australia', -34, 151, 0.2),
  row('ESP', 724, 'Spain', 40, -4, 0.3, false, 'EUR'),
  row('POL', 616, 'Poland', 54, 18, 0.3),
  row('SWE', 752, 'Sweden', 58, 12, 0.2),
  row('IDN', 360, 'Indonesia', -6, 107, 0.3, true),
  row('PHL', 608, 'Philippines', 15, 121, 0.2, true),
  row('ZAF', 710, 'South Africa', -34, 18, 0.15),
  row('MDG', 450, 'Madagascar', -18, 49, 0.03),
  row('TJK', 762, 'Tajikistan', 39, 69, 0.05),
  row('AUT', 40, 'Austria', 48, 16, 0.2, false, 'EUR'),
  row('CZE', 203, 'Czechia', 50, 14, 0.2, false, 'EUR'),
]);

const BY_ISO3 = new Map(SYNTH_COUNTRIES.map((c) => [c.iso3, c]));

/** The synthetic country with this ISO3; throws for a country the generator does not know. */
export function synthCountry(iso3: string): SynthCountry {
  const c = BY_ISO3.get(iso3);
  if (!c) throw new Error(`synth: unknown country '${iso3}' (known: ${[...BY_ISO3.keys()].join(', ')})`);
  return c;
}

/** Great-circle distance class between two countries: near (< 2,500 km), mid (< 8,000 km) or far. */
export function distanceClass(a: string, b: string): 'near' | 'mid' | 'far' {
  const p = synthCountry(a);
  const q = synthCountry(b);
  const rad = Math.PI / 180;
  const h =
    Math.sin(((q.lat - p.lat) * rad) / 2) ** 2 +
    Math.cos(p.lat * rad) * Math.cos(q.lat * rad) * Math.sin(((q.lon - p.lon) * rad) / 2) ** 2;
  const km = 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
  return km < 2500 ? 'near' : km < 8000 ? 'mid' : 'far';
}
