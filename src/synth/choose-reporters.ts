import { synthCountry } from './countries.ts';
import { type World, pairKey } from './world.ts';

/**
 * Decides who reports what, after routes and distractors are placed: Taiwan never appears as a reporter
 * (Comtrade publishes none), silent hubs were set by the routes, and a few other countries never report;
 * some reporters lack their newest months, some are noisy, some write `fobvalue` on imports, one may
 * write partner2 rows for all its imports; and a share of pairs is recorded a month late by the importer.
 * The origin, the USA, the declaring country, route parties, entrepôts and distractor countries keep reporting.
 */
export function chooseReporters(world: World): void {
  const rng = world.rng.fork('reporters');
  const { knobs, countries, reporting } = world;
  for (const c of countries) if (!synthCountry(c).published) reporting.nonReporters.set(c, 'not_published');
  const keep = new Set(['CHN', 'USA', knobs.declarationsCountry, ...knobs.entrepots]);
  for (const r of world.routes) keep.add(r.hub).add(r.destination);
  for (const d of world.distractors) keep.add(d.countries[0]);
  // only countries that trade: silence or lateness of a country without trade would show nowhere
  const trading = new Set(world.components.flatMap((c) => [c.exporter, c.importer]));
  const silent = rng.fork('never').shuffle(countries.filter((c) => trading.has(c) && !keep.has(c) && !reporting.nonReporters.has(c)));
  for (const c of silent.slice(0, knobs.nonReporterCount)) reporting.nonReporters.set(c, 'never');

  const reporters = countries.filter((c) => trading.has(c) && !reporting.nonReporters.has(c));
  const lateRng = rng.fork('late');
  for (const c of lateRng.shuffle(reporters.filter((c) => c !== 'CHN')).slice(0, knobs.lateReporterCount)) {
    reporting.lateMonths.set(c, lateRng.intWithin(knobs.lateMonths));
  }
  const noisyRng = rng.fork('noisy');
  for (const c of noisyRng.shuffle(reporters.filter((c) => c !== 'CHN' && c !== 'USA')).slice(0, knobs.noisyReporterCount)) {
    reporting.noisySigma.set(c, knobs.noisyReporterSigma);
  }
  const fobRng = rng.fork('fob');
  for (const c of reporters) if (fobRng.chance(knobs.importerFobShare)) reporting.fobImporters.add(c);
  // one importer that writes partner2 rows for everything (partner2 = partner): consignment rows are not only routes
  const p2Rng = rng.fork('partner2');
  const p2Pool = reporters.filter((c) => !reporting.partner2Reporters.has(c) && !world.routes.some((r) => r.destination === c));
  if (p2Pool.length && p2Rng.chance(knobs.consignmentShare)) reporting.partner2Reporters.add(p2Rng.pick(p2Pool));

  const lagRng = rng.fork('lag');
  const seen = new Set<string>();
  for (const c of world.components) {
    const key = pairKey(c.exporter, c.importer, c.hs6);
    if (world.lagPairs.has(key) || seen.has(key)) continue;
    seen.add(key);
    if (lagRng.chance(knobs.importLagShare)) world.lagPairs.add(key);
  }
}
