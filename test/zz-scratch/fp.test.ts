import { it } from 'vitest';
import { synthWorld } from '../../src/synth/synth-world.ts';
import { loadCatalog } from '../../src/io/catalog.ts';
import { ingestTrade } from '../../src/ingest/ingest-trade.ts';
import { ingestDefaults } from '../../src/ingest/params.ts';
import { loadCountryResolver, loadCountryNameIndex, loadFobImportReporters, loadEntrepots } from '../../src/io/reference.ts';
import { matchMirrorFlows, mirrorMatchDefaults } from '../../src/detect/mirror-pairs.ts';
import { scoreMirrorGaps, mirrorGapDefaults } from '../../src/detect/mirror-gaps.ts';
import { rowsOf } from '../helpers.ts';
it('fp', async () => {
  for (const seed of (process.env.SEEDS ?? '1,2,3,4,5').split(',').map(Number)) {
    const w = synthWorld({ seed, preset: 'wild' }, await loadCatalog());
    const files = Object.keys(w.files).filter((f) => f.startsWith('trade/')).sort();
    const ing = await ingestTrade(files.map((f) => ({ display: f, kind: 'csv' as const, chunks: [new TextEncoder().encode(w.files[f])] })), { params: ingestDefaults, hsCodes: null, resolver: await loadCountryResolver(), names: await loadCountryNameIndex() });
    const pairs = matchMirrorFlows(ing.flows, ing.areas, mirrorMatchDefaults).pairs;
    const s = scoreMirrorGaps(pairs, mirrorGapDefaults, { fobImporters: await loadFobImportReporters(), entrepots: await loadEntrepots(), reviewBudget: 100 });
    const t = w.truth;
    const key = (e: string, i: string, h: string) => `${e}|${i}|${h}`;
    const known = new Map(t.mirror_anomalies.map((a) => [key(a.exporter, a.importer, a.hs6), a.kind]));
    const legs = new Set(t.routes.flatMap((r) => [key(r.origin, r.hub, r.hs6), key(r.hub, r.destination, r.hs6), key(r.origin, r.destination, r.hs6)]));
    const g = rowsOf(s.gaps, ['exporter', 'importer', 'hs6', 'rank', 'score', 'value_at_stake_usd', 'window', 'period_end', 'status', 'log_ratio', 'z', 'noise_source', 'windows_flagged', 'reasons', 'believability']);
    for (const r of g) {
      const k = key(r.exporter as string, r.importer as string, r.hs6 as string);
      const tag = known.get(k) ?? (legs.has(k) ? 'LEG' : 'FALSE');
      if (tag === 'LEG') continue;
      console.log(seed, tag.padEnd(24), k.padEnd(20), `#${r.rank}`, Math.round(r.score as number), r.window, r.period_end, r.status, (r.log_ratio as number)?.toFixed?.(2), (r.z as number)?.toFixed?.(1), r.noise_source, r.windows_flagged, [...(r.reasons as any).toArray()].join(','), 'annual:', (t.annual_reporters ?? []).filter((c) => k.includes(c)).join(','));
    }
    const missed = t.mirror_anomalies.filter((a) => !['confidential', 'timing', 'cif_fob'].includes(a.kind) && !g.some((r) => key(r.exporter as string, r.importer as string, r.hs6 as string) === key(a.exporter, a.importer, a.hs6)));
    for (const a of missed) {
      const rows = rowsOf(s.pairs, ['exporter', 'importer', 'hs6', 'window', 'status', 'log_ratio', 'z']).filter((r) => r.exporter === a.exporter && r.importer === a.importer && r.hs6 === a.hs6 && (r.window === 'Y' || r.window === 'R12'));
      const st: Record<string, number> = {}; for (const r of rows) st[r.status as string] = (st[r.status as string] ?? 0) + 1;
      const zs = rows.filter((r) => r.status === 'matched').map((r) => (r.z as number)?.toFixed(1)).slice(-4).join(' ');
      console.log(seed, 'MISSED', a.kind, key(a.exporter, a.importer, a.hs6), a.from_period, 'f', a.factor, JSON.stringify(st), 'z', zs, 'annual:', (t.annual_reporters ?? []).filter((c) => c === a.exporter || c === a.importer).join(','), 'mean', a.mean_monthly_usd);
    }
  }
}, 300000);
