import type { MirrorAnomalyTruth } from './truth.ts';
import { type Component, type World, makeComponent, pairKey, round } from './world.ts';

/**
 * Places the mirror anomalies on pairs no other pattern uses, both sides reporting, exporter not China:
 * under-declared exports (the exporter's records shrink from some month), ghost imports (a ghost stream
 * only the importer records, from a producer that publishes but never shipped to it) and confidential
 * flows (the exporter drops the partner but keeps the value in World, and for about half in 899). The
 * first and last take effect when the records are written (see `recordTrade`).
 */
export function injectMirrorAnomalies(world: World): void {
  const rng = world.rng.fork('mirror');
  const { axis, knobs, reporting } = world;
  const reports = (c: string) => !reporting.nonReporters.has(c);
  const from = (r: typeof rng) => r.int(Math.floor(axis.length / 4), Math.floor(axis.length / 2));
  const free = () =>
    world.components.filter(
      (c) =>
        c.kind === 'base' && c.exporter !== 'CHN' && reports(c.exporter) && reports(c.importer) &&
        !world.used.has(pairKey(c.exporter, c.importer, c.hs6)),
    );
  const take = (c: { exporter: string; importer: string; hs6: string }) => world.used.add(pairKey(c.exporter, c.importer, c.hs6));

  const under = rng.fork('under');
  for (let i = 0; i < knobs.underDeclaredCount; i++) {
    const pool = free();
    if (!pool.length) break;
    const c = under.weighted(pool, pool.map((x) => Math.sqrt(x.raw[1])));
    const t0 = from(under);
    const factor = under.within(knobs.underDeclaredFactor);
    take(c);
    world.mirror.push(anomaly('under_declared_exports', c, axis.period(t0), round(factor, 3), null, meanFrom(c, t0)));
  }

  const ghost = rng.fork('ghost');
  for (let i = 0; i < knobs.ghostImportCount; i++) {
    const exporters = free();
    if (!exporters.length) break;
    const src = ghost.pick(exporters);
    const has = new Set(world.components.filter((c) => c.exporter === src.exporter && c.hs6 === src.hs6).map((c) => c.importer));
    const importers = world.countries.filter(
      (c) => c !== src.exporter && reports(c) && !has.has(c) && !world.used.has(pairKey(src.exporter, c, src.hs6)),
    );
    if (!importers.length) continue;
    const importer = ghost.pick(importers);
    const t0 = from(ghost);
    const stream = makeComponent(world, ghost, {
      exporter: src.exporter, importer, hs6: src.hs6, origin: src.exporter, kind: 'ghost', uv: src.uvUsdPerKg,
      base: src.raw[1] * ghost.uniform(0.5, 1.5), phase: 0, growth: 0,
    });
    for (let t = -1; t < t0; t++) stream.raw[t + 1] = 0;
    world.components.push(stream);
    take(stream);
    world.mirror.push(anomaly('ghost_imports', stream, axis.period(t0), null, null, meanFrom(stream, t0)));
  }

  const conf = rng.fork('confidential');
  for (let i = 0; i < knobs.confidentialCount; i++) {
    const pool = free();
    if (!pool.length) break;
    const c = conf.pick(pool);
    const t0 = from(conf);
    take(c);
    const carrier = conf.chance(0.5) ? 'areas_nes' : 'world';
    world.mirror.push(anomaly('confidential', c, axis.period(t0), null, carrier, meanFrom(c, t0)));
  }
}

function anomaly(
  kind: MirrorAnomalyTruth['kind'],
  c: Component,
  from_period: string,
  factor: number | null,
  carrier: MirrorAnomalyTruth['carrier'],
  mean_monthly_usd: number,
): MirrorAnomalyTruth {
  return { id: '', kind, exporter: c.exporter, importer: c.importer, hs6: c.hs6, from_period, factor, carrier, mean_monthly_usd };
}

function meanFrom(c: Component, t0: number): number {
  let s = 0;
  for (let slot = t0 + 1; slot < c.raw.length; slot++) s += c.raw[slot] * c.mult[slot];
  return Math.round(s / Math.max(1, c.raw.length - 1 - t0));
}
