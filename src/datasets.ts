/**
 * The datasets one pipeline writes and another reads, each declared once: which pipeline writes it, the output
 * table it is, the command-line flag that names one by hand, and what the flag says. Everything else follows
 * from here: the pipeline inputs that can be declared, the `run` flags and the `schedule` job keys, the order
 * `run all` runs the pipelines in (a reader after the writers of what it reads), which table `run all` hands
 * from one pipeline to the next, and how `backtest` and `tune` chain them in memory. Adding a pipeline that
 * reads an existing dataset is one file in `pipelines/`; reading a new one is one entry here.
 */
export const HANDOFFS = {
  mirror: {
    producer: 'mirror-gaps',
    output: 'mirror_pairs',
    help: "a mirror-gaps partition (or output root, or the file) whose mirror_pairs.parquet to use (default: match mirror pairs in the run; 'run all' uses its own mirror-gaps run)",
  },
  routes: {
    producer: 'transshipment',
    output: 'flagged_routes',
    help: "a flagged_routes.parquet (or a transshipment partition, or output root, holding one); 'run all' uses its own",
  },
} as const satisfies Record<string, HandoffDecl>;

/** One dataset a pipeline hands to another. */
export interface HandoffDecl {
  /** The pipeline that writes it (a file name in `pipelines/`). */
  producer: string;
  /** The output table it is: `<output>.parquet` in the producer's partition. */
  output: string;
  /** What `--<key>` takes, for `run --help` (the readers are named before it). */
  help: string;
}

/** The key of a handed-on dataset: its `PipelineInputs` field, its `--<key>` flag and its schedule job key. */
export type HandoffKey = keyof typeof HANDOFFS;

/** The keys in declaration order. */
export const HANDOFF_KEYS = Object.keys(HANDOFFS) as HandoffKey[];

/** The file a handed-on dataset is written as. */
export function handoffFile(key: HandoffKey): string {
  return `${HANDOFFS[key].output}.parquet`;
}

/**
 * The tables a run over every product shares with runs over a part of them (`--global DIR`, `GlobalTables` in
 * `src/pipeline.ts`): which pipeline writes each and as which output.
 */
export const GLOBAL_DATASETS = {
  coverage: { producer: 'coverage', output: 'coverage' },
  reliability: { producer: 'mirror-gaps', output: 'reporter_reliability' },
  cifFobObservations: { producer: 'mirror-gaps', output: 'cif_fob_observations' },
} as const satisfies Record<string, { producer: string; output: string }>;

