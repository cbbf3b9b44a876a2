import { describe, expect, it } from 'vitest';
import { type Generated, SEEDS, type TradeRow, generated } from './worlds.ts';

const MONEY = /^\d+(\.\d{1,2})?$/;
const KG = /^\d+(\.\d{1,3})?$/;
const WORLDS = [...SEEDS.map((s) => ['easy', s] as const), ...[1, 3, 101, 105, 110].map((s) => ['hard', s] as const)];

/** Row values in cents/thousandths, exact. */
const cents = (x: number | null) => (x === null ? null : Math.round(x * 100));
const grams = (x: number | null) => (x === null ? null : Math.round(x * 1000));
const keyOf = (r: TradeRow) => `${r.reporter}|${r.flow}|${r.partner}|${r.hs6}|${r.period}`;

describe.each(WORLDS)('trade panel %s seed %i', (preset, seed) => {
  const g: Generated = generated(preset, seed);
  const { truth, header, trade } = g;
  const countries = new Map(truth.countries.map((c) => [c.comtrade_code, c.iso3]));
  const col = (name: string) => header.indexOf(name);

  it('every row is a valid Comtrade Plus record (what ingest accepts with zero rejects)', () => {
    const periods = new Set(truth.periods);
    const nonReporters = new Set(truth.non_reporters.map((n) => n.iso3));
    const bad: string[] = [];
    for (const r of trade) {
      const f = r.fields;
      const fail = (why: string) => bad.push(`line ${r.line}: ${why}`);
      if (f.length !== header.length) fail(`${f.length} fields`);
      if (f[col('typeCode')] !== 'C' || f[col('freqCode')] !== 'M' || f[col('classificationCode')] !== 'H6') fail('type/freq/class');
      if (!periods.has(r.period) || f[col('refPeriodId')] !== `${f[col('period')]}01`) fail(`period ${r.period}`);
      if (!countries.has(Number(f[col('reporterCode')])) || nonReporters.has(r.reporter)) fail(`reporter ${f[col('reporterCode')]}`);
      const partner = Number(f[col('partnerCode')]);
      if (!countries.has(partner) && partner !== 0 && partner !== 899) fail(`partner ${partner}`);
      const p2 = Number(f[col('partner2Code')]);
      if (p2 !== 0 && !countries.has(p2)) fail(`partner2 ${p2}`);
      if (!['X', 'M', 'RX'].includes(r.flow)) fail(`flow ${r.flow}`);
      if (!/^\d{6}$/.test(r.hs6) || f[col('aggrLevel')] !== '6') fail(`cmd ${r.hs6}`);
      if (f[col('customsCode')] !== 'C00' || f[col('mosCode')] !== '0' || ![0, 1000, 2000, 9000].includes(r.mot)) fail('breakdown codes');
      for (const c of ['cifvalue', 'fobvalue']) if (f[col(c)] !== '' && !MONEY.test(f[col(c)])) fail(`${c} ${f[col(c)]}`);
      if (!MONEY.test(f[col('primaryValue')])) fail(`primaryValue '${f[col('primaryValue')]}'`);
      for (const c of ['qty', 'netWgt']) if (f[col(c)] !== '' && !KG.test(f[col(c)])) fail(`${c} ${f[col(c)]}`);
      const hasKg = f[col('netWgt')] !== '';
      if (f[col('qty')] !== f[col('netWgt')]) fail('qty differs from netWgt');
      if ((hasKg ? '8|kg' : '-1|N/A') !== `${f[col('qtyUnitCode')]}|${f[col('qtyUnitAbbr')]}`) fail('qty unit');
      if (r.flow === 'M') {
        if (f[col('cifvalue')] !== f[col('primaryValue')]) fail('import primaryValue is not the CIF value');
        if (r.fob !== null && r.fob > r.cif!) fail('import FOB above CIF');
      } else if (f[col('fobvalue')] !== f[col('primaryValue')] || f[col('cifvalue')] !== '') fail('export primaryValue is not the FOB value');
      if (r.partner === 'WLD' && !r.isTotal) fail('World breakdown');
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('every breakdown and partner2 row has exactly one total of its key, and adds up to it', () => {
    const totals = new Map<string, Set<string>>();
    const totalRow = new Map<string, TradeRow>();
    const parts = new Map<string, { mot: TradeRow[]; p2: TradeRow[] }>();
    for (const r of trade) {
      const k = keyOf(r);
      if (r.isTotal) {
        totals.set(k, (totals.get(k) ?? new Set()).add(r.fields.join(',')));
        totalRow.set(k, r);
      } else {
        const p = parts.get(k) ?? { mot: [], p2: [] };
        (r.mot !== 0 ? p.mot : p.p2).push(r);
        parts.set(k, p);
      }
    }
    expect([...totals.values()].filter((s) => s.size !== 1)).toEqual([]); // duplicates are exact: one distinct total a key
    const sum = (rows: TradeRow[], pick: (r: TradeRow) => number | null) => rows.reduce((s, r) => s + (pick(r) ?? 0), 0);
    let checked = 0;
    for (const [k, p] of parts) {
      expect(totals.has(k), `no total for ${k}`).toBe(true);
      const total = totalRow.get(k)!;
      for (const rows of [p.mot, p.p2]) {
        if (!rows.length) continue;
        checked++;
        expect(sum(rows, (r) => cents(r.value)), k).toBe(cents(total.value));
        expect(sum(rows, (r) => cents(r.cif)), k).toBe(cents(total.cif) ?? 0);
        expect(sum(rows, (r) => cents(r.fob)), k).toBe(cents(total.fob) ?? 0);
        expect(sum(rows, (r) => grams(r.kg)), k).toBe(grams(total.kg) ?? 0);
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('holds some exact duplicates, mode-of-transport rows, partner2 rows and RX rows', () => {
    const lines = trade.map((r) => r.fields.join(','));
    expect(new Set(lines).size).toBeLessThan(lines.length);
    expect(trade.some((r) => r.mot === 1000) && trade.some((r) => r.mot === 2000)).toBe(true);
    expect(trade.some((r) => r.flow === 'RX')).toBe(true);
    if (truth.partner2_reporters.length) expect(trade.some((r) => r.partner2 !== null)).toBe(true);
  });

  it('a World row equals the sum of its partners, plus the value a confidential partner hides in World only', () => {
    const partners = new Map<string, number>();
    const worldRows = new Map<string, number>();
    const seen = new Set<string>();
    for (const r of trade) {
      if (!r.isTotal || r.flow === 'RX') continue;
      const line = r.fields.join(',');
      if (seen.has(line)) continue;
      seen.add(line);
      const k = `${r.reporter}|${r.flow}|${r.hs6}|${r.period}`;
      if (r.partner === 'WLD') worldRows.set(k, cents(r.value)!);
      else partners.set(k, (partners.get(k) ?? 0) + cents(r.value)!);
    }
    const hiddenInWorld = truth.mirror_anomalies.filter((m) => m.kind === 'confidential' && m.carrier === 'world');
    let hidden = 0;
    for (const [k, w] of worldRows) {
      const [reporter, flow, hs6, period] = k.split('|');
      const gap = w - (partners.get(k) ?? 0);
      const hides = hiddenInWorld.some((m) => flow === 'X' && m.exporter === reporter && m.hs6 === hs6 && period >= m.from_period);
      if (hides) {
        expect(gap, k).toBeGreaterThanOrEqual(0);
        if (gap > 0) hidden++;
      } else expect(gap, k).toBe(0);
    }
    for (const k of partners.keys()) expect(worldRows.has(k), `no World row for ${k}`).toBe(true);
    if (hiddenInWorld.length) expect(hidden).toBeGreaterThan(0);
  });

  it('values are plausible: unit values by code within a wide band of the code range', () => {
    const ranges = new Map(truth.codes.map((c) => [c.hs6, c.unit_value_usd_per_kg]));
    const out: string[] = [];
    for (const r of trade) {
      if (!r.isTotal || r.kg === null || r.value < 1000 || r.partner === 'WLD') continue;
      const uv = r.value / r.kg;
      const [lo, hi] = ranges.get(r.hs6)!;
      if (uv < lo / 3 || uv > hi * 3) out.push(`line ${r.line}: ${r.hs6} ${uv.toFixed(2)} USD/kg`);
    }
    expect(out.length).toBeLessThan(trade.length * 0.01);
  });
});
