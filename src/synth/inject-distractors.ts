import type { SynthControl } from './controls.ts';
import { synthCountry } from './countries.ts';
import type { Rng } from './random.ts';
import { type Component, type World, isHub, makeComponent, pairKey, round, wildOf } from './world.ts';

/**
 * Adds the patterns a detector must not flag (besides the entrepôts of base trade and the stockpiling of
 * controls): producers whose own exports rise after a control while their imports from China do not, and
 * destinations whose imports of a code grow from every source, China included. Runs before the controls
 * are applied, so a China leg it adds is shaped by them like any other.
 */
export function injectDistractors(world: World, controls: readonly SynthControl[]): void {
  const rng = world.rng.fork('distractors');
  const { axis, knobs } = world;
  const wild = wildOf(world);
  const licensed = controls.filter((c) => c.kind === 'licensing' && inWindow(axis.index(c.start_period), axis.length));
  if (!licensed.length) return;
  const taken = new Set<string>(); // `${iso3}|${hs6}` already a distractor

  // producer hubs: a non-Chinese producer of a controlled code whose own output rises
  const producerCandidates = licensed.flatMap((c) =>
    world.producers.get(c.hs6)!
      .filter(([p]) => p !== 'CHN' && synthCountry(p).published && !knobs.entrepots.includes(p) && exportsOf(world, p, c.hs6).length > 0)
      .map(([p]) => ({ control: c, country: p })),
  );
  for (const pick of pickSome(rng.fork('producer-hub'), producerCandidates, knobs.producerHubCount, (x) => (isHub(world, x.country) ? 3 : 1))) {
    const { control, country } = pick;
    const r = rng.fork(`producer-hub/${country}/${control.hs6}`);
    const t0 = Math.max(1, Math.min(axis.index(control.start_period) + r.intWithin(wild.producerHubOffset), axis.length - 8)); // room to see the rise
    const rise = r.within(knobs.producerHubRise);
    for (const c of exportsOf(world, country, control.hs6)) {
      ramp(c, t0, rise, 4);
      world.used.add(pairKey(c.exporter, c.importer, c.hs6));
    }
    // it buys a little from China too, so a detector sees that its imports did not rise with its exports
    if (!world.components.some((c) => c.exporter === 'CHN' && c.importer === country && c.hs6 === control.hs6)) {
      const own = exportsOf(world, country, control.hs6);
      const base = (0.1 * own.reduce((s, c) => s + c.raw[1], 0)) / own.length;
      world.components.push(
        makeComponent(world, r, {
          exporter: 'CHN', importer: country, hs6: control.hs6, origin: 'CHN', kind: 'base', uv: own[0].uvUsdPerKg, base, phase: 0,
        }),
      );
    }
    // wild: its own industry takes more from China too, far less than its exports rise
    if (wild.producerHubImportRise[1] > 1) {
      const ri = rng.fork(`producer-hub-imports/${country}/${control.hs6}`);
      const importRise = ri.within(wild.producerHubImportRise);
      for (const c of world.components.filter((x) => x.exporter === 'CHN' && x.importer === country && x.hs6 === control.hs6)) ramp(c, t0, importRise, 6);
    }
    world.used.add(pairKey('CHN', country, control.hs6));
    taken.add(`${country}|${control.hs6}`);
    world.distractors.push({
      id: '', kind: 'producer_hub', countries: [country], hs6: control.hs6, from_period: axis.period(t0), factor: round(rise, 3),
    });
  }

  // growing destinations: every source of a code to one buyer rises, China's direct exports included
  const growthCandidates = licensed.flatMap((c) =>
    world.components
      .filter(
        (x) =>
          x.exporter === 'CHN' && x.hs6 === c.hs6 && x.kind === 'base' && x.importer !== 'USA' && synthCountry(x.importer).published &&
          !world.used.has(pairKey('CHN', x.importer, c.hs6)) && !taken.has(`${x.importer}|${c.hs6}`) &&
          !world.components.some((y) => y.importer === x.importer && y.hs6 === c.hs6 && y.kind === 'entrepot_out') &&
          hasOtherSource(world, x.importer, c.hs6),
      )
      .map((x) => ({ control: c, country: x.importer })),
  );
  for (const pick of pickSome(rng.fork('demand'), growthCandidates, knobs.demandGrowthCount, () => 1)) {
    const { control, country } = pick;
    const r = rng.fork(`demand/${country}/${control.hs6}`);
    const t0 = Math.min(Math.max(1, axis.index(control.start_period) + r.intWithin(wild.demandGrowthOffset)), axis.length - 12);
    const factor = r.within(knobs.demandGrowthFactor);
    const sources = world.components.filter((c) => c.importer === country && c.hs6 === control.hs6);
    if (!sources.some((c) => c.exporter !== 'CHN')) addSecondSource(world, r, country, control.hs6, sources[0]);
    for (const c of world.components.filter((x) => x.importer === country && x.hs6 === control.hs6)) {
      ramp(c, t0, factor, 6);
      world.used.add(pairKey(c.exporter, c.importer, c.hs6));
    }
    taken.add(`${country}|${control.hs6}`);
    world.distractors.push({
      id: '', kind: 'demand_growth', countries: [country], hs6: control.hs6, from_period: axis.period(t0), factor: round(factor, 3),
    });
  }
}

/** A control leaves room for a before and an after inside the panel. */
function inWindow(s: number, length: number): boolean {
  return s >= 2 && s <= length - 6;
}

function exportsOf(world: World, country: string, hs6: string): Component[] {
  return world.components.filter((c) => c.exporter === country && c.hs6 === hs6 && c.kind === 'base');
}

/** Multiplies from month t0 on by a factor reached linearly over `months`. */
export function ramp(c: Component, t0: number, factor: number, months: number): void {
  for (let t = t0; t + 1 < c.mult.length; t++) c.mult[t + 1] *= 1 + (factor - 1) * Math.min(1, (t - t0 + 1) / months);
}

/** Whether a buyer has, or can get, a source of the code other than China. */
function hasOtherSource(world: World, importer: string, hs6: string): boolean {
  return (
    world.components.some((c) => c.importer === importer && c.hs6 === hs6 && c.exporter !== 'CHN') ||
    world.producers.get(hs6)!.some(([p]) => p !== 'CHN' && p !== importer)
  );
}

/** A growing destination needs another source than China, so that "imports from all sources" means something. */
function addSecondSource(world: World, r: Rng, importer: string, hs6: string, china: Component): void {
  const others = world.producers.get(hs6)!.filter(([p]) => p !== 'CHN' && p !== importer);
  if (!others.length) return;
  const [p] = r.pick(others);
  world.components.push(
    makeComponent(world, r, {
      exporter: p, importer, hs6, origin: p, kind: 'base', uv: china.uvUsdPerKg * r.noise(0.1), base: china.raw[1] * r.uniform(0.2, 0.4), phase: 0,
    }),
  );
}

/** Up to `k` items with distinct countries and codes, drawn with weights. */
function pickSome<T extends { control: SynthControl; country: string }>(r: Rng, items: T[], k: number, weight: (x: T) => number): T[] {
  const out: T[] = [];
  let pool = items.slice();
  while (out.length < k && pool.length) {
    const x = r.weighted(pool, pool.map(weight));
    out.push(x);
    pool = pool.filter((y) => y.country !== x.country && y.control.hs6 !== x.control.hs6);
  }
  return out;
}
