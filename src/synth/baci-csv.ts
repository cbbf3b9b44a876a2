import { synthCountry } from './countries.ts';
import { csvText } from './csv-text.ts';
import { type World, shipped } from './world.ts';

/** HS2022 codes an HS2017 source counts inside 811292 (hafnium 811231; rhenium is not in the panel). */
const HS2017_811292 = new Set(['811292', '811231']);

/**
 * An HS2017 source in CEPII BACI's official layout (`t,i,j,k,v,q`; v thousand USD FOB, q tonnes): one
 * reconciled flow per exporter → importer and whole calendar year of the panel, for 811292 only, whose
 * HS2017 scope also holds hafnium (the panel's 811231) — the trap of domain.md §1. Values are the true
 * shipments (a reconciliation that got them right), so the only difference from the HS2022 panel is the
 * code's scope. The file name says the revision (`BACI_HS17_…`). Null when the panel has no 811292 or no whole year.
 */
export function writeBaciHs17(world: World): { name: string; text: string; rows: number } | null {
  const { axis } = world;
  if (!world.products.some((p) => p.hs6 === '811292')) return null;
  const years = [...new Set(axis.periods.map((p) => p.slice(0, 4)))].filter((y) => axis.index(`${y}-01`) >= 0 && axis.index(`${y}-12`) < axis.length);
  if (!years.length) return null;
  const sums = new Map<string, { value: number; kg: number }>();
  for (const c of world.components) {
    if (!HS2017_811292.has(c.hs6) || c.exporter === c.importer || c.kind === 'ghost') continue;
    for (const y of years) {
      const jan = axis.index(`${y}-01`);
      let value = 0;
      for (let t = jan; t < jan + 12; t++) value += shipped(c, t);
      if (!(value > 0)) continue;
      const key = `${y}|${c.exporter}|${c.importer}`;
      const acc = sums.get(key) ?? { value: 0, kg: 0 };
      acc.value += value;
      acc.kg += value / c.uvUsdPerKg;
      sums.set(key, acc);
    }
  }
  const rows = [...sums.entries()]
    .map(([key, v]) => {
      const [y, i, j] = key.split('|');
      // thousand USD and tonnes with three decimals: USD and kg written as thousandths
      return { y, i: baciCode(i), j: baciCode(j), usd: Math.round(v.value), kg: Math.round(v.kg) };
    })
    .filter((r) => r.usd >= 1) // under USD 1 BACI has nothing
    .sort((a, b) => (a.y < b.y ? -1 : a.y > b.y ? 1 : a.i - b.i || a.j - b.j));
  const lines = ['t,i,j,k,v,q', ...rows.map((r) => csvText.line([r.y, String(r.i), String(r.j), '811292', csvText.milli(r.usd), csvText.milli(r.kg)]))];
  return { name: `trade/BACI_HS17_V202601_synth_${world.seed}.csv`, text: `${lines.join('\n')}\n`, rows: rows.length };
}

/** BACI's country code: Comtrade's, except Italy (BACI 380, Comtrade 381). */
function baciCode(iso3: string): number {
  return iso3 === 'ITA' ? 380 : synthCountry(iso3).code;
}
