import { z } from 'zod';
import { cifFobDefaults, type CifFobParams } from '../detect/mirror/cif-fob.ts';
import { transshipmentDefaults, type TransshipmentParams } from '../detect/routes/transshipment.ts';
import { mirrorGapDefaults, type MirrorGapParams } from '../detect/mirror/mirror-gaps.ts';
import { mirrorMatchDefaults, type MirrorMatchParams } from '../detect/mirror/mirror-pairs.ts';
import { DECLARATION_RULES, declarationRuleDefaults, type DeclarationRuleParams } from '../detect/declarations/declaration-rules.ts';
import { declarationScoreDefaults, type DeclarationScoreParams } from '../detect/declarations/declaration-score.ts';
import { declarationIngestDefaults, declarationIngestSchema } from '../ingest/declaration-params.ts';
import { declarationModelDefaults } from '../detect/declarations/declaration-model.ts';
import { declarationModelSchema } from './declaration-model-params.ts';
import { isolationParamsSchema } from './isolation-params.ts';

/** Settings of the run machinery (partitions, locks, concurrency). */
export const runParamsSchema = z
  .object({
    /** Product selector for pipelines (default `@catalog`: every code in the control catalog). */
    hs: z.string().min(1),
    /** Keep the newest N complete partitions per pipeline; 0 keeps all (default 0). */
    keep: z.number().int().min(0),
    /** Independent pipelines run in parallel up to this many (default 2, the machine's cores). */
    concurrency: z.number().int().min(1).max(64),
    /** Lock heartbeat interval, seconds (default 30). */
    heartbeatSeconds: z.number().positive(),
    /** A lock whose heartbeat is older than this is stale and taken over, minutes (default 10). */
    staleLockMinutes: z.number().positive(),
    /**
     * An `--as-of` after the last period of the inputs: `false` publishes nothing (exit 0, `run.no_new_data`, "no data
     * yet"); `true` publishes the partition anyway, its manifest and report saying the data end earlier (`data_through`,
     * warning check `as_of_after_data`) (default false; `run --allow-as-of-after-data`).
     */
    allowAsOfAfterData: z.boolean(),
    /** Review verdicts (`--reviews`). */
    reviews: z
      .object({
        /** A dismissed flag comes back when its score rose by more than this since the verdict (score units, default 0.1). */
        resurfaceMargin: z.number().min(0),
      })
      .strict(),
  })
  .strict();

/** Resolved run settings. */
export type RunParams = z.infer<typeof runParamsSchema>;

/** Defaults for {@link RunParams}. */
export const runDefaults: RunParams = {
  hs: '@catalog',
  keep: 0,
  concurrency: 2,
  heartbeatSeconds: 30,
  staleLockMinutes: 10,
  allowAsOfAfterData: false,
  reviews: { resurfaceMargin: 0.1 },
};

/** Config schema of the mirror matcher; `satisfies` keeps it in step with {@link MirrorMatchParams}. */
const mirrorMatchSchema = z
  .object({
    windows: z.array(z.enum(['M', 'R3', 'R12', 'Y'])).min(1),
    excludeSources: z.array(z.string()),
    confidentialCoverShare: z.number().min(0).max(1),
    partialPublicationShare: z.number().min(0).max(1),
    partialPublicationValueShare: z.number().min(0).max(1),
    minPeriodsForUsual: z.number().int().min(1),
  })
  .strict() satisfies z.ZodType<MirrorMatchParams>;

/** Config schema of the mirror-gap scorer; `satisfies` keeps it in step with {@link MirrorGapParams}. */
const mirrorGapSchema = z
  .object({
    flagWindows: z.array(z.enum(['M', 'R3', 'R12', 'Y'])),
    minAbsLogRatio: z.number().min(0),
    minZ: z.number().min(0),
    minZComparable: z.number().min(0),
    minAbsQuantityLogRatio: z.number().min(0),
    maxBookedElsewhereRatio: z.number().min(1),
    minZBookedElsewhere: z.number().min(0),
    minLogRatioBookedElsewhere: z.number().min(0),
    minValueUsd: z.number().min(0),
    minGapUsd: z.number().min(0),
    ghostMinValueUsd: z.number().min(0),
    maxAbsLogKgRatio: z.number().min(0),
    requirePersistence: z.boolean(),
    minGroupForZ: z.number().int().min(2),
    reliabilityFloor: z.number().positive(),
  })
  .strict() satisfies z.ZodType<MirrorGapParams>;

/** Config schema of the CIF/FOB margin model; `satisfies` keeps it in step with {@link CifFobParams}. */
const cifFobSchema = z
  .object({
    flatRatio: z.number().min(1).max(2),
    minMargin: z.number().min(0).max(1),
    maxMargin: z.number().min(0).max(1),
    minValueUsd: z.number().min(0),
    minFitPairs: z.number().int().min(1),
    maxAbsLogRatioForFit: z.number().positive(),
  })
  .strict() satisfies z.ZodType<CifFobParams>;

/** The `mirror` config slice. */
export const mirrorParamsSchema = z
  .object({
    match: mirrorMatchSchema,
    cifFob: cifFobSchema,
    gaps: mirrorGapSchema,
    /** Flagged pairs at most, the best scored first; the scored table keeps every pair (default 100: what a team can review). */
    reviewBudget: z.number().int().min(0),
  })
  .strict();
/** Resolved `mirror` settings. */
export type MirrorParams = z.infer<typeof mirrorParamsSchema>;
/** Defaults of the `mirror` slice. */
export const mirrorDefaults: MirrorParams = { match: mirrorMatchDefaults, cifFob: cifFobDefaults, gaps: mirrorGapDefaults, reviewBudget: 100 };

/** Config schema of the transshipment scorer; `satisfies` keeps it in step with {@link TransshipmentParams}. */
export const transshipmentParamsSchema = z
  .object({
    origin: z.string().regex(/^[A-Z]{3}$/),
    minLegUsdPerMonth: z.number().min(0),
    includeBaskets: z.boolean(),
    cifFobRatio: z.number().min(1).max(2),
    maxLagMonths: z.number().int().min(0).max(12),
    surgeFloorShare: z.number().positive(),
    baselineMonths: z.number().int().min(1).max(60),
    postMonths: z.number().int().min(1).max(60),
    stockpileMonths: z.number().int().min(0).max(6),
    pauseMonths: z.number().int().min(0).max(6),
    minPostYearShare: z.number().min(0).max(1),
    hsRevision: z.string().regex(/^HS\d{4}$/),
    chain: z
      .object({
        minLinkZ: z.number().min(0),
        minLogRise: z.number().min(0),
        passThroughMin: z.number().min(0).max(2),
        counterfactualMinLog: z.number().min(0),
        minPrePeriods: z.number().int().min(2),
        sizeBand: z.number().min(1),
        minComparableFlows: z.number().int().min(3),
        minPlaceboCodes: z.number().int().min(1),
        minLogNoise: z.number().min(0),
      })
      .strict(),
    gates: z
      .object({
        unitValueZeroLog: z.number().positive(),
        originKeptFullLog: z.number().positive(),
        newExporterZeroShare: z.number().positive().max(1),
        ghostShareGate: z.number().min(0).max(1),
        lagMinCorrelation: z.number().min(-1).max(1),
      })
      .strict(),
    isolation: isolationParamsSchema,
  })
  .strict() satisfies z.ZodType<TransshipmentParams>;

/** Defaults of the `transshipment` slice. */
export { transshipmentDefaults };

const share = z.number().min(0).max(1);

/** The `declarations` slice: how declarations are read, screened and scored. */
export const declarationsParamsSchema = z
  .object({
    ingest: declarationIngestSchema,
    rules: z
      .object({
        maxAbsUnitValueZ: z.number().positive(),
        minGroupSize: z.number().int().min(2),
        minLogUnitValueSpread: z.number().min(0),
        misclassifiedMinAbsZ: z.number().positive(),
        misclassifiedMaxAbsZControlled: z.number().positive(),
        maxMassQuantityGap: z.number().min(0),
        splitThresholdUsd: z.number().positive(),
        splitLowShare: share,
        splitMinCount: z.number().int().min(2),
        splitWindowDays: z.number().positive(),
        newConsigneeDays: z.number().min(0),
        newConsigneeMinUsd: z.number().min(0),
        falseOriginMaxPriorShare: share,
        flaggedRouteMonthsAfter: z.number().int().min(0),
        controlOrigin: z.string().regex(/^[A-Z]{3}$/),
        weights: z.object(Object.fromEntries(DECLARATION_RULES.map((r) => [r, share])) as Record<(typeof DECLARATION_RULES)[number], typeof share>).strict(),
      })
      .strict() satisfies z.ZodType<DeclarationRuleParams>,
    model: declarationModelSchema,
    score: z
      .object({
        weights: z.object({ rules: z.number().min(0), isolation: z.number().min(0) }).strict(),
        modelWeight: share,
        flagThreshold: share,
        flagTopShare: share,
        isolation: isolationParamsSchema,
      })
      .strict() satisfies z.ZodType<DeclarationScoreParams>,
  })
  .strict();

/** Resolved `declarations` settings. */
export type DeclarationsParams = z.infer<typeof declarationsParamsSchema>;

/** Defaults of the `declarations` slice. */
export const declarationsDefaults: DeclarationsParams = {
  ingest: declarationIngestDefaults,
  rules: declarationRuleDefaults,
  model: declarationModelDefaults,
  score: declarationScoreDefaults,
};
