import type { Table } from 'apache-arrow';
import type { Catalog } from '../../reference/catalog.ts';
import { readCodes } from '../../table/read.ts';

/** One judgement a route was flagged under: its control and the post window it was judged on (`YYYY-MM` or `YYYY`). */
export interface FlaggedJudgement {
  controlId: string | null;
  periodStart: string;
  periodEnd: string;
}

/**
 * When a flagged route counts against a declaration (`via_flagged_hub`, `origin_flagged_hub`). A route row of
 * `flagged_routes.parquet` carries every judgement it was made under in `controls` (control, frequency, post
 * window `period_start`…`period_end`, flagged or not). A declaration dated `date` matches the route when one of
 * its **flagged** judgements holds that date: from the first day the judgement's control was in force for the
 * route's code and destination (the catalog's first active interval of that control; the post window's first
 * month when the catalog does not know the control for the code) to the last day of the post window plus
 * `monthsAfter` months. The post window is the evidence; the months between the control's start and the window
 * (the licensing pause) are when goods began to take the route, and they keep taking it for a while after the
 * months it was measured on. A suspension inside that span does not end it: through the US ban's suspension
 * (2025-11-09…2026-11-27) licensing stays in force, and the goods already routed around the controls keep coming.
 * A file without `controls` (an older one) is read from the lead judgement's `control_id`, `period_start`,
 * `period_end` and `flagged` (a row without `flagged` counts as flagged). Memoised per route and date.
 */
export class RouteWindows {
  /** Per route row, its flagged judgements as [first day, first day after] in ms since the epoch. */
  private readonly spans: [number, number][][];
  private readonly memo = new Map<string, boolean>();

  constructor(routes: Table, catalog: Catalog, monthsAfter: number, who: string) {
    const judgements = flaggedJudgements(routes, who);
    const hs = readCodes(routes, 'hs6', who);
    const de = readCodes(routes, 'destination', who);
    this.spans = judgements.map((js, r) => {
      const hs6 = hs.codes[r] >= 0 ? hs.values[hs.codes[r]] : '';
      const dest = de.codes[r] >= 0 ? de.values[de.codes[r]] : '';
      const out: [number, number][] = [];
      for (const j of js) {
        const start = periodBounds(j.periodStart);
        const end = periodBounds(j.periodEnd);
        if (!start || !end) continue;
        // the first day after the window's last month, moved on by monthsAfter months (Date.UTC carries months over)
        const after = Date.UTC(end.year, end.monthAfter + monthsAfter, 1);
        const began = controlStart(catalog, j.controlId, hs6, dest);
        out.push([began ?? Date.UTC(start.year, start.month, 1), after]);
      }
      return out;
    });
  }

  /** Whether route row `r` was flagged for a span holding `date` (YYYY-MM-DD; anything else holds nothing). */
  holds(r: number, date: string): boolean {
    const k = `${r}|${date}`;
    let v = this.memo.get(k);
    if (v === undefined) {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
      const day = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
      v = this.spans[r].some(([a, b]) => day >= a && day < b);
      this.memo.set(k, v);
    }
    return v;
  }
}

/** First day (ms) of the earliest active interval of `controlId` on `hs6` that reaches `destination`; null when none. */
function controlStart(catalog: Catalog, controlId: string | null, hs6: string, destination: string): number | null {
  let first: string | null = null;
  for (const iv of catalog.intervals) {
    if (iv.controlId !== controlId || iv.hs6 !== hs6 || iv.status !== 'active') continue;
    if (iv.destinations !== '*' && !iv.destinations.includes(destination)) continue;
    if (first === null || iv.start < first) first = iv.start;
  }
  return first === null ? null : Date.UTC(+first.slice(0, 4), +first.slice(5, 7) - 1, +first.slice(8, 10));
}

/** Per route row, its flagged judgements: from `controls` when the table has it, else the lead judgement's columns. */
export function flaggedJudgements(routes: Table, who: string): FlaggedJudgement[][] {
  const n = routes.numRows;
  const controls = routes.getChild('controls');
  if (controls) {
    const out: FlaggedJudgement[][] = [];
    for (let r = 0; r < n; r++) {
      const list = controls.get(r) as { length: number; get(k: number): unknown } | null;
      const js: FlaggedJudgement[] = [];
      for (let k = 0; list && k < list.length; k++) {
        const item = list.get(k) as { control_id?: unknown; period_start?: unknown; period_end?: unknown; flagged?: unknown } | null;
        if (!item || item.flagged !== true || typeof item.period_start !== 'string' || typeof item.period_end !== 'string') continue;
        js.push({ controlId: typeof item.control_id === 'string' ? item.control_id : null, periodStart: item.period_start, periodEnd: item.period_end });
      }
      out.push(js);
    }
    return out;
  }
  // an older routes file: the lead judgement only
  const ps = readCodes(routes, 'period_start', who);
  const pe = readCodes(routes, 'period_end', who);
  const cid = routes.getChild('control_id') ? readCodes(routes, 'control_id', who) : null;
  const flagged = routes.getChild('flagged');
  const out: FlaggedJudgement[][] = [];
  for (let r = 0; r < n; r++) {
    const ok = ps.codes[r] >= 0 && pe.codes[r] >= 0 && (!flagged || flagged.get(r) === true);
    out.push(
      ok ? [{ controlId: cid && cid.codes[r] >= 0 ? cid.values[cid.codes[r]] : null, periodStart: ps.values[ps.codes[r]], periodEnd: pe.values[pe.codes[r]] }] : [],
    );
  }
  return out;
}

/** A period `YYYY-MM` or `YYYY`: its year, its first month (0-based) and the month after its last (0-based, may be 12). */
function periodBounds(p: string): { year: number; month: number; monthAfter: number } | null {
  const m = /^(\d{4})(?:-(0[1-9]|1[0-2]))?$/.exec(p);
  if (!m) return null;
  return m[2] ? { year: +m[1], month: +m[2] - 1, monthAfter: +m[2] } : { year: +m[1], month: 0, monthAfter: 12 };
}
