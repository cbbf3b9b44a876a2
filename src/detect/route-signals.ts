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

/** Share of the days of calendar year `year` on or after `start` (YYYY-MM-DD): 1 for a control in force all year, 0 for one from a later year. */
export function yearShareInForce(start: string, year: number): number {
  const y = Number(start.slice(0, 4));
  if (year > y) return 1;
  if (year < y) return 0;
  const first = Date.UTC(y, 0, 1);
  const from = Date.UTC(y, Number(start.slice(5, 7)) - 1, Number(start.slice(8, 10)));
  const days = (Date.UTC(y + 1, 0, 1) - first) / 86_400_000;
  return (days - (from - first) / 86_400_000) / days;
}

/**
 * The baseline and post windows around a control starting on `start` (YYYY-MM-DD): monthly data leaves
 * out the stockpiling month(s) before and the pause after; a control from after the 15th shapes the next
 * month. Annual data compares the last year before the control's year with the last post-control year the data
 * holds (2022 against 2024 when 2023 is absent); the control's own year is post-control only when the control was
 * in force for at least `minPostYearShare` of it, else it belongs to neither window and `partialYear` says so
 * (the antimony licence from 2024-09-15 covers 108 of 2024's 366 days: 2024 is not a post year).
 * Null when the cube has no period on one side.
 */
export function controlWindows(cube: LegCube, start: string, p: WindowParams): ControlWindows | null {
  const y = Number(start.slice(0, 4));
  const mo = Number(start.slice(5, 7));
  const d = Number(start.slice(8, 10));
  if (cube.annual) {
    const ev = y - cube.t0;
    const partialYear = yearShareInForce(start, y) < p.minPostYearShare;
    const firstPost = partialYear ? ev + 1 : ev;
    // the last year before the control's year, and the last post-control year, that the data holds
    let pre = Math.min(ev - 1, cube.length - 1);
    while (pre >= 0 && !cube.anyPublished(pre)) pre--;
    let post = cube.length - 1;
    while (post >= firstPost && !cube.anyPublished(post)) post--;
    if (pre < 0 || post < firstPost) return null;
    return { event: ev, pre: [pre, pre], post: [post, post], excluded: partialYear ? [ev] : [], partialYear };
  }
  const ev = y * 12 + mo - 1 + (d > 15 ? 1 : 0) - cube.t0;
  const preEnd = ev - 1 - p.stockpileMonths;
  const preStart = Math.max(0, preEnd - p.baselineMonths + 1);
  const postStart = ev + p.pauseMonths;
  const postEnd = Math.min(cube.length - 1, postStart + p.postMonths - 1);
  if (preEnd < 0 || postStart > cube.length - 1) return null;
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
export function legLag(first: Float64Array, second: Float64Array, a: number, b: number, maxLag: number): number {
  let best = NaN;
  let bestCorr = 0.2; // below this the legs are not moving together
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
