import type { LegCube } from './leg-cube.ts';

/** Where the baseline and the post-control window fall on a cube's axis (inclusive indexes). */
export interface ControlWindows {
  /** Index of the control's first month (or year). */
  event: number;
  pre: [number, number];
  post: [number, number];
  /** Months left out of both windows: the stockpiling month(s) before and the licensing pause after. */
  excluded: number[];
  /** Annual data: the control's own year was in force for less than `minPostYearShare` of it and is in neither window. */
  partialYear?: boolean;
}

/** Settings of {@link controlWindows}. */
export interface WindowParams {
  /** Baseline length before the control, months (default 12). */
  baselineMonths: number;
  /** Post-control window after the pause, months (default 12). */
  postMonths: number;
  /** Months before the control left out of the baseline: stockpiling (default 1). */
  stockpileMonths: number;
  /** Months from the control's start left out of the post window: licensing took ~45 days (default 2). */
  pauseMonths: number;
  /**
   * Annual data: the control's own year counts as post-control only when the control was in force for at least
   * this share of its days (0–1, default 0.5); otherwise it belongs to neither window (`control_year_partial`).
   */
  minPostYearShare: number;
}

/**
 * Share of the days of calendar year `year` the control was in force: from `start` (YYYY-MM-DD) to `end` (its last
 * day in force, YYYY-MM-DD; null while open), both included. 1 for a year wholly inside, 0 for one outside.
 */
export function yearShareInForce(start: string, year: number, end: string | null = null): number {
  const day = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  const first = Date.UTC(year, 0, 1);
  const next = Date.UTC(year + 1, 0, 1);
  const from = Math.max(first, day(start));
  const to = Math.min(next, end === null ? next : day(end) + 86_400_000);
  return Math.max(0, to - from) / (next - first);
}

/**
 * The baseline and post windows around a control starting on `start` (YYYY-MM-DD): monthly data leaves
 * out the stockpiling month(s) before and the pause after; a control from after the 15th shapes the next
 * month. Annual data compares the last year before the control's year with the last post-control year the data
 * holds (2022 against 2024 when 2023 is absent); the control's own year is post-control only when the control was
 * in force for at least `minPostYearShare` of it, else it belongs to neither window and `partialYear` says so
 * (the antimony licence from 2024-09-15 covers 108 of 2024's 366 days: 2024 is not a post year). An interval
 * that ends (`end`, its last day in force: the US ban until its suspension of 2025-11-09) ends the post window:
 * monthly, at its last month in force for half of it or more; annually, at its last such year.
 * Null when the cube has no period on one side.
 */
export function controlWindows(cube: LegCube, start: string, p: WindowParams, end: string | null = null): ControlWindows | null {
  const y = Number(start.slice(0, 4));
  const mo = Number(start.slice(5, 7));
  const d = Number(start.slice(8, 10));
  if (cube.annual) {
    const ev = y - cube.t0;
    const inForce = (t: number) => yearShareInForce(start, cube.t0 + t, end) >= p.minPostYearShare;
    const partialYear = !inForce(ev);
    // the last year before the control's year, and the last year the control was in force for half of (or more)
    // that the data holds: a year the control was suspended or ended in, for most of it, is no post year
    let pre = Math.min(ev - 1, cube.length - 1);
    while (pre >= 0 && !cube.anyPublished(pre)) pre--;
    let post = cube.length - 1;
    while (post >= ev && (!cube.anyPublished(post) || !inForce(post))) post--;
    if (pre < 0 || post < ev) return null;
    return { event: ev, pre: [pre, pre], post: [post, post], excluded: partialYear ? [ev] : [], partialYear };
  }
  const ev = y * 12 + mo - 1 + (d > 15 ? 1 : 0) - cube.t0;
  const preEnd = ev - 1 - p.stockpileMonths;
  const preStart = Math.max(0, preEnd - p.baselineMonths + 1);
  const postStart = ev + p.pauseMonths;
  // the interval's end ends the post window: its last month counts when the control was in force for half of it
  let lastInForce = Infinity;
  if (end !== null) {
    const ey = Number(end.slice(0, 4));
    const em = Number(end.slice(5, 7));
    lastInForce = ey * 12 + em - 1 - (Number(end.slice(8, 10)) < 15 ? 1 : 0) - cube.t0;
  }
  const postEnd = Math.min(cube.length - 1, postStart + p.postMonths - 1, lastInForce);
  if (preEnd < 0 || postStart > postEnd) return null;
  const excluded: number[] = [];
  for (let t = preEnd + 1; t < postStart; t++) excluded.push(t);
  return { event: ev, pre: [preStart, preEnd], post: [postStart, postEnd], excluded };
}

/** Mean per period of a leg over [a, b], counting a period only when one side's reporter published it. */
export function windowMean(cube: LegCube, leg: Float64Array, exporter: string, importer: string, w: [number, number]): { mean: number; periods: number; unpublished: number } {
  let sum = 0;
  let periods = 0;
  let unpublished = 0;
  for (let t = w[0]; t <= w[1]; t++) {
    if (!cube.didPublish(exporter, 0, t) && !cube.didPublish(importer, 1, t)) {
      unpublished++;
      continue;
    }
    periods++;
    if (leg[t] === leg[t]) sum += leg[t];
  }
  return { mean: periods ? sum / periods : NaN, periods, unpublished };
}

/** Log change from `pre` to `post` with a floor so that zero baselines give a large but finite surge. */
export function logChange(pre: number, post: number, floor: number): number {
  if (!(pre === pre) || !(post === post)) return NaN;
  return Math.log((Math.max(post, 0) + floor) / (Math.max(pre, 0) + floor));
}

/**
 * Lag in periods (0 to `maxLag`) at which the second leg's month-on-month increases best follow the
 * first leg's, over [a, b]; NaN when the legs never move together (or on annual data: use `needs_monthly`).
 */
export function legLag(first: Float64Array, second: Float64Array, a: number, b: number, maxLag: number, minCorrelation = 0.2): number {
  let best = NaN;
  let bestCorr = minCorrelation; // below this the legs are not moving together
  for (let lag = 0; lag <= maxLag; lag++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let t = Math.max(a, 1); t + lag <= b; t++) {
      const x = (first[t] || 0) - (first[t - 1] || 0);
      const y = (second[t + lag] || 0) - (second[t + lag - 1] || 0);
      xs.push(x);
      ys.push(y);
    }
    const c = correlation(xs, ys);
    if (c > bestCorr) {
      bestCorr = c;
      best = lag;
    }
  }
  return best;
}

function correlation(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 3) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) (mx += x[i]), (my += y[i]);
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Unit value (USD/kg) of one recorded side over a window: value over weight where both are known. */
export function windowUnitValue(cube: LegCube, e: string, i: string, side: 'x' | 'm', w: [number, number]): number {
  const s = cube.side(e, i, side);
  if (!s) return NaN;
  let v = 0;
  let k = 0;
  for (let t = w[0]; t <= w[1]; t++) {
    if (s.value[t] > 0 && s.kg[t] > 0) {
      v += s.value[t];
      k += s.kg[t];
    }
  }
  return k > 0 ? v / k : NaN;
}
