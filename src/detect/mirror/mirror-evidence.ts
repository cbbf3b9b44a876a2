import type { Table } from 'apache-arrow';
import { readCodes, readFloats } from '../../table/read.ts';
import { PAIR_STATUS } from './mirror-pairs.ts';

/** What a route's legs look like in the mirror pairs over a window: the two mirror signals and how much could be judged. */
export interface MirrorLegEvidence {
  /** Share of what the exporter says it sent that the importer, publishing and with no residual to hide it, did not record: 0–1, NaN if nothing could be judged. */
  ghostShare: number;
  /** ln((importer's FOB-basis record + 1) / (exporter's record + 1)) over the windows both could judge; NaN if none. */
  keptLogRatio: number;
  /** Periods left out because the pair was `possibly_confidential`, `counterpart_not_reporting`, `unobserved` or `partially_published`. */
  periodsNotJudged: number;
}

const ST = Object.fromEntries(PAIR_STATUS.map((s, i) => [s, i])) as Record<(typeof PAIR_STATUS)[number], number>;

/** The columns of a pair table {@link MirrorEvidence} reads (`importer_value_fob_usd` when there is one). */
export const MIRROR_EVIDENCE_COLUMNS = [
  'exporter', 'importer', 'hs6', 'window', 'period_start', 'status', 'exporter_value_usd', 'importer_value_usd', 'importer_value_fob_usd',
] as const;

/**
 * The base-frequency windows (`M` on monthly data, `Y` on annual) of a mirror-pairs table, indexed by
 * exporter → importer × HS6 × period, so the transshipment scorer reads its mirror signals from the mirror
 * run's statuses (coverage- and confidentiality-aware) instead of raw records. Importers' values are put on
 * the FOB basis with the pair's own `importer_value_fob_usd` when the table has it (a scored mirror run),
 * else with `flatCifFobRatio`. Built once; lookups are O(periods). Pure.
 */
export class MirrorEvidence {
  private readonly rows = new Map<string, number>();
  private readonly x: Float64Array;
  private readonly mFob: Float64Array;
  private readonly status: Int32Array;
  private readonly statusIndex: number[];

  /** Pairs the index holds (base-frequency windows). */
  readonly size: number;

  constructor(pairs: Table, flatCifFobRatio: number) {
    const who = 'MirrorEvidence';
    const exp = readCodes(pairs, 'exporter', who);
    const imp = readCodes(pairs, 'importer', who);
    const hs6 = readCodes(pairs, 'hs6', who);
    const win = readCodes(pairs, 'window', who);
    const start = readCodes(pairs, 'period_start', who);
    const st = readCodes(pairs, 'status', who);
    this.x = readFloats(pairs, 'exporter_value_usd', who);
    const m = readFloats(pairs, 'importer_value_usd', who);
    const fobCol = pairs.schema.fields.some((f) => f.name === 'importer_value_fob_usd') ? readFloats(pairs, 'importer_value_fob_usd', who) : null;
    this.mFob = new Float64Array(pairs.numRows);
    for (let i = 0; i < pairs.numRows; i++) this.mFob[i] = fobCol && fobCol[i] === fobCol[i] ? fobCol[i] : m[i] / flatCifFobRatio;
    this.status = st.codes;
    // status codes of this table → PAIR_STATUS order (a table read back from Parquet may order its dictionary differently)
    this.statusIndex = st.values.map((v) => {
      const k = PAIR_STATUS.indexOf(v as (typeof PAIR_STATUS)[number]);
      if (k < 0) throw new Error(`${who}: unknown pair status '${v}' in column 'status' (expected one of ${PAIR_STATUS.join(', ')})`);
      return k;
    });
    for (let i = 0; i < pairs.numRows; i++) {
      const w = win.codes[i] >= 0 ? win.values[win.codes[i]] : '';
      if (w !== 'M' && w !== 'Y') continue;
      if (exp.codes[i] < 0 || imp.codes[i] < 0 || hs6.codes[i] < 0 || start.codes[i] < 0) continue;
      this.rows.set(`${exp.values[exp.codes[i]]}|${imp.values[imp.codes[i]]}|${hs6.values[hs6.codes[i]]}|${start.values[start.codes[i]]}`, i);
    }
    this.size = this.rows.size;
  }

  /** The evidence on exporter → importer in `hs6` over `periods` (`YYYY-MM` or `YYYY`, the data's own frequency). */
  leg(exporter: string, importer: string, hs6: string, periods: readonly string[]): MirrorLegEvidence {
    let xSum = 0;
    let mSum = 0;
    let notJudged = 0;
    for (const period of periods) {
      const i = this.rows.get(`${exporter}|${importer}|${hs6}|${period}`);
      if (i === undefined) continue; // neither side recorded anything: nothing to judge
      const s = this.statusIndex[this.status[i]];
      const x = this.x[i] === this.x[i] ? this.x[i] : 0;
      const m = this.mFob[i] === this.mFob[i] ? this.mFob[i] : 0;
      if (s === ST.possibly_confidential || s === ST.counterpart_not_reporting || s === ST.unobserved || s === ST.partially_published) {
        notJudged++;
        continue;
      }
      // matched, ghost, exporter_only, importer_only: both sides published, so a missing side means no record
      xSum += x;
      mSum += m;
    }
    return {
      // netted over the window, so a shipment booked a month apart on the two sides is not a ghost
      ghostShare: xSum > 0 ? Math.max(0, xSum - mSum) / xSum : NaN,
      keptLogRatio: mSum > 0 ? Math.log((mSum + 1) / (xSum + 1)) : NaN,
      periodsNotJudged: notJudged,
    };
  }
}
