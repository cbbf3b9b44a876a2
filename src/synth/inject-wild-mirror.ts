import type { MirrorAnomalyTruth } from './truth.ts';
import { type Component, type World, isHub, makeComponent, pairKey, round, wildOf } from './world.ts';

/**
 * The wild preset's reporting: reporters that publish annual totals only, reporters that start or stop
 * publishing mid-series (`reporting_change`) and reporters that publish only part of their partners in some
 * months (`partial_publication`); the last two are distractors. Runs after {@link chooseReporters}. The
 * origin and the USA stay monthly; countries whose records the story needs (route parties, entrepôts,
 * distractors) neither change nor go partial.
 */
export function chooseWildReporting(world: World): void {
  const rng = world.rng.fork('wild-reporting');
  const wild = wildOf(world);
  const { axis, reporting } = world;
  const trading = new Set(world.components.flatMap((c) => [c.exporter, c.importer]));
  const reporters = world.countries.filter((c) => trading.has(c) && !reporting.nonReporters.has(c));
  if (wild.annualReporterShare > 0) {
    const r = rng.fork('annual');
    for (const c of reporters) if (c !== 'CHN' && c !== 'USA' && r.chance(wild.annualReporterShare)) reporting.annual.add(c);
  }
  const keep = new Set(['CHN', 'USA', world.knobs.declarationsCountry, ...world.knobs.entrepots]);
  for (const r of world.routes) keep.add(r.hub).add(r.destination);
  for (const d of world.distractors) keep.add(d.countries[0]);
  for (const m of world.mirror) keep.add(m.exporter).add(m.importer);
  const free = () => reporters.filter((c) => !keep.has(c) && !reporting.annual.has(c) && !reporting.lateMonths.has(c));

  const change = rng.fork('reporting-change');
  for (let i = 0; i < wild.reportingChangeCount; i++) {
    const pool = free();
    if (!pool.length) break;
    const c = change.pick(pool);
    keep.add(c);
    const t0 = change.int(Math.floor(axis.length / 4), Math.floor((3 * axis.length) / 4));
    const starts = change.chance(0.5);
    reporting.windows.set(c, starts ? { from: t0, to: axis.length } : { from: 0, to: t0 });
    world.distractors.push({ id: '', kind: 'reporting_change', countries: [c], hs6: '*', from_period: axis.period(t0), factor: null, detail: starts ? 'starts' : 'stops' });
  }

  const partial = rng.fork('partial');
  for (let i = 0; i < wild.partialPublicationCount; i++) {
    const pool = free().filter((c) => partnersOf(world, c).length >= 3);
    if (!pool.length) break;
    const c = partial.pick(pool);
    keep.add(c);
    const partners = partnersOf(world, c);
    const dropped = new Set(partial.shuffle(partners).slice(0, Math.max(1, Math.round(partners.length * partial.within(wild.partialPartnerShare)))));
    const n = partial.intWithin(wild.partialMonths);
    const t0 = partial.int(Math.floor(axis.length / 4), axis.length - n - 1);
    const months = new Set(Array.from({ length: n }, (_, j) => t0 + j));
    reporting.partial.set(c, { months, dropped });
    world.distractors.push({
      id: '', kind: 'partial_publication', countries: [c, ...[...dropped].sort()], hs6: '*', from_period: axis.period(t0), factor: null,
      detail: [...months].map((t) => axis.period(t)).join(','),
    });
  }
}

/**
 * The wild preset's mirror anomalies, on pairs no other pattern uses and both sides reporting monthly:
 * ghost exports (the origin records exports the importer never records), origin-recorded imports (a hub
 * ships goods of Chinese origin that the destination books from China: two anomalies, the destination's
 * imports from the origin and the hub's exports booked elsewhere), weight gaps (same value, very different
 * kilograms), and the legitimate gaps of timing (December lumps recorded in January) and wide CIF/FOB margins.
 * Runs after {@link injectMirrorAnomalies}; the records are shaped in `recordTrade`.
 */
export function injectWildMirror(world: World): void {
  const rng = world.rng.fork('wild-mirror');
  const wild = wildOf(world);
  const { axis, reporting } = world;
  const monthly = (c: string) => !reporting.nonReporters.has(c) && !reporting.annual.has(c) && !reporting.windows.has(c) && !reporting.partial.has(c);
  const free = (c: Component) => c.kind === 'base' && c.exporter !== c.importer && monthly(c.exporter) && monthly(c.importer) && !world.used.has(pairKey(c.exporter, c.importer, c.hs6));
  const from = (r: typeof rng) => r.int(Math.floor(axis.length / 4), Math.floor(axis.length / 2));
  const push = (kind: MirrorAnomalyTruth['kind'], c: { exporter: string; importer: string; hs6: string }, t0: number, factor: number | null, mean: number) => {
    world.used.add(pairKey(c.exporter, c.importer, c.hs6));
    world.mirror.push({ id: '', kind, exporter: c.exporter, importer: c.importer, hs6: c.hs6, from_period: axis.period(t0), factor, carrier: null, mean_monthly_usd: Math.round(mean) });
  };

  const ghost = rng.fork('ghost-exports');
  for (let i = 0; i < wild.ghostExportCount; i++) {
    const chinaSells = world.components.filter((c) => c.kind === 'base' && c.exporter === 'CHN' && monthly(c.importer));
    if (!chinaSells.length) break;
    const src = ghost.pick(chinaSells);
    const has = new Set(world.components.filter((c) => c.exporter === 'CHN' && c.hs6 === src.hs6).map((c) => c.importer));
    // an importer that publishes (it books other imports), so its missing record says something
    const books = new Set(world.components.filter((c) => c.kind === 'base').map((c) => c.importer));
    const importers = world.countries.filter((c) => c !== 'CHN' && monthly(c) && books.has(c) && !has.has(c) && !world.used.has(pairKey('CHN', c, src.hs6)));
    if (!importers.length) continue;
    const importer = ghost.weighted(importers, importers.map((c) => (isHub(world, c) ? 3 : 1)));
    const t0 = from(ghost);
    const stream = makeComponent(world, ghost, {
      exporter: 'CHN', importer, hs6: src.hs6, origin: 'CHN', kind: 'ghost_export', uv: src.uvUsdPerKg, base: src.raw[1] * ghost.uniform(0.5, 1.5), phase: 0, growth: 0,
    });
    for (let t = -1; t < t0; t++) stream.mult[t + 1] = 0;
    world.components.push(stream);
    push('ghost_exports', stream, t0, null, meanFrom(stream, t0));
  }

  const rerouted = rng.fork('origin-recorded');
  for (let i = 0; i < wild.originRecordedCount; i++) {
    const hubs = world.countries.filter((h) => h !== 'CHN' && monthly(h));
    const options = world.components.filter(
      (c) => c.kind === 'base' && c.exporter === 'CHN' && monthly(c.importer) && !world.used.has(pairKey('CHN', c.importer, c.hs6)),
    );
    if (!options.length || !hubs.length) break;
    const direct = rerouted.pick(options);
    const hubPool = hubs.filter((h) => h !== direct.importer && !world.used.has(pairKey(h, direct.importer, direct.hs6)) && !world.components.some((c) => c.exporter === h && c.importer === direct.importer && c.hs6 === direct.hs6));
    if (!hubPool.length) continue;
    const hub = rerouted.pick(hubPool);
    const t0 = from(rerouted);
    const stream = makeComponent(world, rerouted, {
      exporter: hub, importer: direct.importer, hs6: direct.hs6, origin: 'CHN', kind: 'rerouted', uv: direct.uvUsdPerKg * 1.03, base: direct.raw[1] * rerouted.uniform(0.3, 0.8), phase: 0, growth: 0,
    });
    for (let t = -1; t < t0; t++) stream.mult[t + 1] = 0;
    world.components.push(stream);
    const mean = meanFrom(stream, t0);
    push('origin_recorded_imports', { exporter: 'CHN', importer: direct.importer, hs6: direct.hs6 }, t0, null, mean);
    push('booked_elsewhere', stream, t0, null, mean);
  }

  const weight = rng.fork('weight-gap');
  for (let i = 0; i < wild.weightGapCount; i++) {
    const pool = world.components.filter(free);
    if (!pool.length) break;
    const c = weight.weighted(pool, pool.map((x) => Math.sqrt(x.raw[1])));
    const t0 = from(weight);
    const f = weight.within(wild.weightGapFactor);
    push('weight_gap', c, t0, round(weight.chance(0.5) ? f : 1 / f, 3), meanFrom(c, t0));
  }

  const timing = rng.fork('timing');
  for (let i = 0; i < wild.timingCount; i++) {
    const pool = world.components.filter(free);
    if (!pool.length) break;
    const c = timing.weighted(pool, pool.map((x) => Math.sqrt(x.raw[1])));
    // lumpy: most of each year's goods leave in December, and the importer records them a month later
    for (let t = -1; t < axis.length; t++) c.mult[t + 1] *= axis.period(t).endsWith('-12') ? 6 : 0.5;
    world.lagPairs.add(pairKey(c.exporter, c.importer, c.hs6));
    push('timing', c, 0, null, meanFrom(c, 0));
  }

  const cif = rng.fork('cif-fob');
  for (let i = 0; i < wild.wideCifCount; i++) {
    const pool = world.components.filter((c) => free(c) && !world.marginOverride.has(`${c.exporter}|${c.importer}`));
    if (!pool.length) break;
    const c = cif.pick(pool);
    const m = cif.within(wild.wideCifMargin);
    world.marginOverride.set(`${c.exporter}|${c.importer}`, m);
    push('cif_fob', c, 0, round(m, 3), meanFrom(c, 0));
  }
}

/** The partners a country trades with (either direction). */
function partnersOf(world: World, c: string): string[] {
  const out = new Set<string>();
  for (const x of world.components) {
    if (x.exporter === c && x.importer !== c) out.add(x.importer);
    if (x.importer === c && x.exporter !== c) out.add(x.exporter);
  }
  return [...out].sort();
}

function meanFrom(c: Component, t0: number): number {
  let s = 0;
  for (let slot = t0 + 1; slot < c.raw.length; slot++) s += c.raw[slot] * c.mult[slot];
  return s / Math.max(1, c.raw.length - 1 - t0);
}
