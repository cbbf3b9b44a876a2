import type { SynthControl } from './controls.ts';
import { synthCountry } from './countries.ts';
import { ramp } from './inject-distractors.ts';
import { synthProduct } from './products.ts';
import type { Rng } from './random.ts';
import { type Component, type World, isHub, makeComponent, pairKey, round, wildOf } from './world.ts';

/**
 * The wild preset's distractors that live in the shipments (must not be flagged): new mines (a country
 * starts exporting a controlled code with no imports of it from the origin), hubs whose trade grows alike
 * in every code (both legs, the uncontrolled comparators included), re-imports (a country recorded as its
 * own partner) and the hafnium trade that an HS2017 source counts inside 811292. Runs after the controls
 * are applied (a growing hub's legs grow on top of them) and before the routes (which keep clear of them).
 * Each family draws from its own stream; with its count at 0 it draws nothing.
 */
export function injectWildDistractors(world: World, controls: readonly SynthControl[]): void {
  const rng = world.rng.fork('wild-distractors');
  const wild = wildOf(world);
  const { axis } = world;
  const licensed = controls.filter((c) => c.kind === 'licensing' && axis.index(c.start_period) >= 2 && axis.index(c.start_period) <= axis.length - 6);
  const taken = new Set(world.distractors.flatMap((d) => d.countries.map((c) => `${c}|${d.hs6}`)));
  const reports = (c: string) => synthCountry(c).published;

  // new mines: exports from zero after (or around) a control, to a few buyers; nothing bought from China
  const mines = rng.fork('new-mine');
  for (let i = 0; i < wild.newMineCount && licensed.length; i++) {
    const control = mines.pick(licensed);
    const producers = new Set(world.producers.get(control.hs6)!.map(([p]) => p));
    const pool = world.countries.filter(
      (c) => reports(c) && !producers.has(c) && !isHub(world, c) && !world.knobs.entrepots.includes(c) && !['USA', 'CHN'].includes(c) &&
        !taken.has(`${c}|${control.hs6}`) && !world.components.some((x) => x.hs6 === control.hs6 && (x.importer === c || x.exporter === c)),
    );
    if (!pool.length) continue;
    const mine = mines.pick(pool);
    const buyers = mines.shuffle(importersOf(world, control.hs6).filter((b) => b !== mine)).slice(0, mines.int(2, 4)).sort();
    if (!buyers.length) continue;
    const t0 = clamp(axis.index(control.start_period) + mines.intWithin(wild.newMineOffset), 1, axis.length - 6);
    const product = synthProduct(control.hs6);
    const total = product.scaleUsdPerMonth * mines.within(wild.newMineScale);
    const uv = mines.logUniform(...product.unitValueUsdPerKg);
    for (const b of buyers) {
      const c = makeComponent(world, mines, { exporter: mine, importer: b, hs6: control.hs6, origin: mine, kind: 'base', uv, base: total / buyers.length, phase: 0 });
      for (let t = -1; t < axis.length; t++) c.mult[t + 1] = t < t0 ? 0 : Math.min(1, (t - t0 + 1) / 6); // output ramps up over six months
      world.components.push(c);
      world.used.add(pairKey(mine, b, control.hs6));
    }
    taken.add(`${mine}|${control.hs6}`);
    world.distractors.push({ id: '', kind: 'new_mine', countries: [mine, ...buyers], hs6: control.hs6, from_period: axis.period(t0), factor: null });
  }

  // hubs whose trade grows in every code alike: both legs of every code, comparators and uncontrolled codes included
  const broad = rng.fork('broad-growth');
  for (let i = 0; i < wild.broadGrowthCount && licensed.length; i++) {
    const control = broad.pick(licensed);
    const hubs = world.countries.filter((h) => isHub(world, h) && reports(h) && !world.products.some((p) => taken.has(`${h}|${p.hs6}`)));
    if (!hubs.length) break;
    const hub = broad.pick(hubs);
    const dests = world.countries.filter((d) => d !== hub && d !== 'CHN' && reports(d) && !isHub(world, d) && !world.knobs.entrepots.includes(d));
    const dest = broad.pick(dests);
    const t0 = clamp(axis.index(control.start_period) + broad.int(-2, 3), 1, axis.length - 8);
    const factor = broad.within(wild.broadGrowthFactor);
    for (const p of world.products) {
      const legs = [
        ensureLeg(world, broad, 'CHN', hub, p.hs6, 'CHN'),
        ensureLeg(world, broad, hub, dest, p.hs6, 'CHN'),
      ];
      for (const c of legs) {
        ramp(c, t0, factor, 6);
        world.used.add(pairKey(c.exporter, c.importer, c.hs6));
      }
      taken.add(`${hub}|${p.hs6}`);
      if (controls.some((c) => c.hs6 === p.hs6)) {
        world.distractors.push({ id: '', kind: 'broad_growth', countries: [hub, dest], hs6: p.hs6, from_period: axis.period(t0), factor: round(factor, 3) });
      }
    }
  }

  // re-imports: a country's own goods coming back, recorded with itself as partner
  const re = rng.fork('reimport');
  for (let i = 0; i < wild.reimportCount; i++) {
    const sellers = world.components.filter((c) => c.kind === 'base' && c.exporter === c.origin && reports(c.exporter) && !taken.has(`${c.exporter}|${c.hs6}`));
    if (!sellers.length) break;
    const src = re.pick(sellers);
    const own = world.components.filter((c) => c.exporter === src.exporter && c.hs6 === src.hs6 && c.kind === 'base');
    const base = own.reduce((s, c) => s + c.raw[1], 0) * re.within(wild.reimportShare);
    const c = makeComponent(world, re, { exporter: src.exporter, importer: src.exporter, hs6: src.hs6, origin: src.exporter, kind: 'reimport', uv: src.uvUsdPerKg, base, phase: 0 });
    world.components.push(c);
    taken.add(`${src.exporter}|${src.hs6}`);
    world.distractors.push({ id: '', kind: 'reimport', countries: [src.exporter], hs6: src.hs6, from_period: axis.period(0), factor: null });
  }

  // the HS2017 trap: hafnium (HS2022 811231) that an HS2017 source counts inside 811292, growing over the panel
  if (wild.hs2017Source && world.products.some((p) => p.hs6 === '811292') && world.products.some((p) => p.hs6 === '811231')) {
    const hf = rng.fork('hafnium');
    const pairs = world.components.filter((c) => c.hs6 === '811231' && c.kind === 'base' && c.exporter !== 'CHN' && reports(c.exporter) && reports(c.importer));
    if (pairs.length) {
      const c = hf.weighted(pairs, pairs.map((x) => x.raw[1]));
      const rise = hf.within(wild.hafniumRise);
      const n = axis.length;
      for (let t = 0; t < n; t++) c.mult[t + 1] *= 1 + ((rise - 1) * t) / (n - 1); // a steady climb to × rise at the end
      world.used.add(pairKey(c.exporter, c.importer, c.hs6));
      world.distractors.push({
        id: '', kind: 'hs2017_scope', countries: [c.exporter, c.importer], hs6: '811292', from_period: axis.period(0), factor: round(rise, 3),
        detail: 'an HS2017 source counts this pair\'s hafnium (HS2022 811231) inside 811292',
      });
    }
  }
}

/** Countries that import a code in the world. */
function importersOf(world: World, hs6: string): string[] {
  return [...new Set(world.components.filter((c) => c.hs6 === hs6 && c.importer !== c.exporter).map((c) => c.importer))];
}

/** The leg exporter → importer of a code: an existing ordinary stream, or a new small one. */
function ensureLeg(world: World, r: Rng, exporter: string, importer: string, hs6: string, origin: string): Component {
  const have = world.components.find((c) => c.exporter === exporter && c.importer === importer && c.hs6 === hs6 && c.kind === 'base');
  if (have) return have;
  const p = synthProduct(hs6);
  const c = makeComponent(world, r, {
    exporter, importer, hs6, origin, kind: 'base', uv: r.logUniform(...p.unitValueUsdPerKg), base: p.scaleUsdPerMonth * r.uniform(0.005, 0.02), phase: r.int(0, 11),
  });
  world.components.push(c);
  return c;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
