import { z } from 'zod';
import { isolationParamsSchema } from './isolation-params.ts';
import { DECLARATION_NUMERIC_FEATURES } from '../detect/declarations/declaration-features.ts';
import { declarationEvaluationDefaults, type DeclarationEvaluationParams } from '../evaluate/declaration-evaluation.ts';
import { declarationModelDefaults, type DeclarationModelParams } from '../detect/declarations/declaration-model.ts';

const numericFeature = z.enum(DECLARATION_NUMERIC_FEATURES);
const yearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const share = z.number().gt(0).max(1);

/** Config schema of the learned declaration model; `satisfies` keeps it in step with {@link DeclarationModelParams}. */
export const declarationModelSchema = z
  .object({
    categorical: z.array(z.string().min(1)),
    numeric: z.array(numericFeature),
    encoding: z.object({ smoothing: z.number().min(0) }).strict(),
    logistic: z.object({ l2: z.number().min(0), maxIterations: z.number().int().min(1), tolerance: z.number().positive() }).strict(),
  })
  .strict() satisfies z.ZodType<DeclarationModelParams>;

/** Config schema of the labelled-declaration evaluation; `satisfies` keeps it in step with {@link DeclarationEvaluationParams}. */
export const declarationEvaluationSchema = z
  .object({
    trainUntil: yearMonth,
    validUntil: yearMonth,
    testUntil: yearMonth,
    ks: z.array(share).min(1),
    chooseAtK: share,
    grid: z
      .object({
        smoothing: z.array(z.number().min(0)).min(1),
        l2: z.array(z.number().min(0)).min(1),
        modelWeight: z.array(z.number().min(0).max(1)).min(1),
      })
      .strict(),
    model: declarationModelSchema,
    isolation: isolationParamsSchema,
    isolationFeatures: z.array(numericFeature).min(1),
    hs6Smoothing: z.number().min(0),
    naiveBayesAlpha: z.number().positive(),
    bootstrap: z.object({ replicates: z.number().int().min(10), seed: z.number().int(), level: z.number().gt(0).lt(1) }).strict(),
    randomSeed: z.number().int(),
  })
  .strict() satisfies z.ZodType<DeclarationEvaluationParams>;

/** Defaults of the two slices (re-exported so a config registry finds schema and defaults in one place). */
export { declarationEvaluationDefaults, declarationModelDefaults };
