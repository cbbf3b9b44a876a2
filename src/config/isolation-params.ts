import { z } from 'zod';
import type { IsolationParams } from '../detect/ml/isolation.ts';

/** Config schema of an isolation forest's settings (see src/detect/ml/isolation.ts); every detector that uses one shares it. */
export const isolationParamsSchema = z
  .object({
    trees: z.number().int().min(1).max(1000),
    sampleSize: z.number().int().min(2).max(65536),
    maxFitRows: z.number().int().min(2),
    seed: z.number().int(),
    nanPolicy: z.enum(['median', 'drop_feature']),
  })
  .strict() satisfies z.ZodType<IsolationParams>;
