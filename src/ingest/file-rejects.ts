/** One input's share of rejected rows: what `--max-reject-rate` holds each file to, beside all files together. */
export interface FileRejects {
  file: string;
  examined: number;
  rejected: number;
}

/**
 * Follows the counts of a read file by file: `begin` before a file, `end` after it, from the running counts
 * (`examined` and `rejected` read them). A broken file among good ones is then named, not averaged away.
 */
export class FileRejectTracker {
  readonly files: FileRejects[] = [];
  private at = { examined: 0, rejected: 0 };

  constructor(
    private readonly examined: () => number,
    private readonly rejected: () => number,
  ) {}

  begin(): void {
    this.at = { examined: this.examined(), rejected: this.rejected() };
  }

  end(file: string): void {
    this.files.push({ file, examined: this.examined() - this.at.examined, rejected: this.rejected() - this.at.rejected });
  }

  /** The first file (in read order) whose own reject rate is above `max`, or null. */
  worst(max: number): (FileRejects & { rate: number }) | null {
    for (const f of this.files) {
      const rate = f.examined > 0 ? f.rejected / f.examined : 0;
      if (rate > max) return { ...f, rate };
    }
    return null;
  }
}

/** Sum of the `rejected.<reason>` counts whose reason is in `reasons`. */
export function rejectedFor(counts: Readonly<Record<string, number>>, reasons: ReadonlySet<string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(counts)) if (k.startsWith('rejected.') && reasons.has(k.slice(9))) n += v;
  return n;
}
