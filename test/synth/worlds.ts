import { loadCatalog } from '../../src/io/catalog.ts';
import { type SynthOptions, type SynthOutput, synthWorld } from '../../src/synth/synth-world.ts';
import type { SynthTruth } from '../../src/synth/truth.ts';

/** The committed control catalog. */
export const catalog = await loadCatalog();

/** Seeds the project uses: 1–5 for tuning, 101–110 for testing detection quality. */
export const SEEDS = [1, 2, 3, 4, 5, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110];

/** One Comtrade Plus row, the columns the tests look at decoded. */
export interface TradeRow {
  line: number;
  fields: string[];
  /** `YYYY-MM`, or `YYYY` for an annual reporter's row. */
  period: string;
  freq: 'A' | 'M';
  reporter: string;
  flow: string;
  /** ISO3 of the partner, `WLD` for 0, `_899` for Areas nes. */
  partner: string;
  partner2: string | null;
  hs6: string;
  mot: number;
  isTotal: boolean;
  value: number;
  cif: number | null;
  fob: number | null;
  kg: number | null;
}

/** One declaration as a column → text record. */
export type DeclarationRow = Record<string, string>;

/** A generated world with its files parsed. */
export interface Generated {
  out: SynthOutput;
  truth: SynthTruth;
  header: string[];
  trade: TradeRow[];
  declarationHeader: string[];
  declarations: DeclarationRow[];
}

const cache = new Map<string, Generated>();

/** Generates (once per test file) and parses the world of a preset and seed. */
export function generated(preset: SynthOptions['preset'], seed: number): Generated {
  const key = `${preset}:${seed}`;
  let g = cache.get(key);
  if (!g) cache.set(key, (g = parse(synthWorld({ seed, preset }, catalog))));
  return g;
}

function parse(out: SynthOutput): Generated {
  const truth = out.truth;
  const byCode = new Map<number, string>(truth.countries.map((c) => [c.comtrade_code, c.iso3]));
  const area = (code: number) => (code === 0 ? 'WLD' : code === 899 ? '_899' : (byCode.get(code) ?? `?${code}`));
  const [headerLine, ...lines] = out.files[`trade/comtrade_${truth.seed}.csv`].trimEnd().split('\n');
  const header = headerLine.split(',');
  const col = (name: string) => header.indexOf(name);
  const c = {
    period: col('period'), reporter: col('reporterCode'), flow: col('flowCode'), partner: col('partnerCode'),
    partner2: col('partner2Code'), cmd: col('cmdCode'), mot: col('motCode'), customs: col('customsCode'), mos: col('mosCode'),
    value: col('primaryValue'), cif: col('cifvalue'), fob: col('fobvalue'), kg: col('netWgt'),
  };
  const num = (s: string) => (s === '' ? null : Number(s));
  const trade = lines.map((text, i): TradeRow => {
    const f = splitCsvLine(text);
    const p2 = Number(f[c.partner2]);
    const mot = Number(f[c.mot]);
    return {
      line: i + 2, fields: f, period: f[c.period].length === 4 ? f[c.period] : `${f[c.period].slice(0, 4)}-${f[c.period].slice(4)}`,
      freq: f[c.period].length === 4 ? 'A' : 'M', reporter: area(Number(f[c.reporter])),
      flow: f[c.flow], partner: area(Number(f[c.partner])), partner2: p2 === 0 ? null : area(p2), hs6: f[c.cmd], mot,
      isTotal: mot === 0 && p2 === 0 && f[c.customs] === 'C00' && f[c.mos] === '0',
      value: Number(f[c.value]), cif: num(f[c.cif]), fob: num(f[c.fob]), kg: num(f[c.kg]),
    };
  });
  const [dHeaderLine, ...dLines] = out.files[`declarations/declarations_${truth.seed}.csv`].trimEnd().split('\n');
  const declarationHeader = dHeaderLine.split(',');
  const declarations = dLines.map((text) => {
    const f = splitCsvLine(text);
    return Object.fromEntries(declarationHeader.map((h, i) => [h, f[i]]));
  });
  return { out, truth, header, trade, declarationHeader, declarations };
}

/** Fields of one RFC-4180 line (quoted fields with `""` escapes; no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unclosed quote: ${line}`);
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      out.push(field);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      out.push(line.slice(i, end));
      i = end;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new Error(`text after a quoted field: ${line}`);
    i++;
  }
}

/** Sum of total rows' primary values per month, for rows matching `keep`. */
export function monthly(rows: readonly TradeRow[], keep: (r: TradeRow) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.isTotal || !keep(r)) continue;
    const key = r.fields.join(',');
    if (seen.has(key)) continue; // exact duplicates count once
    seen.add(key);
    out.set(r.period, (out.get(r.period) ?? 0) + r.value);
  }
  return out;
}

/** Mean of a monthly series over the periods in [from, to) (missing months count as 0). */
export function meanOver(series: Map<string, number>, periods: readonly string[], from: string, to: string): number {
  const within = periods.filter((p) => p >= from && p < to);
  if (!within.length) return 0;
  return within.reduce((s, p) => s + (series.get(p) ?? 0), 0) / within.length;
}

/** The month `n` months after `period` (YYYY-MM). */
export function addMonths(period: string, n: number): string {
  const m = Number(period.slice(0, 4)) * 12 + Number(period.slice(5)) - 1 + n;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}
