import { z } from 'zod';

/** Settings of `tradewatch fetch comtrade`: where the API is, what is asked, how hard to try. */
export const fetchParamsSchema = z
  .object({
    /** Product selector when `--hs` is not given (default `@catalog`); `all` is refused: it would be the whole dataset. */
    hs: z.string().min(1),
    /** Scheme and host of the API, no trailing path (default `https://comtradeapi.un.org`). */
    baseUrl: z.string().url(),
    /** Endpoint paths; `{freq}` is replaced by `M` or `A`. */
    paths: z
      .object({
        /** Final data with a subscription key (default `/data/v1/get/C/{freq}/HS`). */
        data: z.string().startsWith('/'),
        /** Final data without a key (default `/public/v1/preview/C/{freq}/HS`). */
        preview: z.string().startsWith('/'),
        /** Data availability with a key (default `/data/v1/getDa/C/{freq}/HS`). */
        availability: z.string().startsWith('/'),
        /** Data availability without a key (default `/public/v1/getDA/C/{freq}/HS`). */
        previewAvailability: z.string().startsWith('/'),
      })
      .strict(),
    /** Result cap with a key, records per request (default 250,000); an answer this long is treated as truncated. */
    maxRecords: z.number().int().min(1),
    /** Result cap of the keyless preview, records per request (default 500). */
    previewMaxRecords: z.number().int().min(1),
    /** Periods asked in one request at most (default 12). */
    maxPeriodsPerRequest: z.number().int().min(1).max(120),
    /** `flowCode` values asked (default X, M, RX, RM); an empty list asks for every flow. */
    flowCodes: z.array(z.string().regex(/^[A-Z]{1,3}$/)),
    /** `partnerCode` sent ('' = every partner, the default). */
    partnerCode: z.string(),
    /** `partner2Code` sent (default '0': no breakdown by country of consignment; '' = every one). */
    partner2Code: z.string(),
    /** `motCode` sent (default '0': all modes of transport together; '' = every one). */
    motCode: z.string(),
    /** `customsCode` sent (default 'C00': all customs procedures together; '' = every one). */
    customsCode: z.string(),
    /** Ask for description columns too (default false: smaller answers; ingest does not need them). */
    includeDesc: z.boolean(),
    /** Requests in flight at once (default 2). */
    concurrency: z.number().int().min(1).max(16),
    /** Retries after a 429, a 5xx, a timeout or a broken answer, per request (default 5). */
    maxRetries: z.number().int().min(0).max(20),
    /** First back-off wait, seconds; doubles with each retry (default 1). */
    backoffBaseSeconds: z.number().min(0),
    /** Longest back-off wait, seconds (default 60); a `Retry-After` from the server is honoured as given. */
    backoffMaxSeconds: z.number().min(0),
    /** A request with no answer after this long is retried, seconds (default 120). */
    timeoutSeconds: z.number().positive(),
  })
  .strict();

/** Resolved fetch settings. */
export type FetchParams = z.infer<typeof fetchParamsSchema>;

/** Defaults for {@link FetchParams}. */
export const fetchDefaults: FetchParams = {
  hs: '@catalog',
  baseUrl: 'https://comtradeapi.un.org',
  paths: {
    data: '/data/v1/get/C/{freq}/HS',
    preview: '/public/v1/preview/C/{freq}/HS',
    availability: '/data/v1/getDa/C/{freq}/HS',
    previewAvailability: '/public/v1/getDA/C/{freq}/HS',
  },
  maxRecords: 250_000,
  previewMaxRecords: 500,
  maxPeriodsPerRequest: 12,
  flowCodes: ['X', 'M', 'RX', 'RM'],
  partnerCode: '',
  partner2Code: '0',
  motCode: '0',
  customsCode: 'C00',
  includeDesc: false,
  concurrency: 2,
  maxRetries: 5,
  backoffBaseSeconds: 1,
  backoffMaxSeconds: 60,
  timeoutSeconds: 120,
};
