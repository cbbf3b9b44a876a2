import type { Catalog } from '../reference/catalog.ts';
import { UsageError } from '../base/errors.ts';
import { applyControls } from './apply-controls.ts';
import { writeBaciHs17 } from './baci-csv.ts';
import { buildBaseTrade } from './base-trade.ts';
import { chooseReporters } from './choose-reporters.ts';
import { writeComtradeCsv } from './comtrade-csv.ts';
import { selectSynthControls } from './controls.ts';
import { SYNTH_COUNTRIES, synthCountry } from './countries.ts';
import { injectDeclarationAnomalies } from './declaration-anomalies.ts';
import { DECLARATION_FX_USD, DeclarationBook } from './declarations.ts';
import { writeDeclarationsCsv } from './declarations-csv.ts';
import { injectDistractors } from './inject-distractors.ts';
import { injectMirrorAnomalies } from './inject-mirror.ts';
import { injectRoutes } from './inject-routes.ts';
import { injectWildDistractors } from './inject-wild-distractors.ts';
import { chooseWildReporting, injectWildMirror } from './inject-wild-mirror.ts';
import { type SynthKnobs, type SynthPreset, resolveSynthKnobs } from './knobs.ts';
import { MonthAxis } from './month-axis.ts';
import { synthProduct } from './products.ts';
import { Rng } from './random.ts';
import { recordTrade } from './record-trade.ts';
import { SYNTH_TRUTH_SCHEMA, type SynthTruth, formatTruthJson, routeFamilies } from './truth.ts';
import type { World } from './world.ts';

/** What to generate: a seed, a preset, and knobs to override. */
export interface SynthOptions {
  /** Any non-negative integer; seeds 1–5 are for tuning, 101–120 for testing detection quality. */
  seed: number;
  /** `easy`, `hard` (fixed layouts) or `wild` (knobs drawn per seed from the ranges of `wild-knobs.ts`). */
  preset: SynthPreset;
  /** Overrides of preset knobs. */
  overrides?: Partial<SynthKnobs>;
}

/** The generated files (name → text) and the truth they were built from. */
export interface SynthOutput {
  /** `trade/comtrade_<seed>.csv`, `declarations/declarations_<seed>.csv` and `truth.json` (wild adds `trade/BACI_HS17_…`). */
  files: Record<string, string>;
  truth: SynthTruth;
}

/**
 * Generates a synthetic world for a seed: a monthly trade panel in the Comtrade Plus bulk CSV layout,
 * customs declarations of one country, and `truth.json` listing every injected route, mirror anomaly,
 * declaration anomaly and distractor. Pure and deterministic: the same options and catalog give
 * byte-identical files. Controls come from `catalog`. Throws {@link UsageError} for a bad seed or knob.
 */
export function synthWorld(opts: SynthOptions, catalog: Catalog): SynthOutput {
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new UsageError(`synth: seed ${opts.seed} is not a non-negative integer`);
  const knobs = resolveSynthKnobs(opts.preset, opts.overrides, opts.seed);
  const axis = new MonthAxis(knobs.startPeriod, knobs.endPeriod);
  const rng = new Rng(`synth:${opts.seed}:${opts.preset}`);
  const controls = selectSynthControls(catalog, knobs.codes, axis);
  const world: World = {
    seed: opts.seed, preset: opts.preset, knobs, axis, rng,
    countries: SYNTH_COUNTRIES.slice(0, knobs.countryCount).map((c) => c.iso3),
    products: knobs.codes.map(synthProduct), producers: new Map(),
    controls: [], components: [], routes: [], distractors: [], mirror: [],
    reporting: {
      nonReporters: new Map(), lateMonths: new Map(), noisySigma: new Map(), fobImporters: new Set(), partner2Reporters: new Set(),
      annual: new Set(), windows: new Map(), partial: new Map(),
    },
    lagPairs: new Set(), used: new Set(), marginOverride: new Map(),
  };
  const wild = opts.preset === 'wild';

  buildBaseTrade(world);
  injectDistractors(world, controls); // before the controls, so the legs it adds are shaped by them
  applyControls(world, controls);
  if (wild) injectWildDistractors(world, controls);
  injectRoutes(world);
  chooseReporters(world);
  injectMirrorAnomalies(world);
  if (wild) {
    chooseWildReporting(world);
    injectWildMirror(world);
  }
  const trade = writeComtradeCsv(world, recordTrade(world));
  const hs17 = wild && world.knobs.hs2017Source ? writeBaciHs17(world) : null;
  const book = new DeclarationBook(world, rng.fork('declarations'));
  book.build();
  const pending = injectDeclarationAnomalies(world, book, rng.fork('declaration-anomalies'));
  const declarations = writeDeclarationsCsv(world, book.list, pending);

  world.distractors.forEach((d, i) => (d.id = `X${String(i + 1).padStart(2, '0')}`));
  world.mirror.forEach((m, i) => (m.id = `M${String(i + 1).padStart(2, '0')}`));
  const tradeFile = `trade/comtrade_${opts.seed}.csv`;
  const declarationsFile = `declarations/declarations_${opts.seed}.csv`;
  const { reporting } = world;
  const annualReporters = [...reporting.annual].sort((a, b) => world.countries.indexOf(a) - world.countries.indexOf(b));
  if (wild) for (const r of world.routes) r.families = routeFamilies(r, annualReporters);
  const inPlay = (c: string) => world.countries.indexOf(c);
  const byPlay = (a: string, b: string) => inPlay(a) - inPlay(b);
  const truth: SynthTruth = {
    schema: SYNTH_TRUTH_SCHEMA,
    seed: opts.seed,
    preset: opts.preset,
    knobs,
    periods: [...axis.periods],
    countries: world.countries.map((c) => ({ iso3: c, comtrade_code: synthCountry(c).code, name: synthCountry(c).name })),
    codes: codesTruth(world, catalog),
    controls: world.controls,
    declarations_country: knobs.declarationsCountry,
    currencies_usd: { ...DECLARATION_FX_USD },
    routes: world.routes,
    mirror_anomalies: world.mirror,
    declaration_anomalies: declarations.anomalies,
    distractors: world.distractors,
    non_reporters: [...reporting.nonReporters.keys()].sort(byPlay).map((iso3) => ({ iso3, reason: reporting.nonReporters.get(iso3)! })),
    late_reporters: [...reporting.lateMonths.keys()].sort(byPlay).map((iso3) => {
      const missing = reporting.lateMonths.get(iso3)!;
      return { iso3, missing_months: missing, last_period: axis.period(axis.length - 1 - missing) };
    }),
    noisy_reporters: [...reporting.noisySigma.keys()].sort(byPlay).map((iso3) => ({ iso3, sigma: reporting.noisySigma.get(iso3)! })),
    fob_importers: [...reporting.fobImporters].sort(byPlay),
    partner2_reporters: [...reporting.partner2Reporters].sort(byPlay),
    ...(wild ? { annual_reporters: annualReporters } : {}),
    import_lag_pairs: [...world.lagPairs].sort().map((k) => {
      const [exporter, importer, hs6] = k.split('|');
      return { exporter, importer, hs6 };
    }),
    row_counts: { [tradeFile]: trade.rows, ...(hs17 ? { [hs17.name]: hs17.rows } : {}), [declarationsFile]: declarations.rows },
  };
  return {
    files: {
      [tradeFile]: trade.text, ...(hs17 ? { [hs17.name]: hs17.text } : {}), [declarationsFile]: declarations.text, 'truth.json': formatTruthJson(truth),
    },
    truth,
  };
}

function codesTruth(world: World, catalog: Catalog): SynthTruth['codes'] {
  return world.products.map((p) => {
    const iv = catalog.intervals.find((x) => x.hs6 === p.hs6 && x.origin === 'CHN' && x.verified);
    const comparator = catalog.comparators.some((c) => c.hs6 === p.hs6);
    return {
      hs6: p.hs6,
      mineral: iv ? iv.mineral : p.mineral,
      role: iv ? 'controlled' : comparator ? 'comparator' : 'uncontrolled',
      specificity: iv ? iv.specificity : null,
      unit_value_usd_per_kg: [p.unitValueUsdPerKg[0], p.unitValueUsdPerKg[1]],
    };
  });
}
