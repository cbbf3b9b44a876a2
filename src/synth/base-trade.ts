import { synthCountry } from './countries.ts';
import type { SynthProduct } from './products.ts';
import type { Rng } from './random.ts';
import { type World, makeComponent } from './world.ts';

/**
 * Adds the world's ordinary trade: per code, China and the largest other producers selling to a weighted draw of
 * buyers, and (for some codes) a steady entrepôt that imports from China and re-exports to a few buyers
 * without reacting to controls (recorded as a `steady_entrepot` distractor). Pairs get their own size,
 * growth, seasonal phase and unit value; every month its own lognormal noise.
 */
export function buildBaseTrade(world: World): void {
  const rng = world.rng.fork('base-trade');
  const { knobs, countries } = world;
  const entrepotUse = new Map<string, number>();
  for (const product of world.products) {
    const r = rng.fork(product.hs6);
    const producers = activeProducers(product, countries, knobs.producersPerCode);
    world.producers.set(product.hs6, producers);
    const entrepot = chooseEntrepot(r, world, product, producers, entrepotUse);
    const phase = r.int(0, 11);
    // USA and the declaring country buy every code: the ban and the declarations need them
    const forced = new Set(['USA', knobs.declarationsCountry].filter((c) => countries.includes(c)));
    const pool = countries.filter((c) => !forced.has(c) && c !== entrepot);
    const demand = new Map<string, number>();
    const drawn = r.sampleWeighted(
      pool,
      pool.map((c) => synthCountry(c).size),
      Math.max(0, knobs.buyersPerCode - forced.size),
    );
    for (const b of [...forced, ...drawn]) demand.set(b, synthCountry(b).size * r.lognormal(0, 0.5));
    const buyers = [...demand.keys()];
    const exporterUv = new Map(producers.map(([p]) => [p, r.logUniform(...product.unitValueUsdPerKg)]));

    for (const [producer, share] of producers) {
      const mine = buyers.filter((b) => b !== producer);
      const links =
        producer === 'CHN'
          ? mine
          : r.sampleWeighted(
              mine,
              mine.map((b) => demand.get(b)!),
              knobs.producerLinks,
            );
      const total = links.reduce((s, b) => s + demand.get(b)!, 0);
      for (const b of links) {
        const base = (product.scaleUsdPerMonth * share * demand.get(b)!) / total;
        world.components.push(
          makeComponent(world, r, {
            exporter: producer, importer: b, hs6: product.hs6, origin: producer, kind: 'base',
            uv: exporterUv.get(producer)! * r.noise(0.05), base, phase: phase + r.int(-1, 1),
          }),
        );
      }
    }
    if (entrepot) addEntrepot(world, r, product, entrepot, buyers, phase);
  }
}

/** The largest `n` producers of a code among the countries in play (China always, when it produces), shares renormalised to 1. */
function activeProducers(product: SynthProduct, countries: readonly string[], n: number): [string, number][] {
  const inPlay = product.producers.filter(([c]) => countries.includes(c));
  const kept = inPlay.filter(([c], i) => c === 'CHN' || i < n);
  const sum = kept.reduce((s, [, w]) => s + w, 0);
  return kept.map(([c, w]) => [c, w / sum]);
}

function chooseEntrepot(
  r: Rng,
  world: World,
  product: SynthProduct,
  producers: [string, number][],
  use: Map<string, number>,
): string | null {
  if (!producers.some(([p]) => p === 'CHN') || !r.chance(world.knobs.entrepotShare)) return null;
  const candidates = world.knobs.entrepots.filter((e) => world.countries.includes(e) && !producers.some(([p]) => p === e));
  if (!candidates.length) return null;
  // spread the codes over the entrepôts: the least used first
  const least = Math.min(...candidates.map((e) => use.get(e) ?? 0));
  const e = r.pick(candidates.filter((c) => (use.get(c) ?? 0) === least));
  use.set(e, least + 1);
  return e;
}

function addEntrepot(world: World, r: Rng, product: SynthProduct, entrepot: string, buyers: string[], phase: number): void {
  const { knobs } = world;
  const base = product.scaleUsdPerMonth * r.uniform(0.04, 0.08);
  const uv = r.logUniform(...product.unitValueUsdPerKg);
  // steady: no growth and half the seasonality of ordinary trade (the noise is the same)
  const inbound = makeComponent(world, r, {
    exporter: 'CHN', importer: entrepot, hs6: product.hs6, origin: 'CHN', kind: 'entrepot_in', uv, base, phase,
    growth: 0, amplitude: knobs.seasonalAmplitude / 2,
  });
  world.components.push(inbound);
  const outs = r.shuffle(buyers.filter((b) => b !== entrepot && b !== 'CHN')).slice(0, r.int(2, 4));
  const weights = outs.map(() => r.uniform(0.5, 1.5));
  const wsum = weights.reduce((s, w) => s + w, 0);
  outs.forEach((b, i) => {
    const out = makeComponent(world, r, {
      exporter: entrepot, importer: b, hs6: product.hs6, origin: 'CHN', kind: 'entrepot_out', uv: uv * 1.03, base: 0, phase,
    });
    // re-exported within the month it arrived: the same shape as the inbound leg
    for (let s = 0; s < out.raw.length; s++) out.raw[s] = (inbound.raw[s] * 0.95 * weights[i]) / wsum * r.noise(knobs.flowSigma / 3);
    world.components.push(out);
  });
  for (const b of outs) world.used.add(`${entrepot}|${b}|${product.hs6}`);
  world.used.add(`CHN|${entrepot}|${product.hs6}`);
  world.distractors.push({
    id: '', kind: 'steady_entrepot', countries: [entrepot, ...outs.slice().sort()], hs6: product.hs6,
    from_period: world.axis.period(0), factor: null,
  });
}
