/**
 * Builds data/reference/hs6_descriptions.csv (hs_revision,hs6,description) for every code in the control
 * catalog and its comparators, from the Comtrade HS2022 and HS2017 code lists (MIT, insongkim/concordance).
 * Run: npx tsx scripts/build-hs6-descriptions.ts (TRADEWATCH_REAL_DATA overrides ../shared/data).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCatalog } from '../src/io/catalog.ts';

const data = resolve(process.env.TRADEWATCH_REAL_DATA ?? '../shared/data');
const catalog = await loadCatalog();
const codes = new Set([...catalog.intervals.map((i) => i.hs6), ...catalog.comparators.flatMap((c) => [c.hs6, ...c.comparesTo])]);
const lines = ['hs_revision,hs6,description'];
for (const [rev, file] of [['HS2022', 'comtrade_classificationH6_HS2022.json'], ['HS2017', 'comtrade_classificationH5_HS2017.json']]) {
  const list = (JSON.parse(readFileSync(join(data, 'hs-nomenclature', file), 'utf8')) as { results: { id: string; text: string }[] }).results;
  for (const r of list.filter((x) => codes.has(x.id)).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const text = r.text.replace(/^\d{6} - /, '');
    lines.push(`${rev},${r.id},"${text.replace(/"/g, '""')}"`);
  }
}
writeFileSync(resolve('data/reference/hs6_descriptions.csv'), lines.join('\n') + '\n');
console.log(`${lines.length - 1} descriptions`);
