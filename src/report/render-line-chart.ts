import { usdShort, usdTick } from './cells.ts';
import { esc } from './html.ts';

/** One line of a chart: a value per period of the axis (null: not known, the line breaks there). */
export interface ChartSeries {
  /** Machine name, kept in `data-series` (e.g. `first_leg`). */
  name: string;
  /** What the legend says. */
  label: string;
  color: string;
  values: readonly (number | null)[];
  /** SVG dash pattern, e.g. `5 3`. */
  dash?: string;
  /** Line width, px (default 2): a wider line drawn first shows under a narrower one on the same values. */
  width?: number;
}

/** A dated event drawn as a vertical line (a control's start, a ban, a suspension). */
export interface ChartMarker {
  /** `YYYY-MM-DD`. */
  date: string;
  label: string;
}

/** A shaded span of periods (inclusive indexes into the axis): a baseline, a flagged window. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
  fill: string;
}

/** What {@link renderLineChart} draws. */
export interface LineChartSpec {
  /** Read by screen readers and shown as the tooltip of the whole chart. */
  title: string;
  /** The axis: consecutive periods, `YYYY-MM` (months) or `YYYY` (years). */
  periods: readonly string[];
  series: readonly ChartSeries[];
  markers?: readonly ChartMarker[];
  bands?: readonly ChartBand[];
  /** Pixels (default 600 × 260). */
  width?: number;
  height?: number;
}

/**
 * A small line chart of USD values by period as inline SVG: one `<path class="series">` and one
 * `<circle class="point">` per known value for each series, shaded bands, dated markers (those outside the
 * axis are left out), a y axis from 0 and a legend. No script, no fonts, no external resource. Pure.
 */
export function renderLineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 600;
  const H = spec.height ?? 260;
  const legendRows = Math.ceil(spec.series.length / 3);
  const M = { left: 56, right: 14, top: 28, bottom: 30 + 16 * legendRows };
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const n = spec.periods.length;
  const max = Math.max(0, ...spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && v === v)));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1];
  // period i covers [i − 0.5, i + 0.5] on the axis
  const sx = (x: number) => M.left + ((x + 0.5) / Math.max(n, 1)) * pw;
  const sy = (v: number) => M.top + ph - (Math.max(0, v) / top) * ph;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" font-family="system-ui, sans-serif" font-size="11" data-series-count="${spec.series.length}">`);
  out.push(`<title>${esc(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  for (const b of spec.bands ?? []) {
    const a = Math.max(0, b.from);
    const z = Math.min(n - 1, b.to);
    if (z < a) continue;
    out.push(`<rect class="band" x="${f(sx(a - 0.5))}" y="${M.top}" width="${f(sx(z + 0.5) - sx(a - 0.5))}" height="${ph}" fill="${b.fill}"><title>${esc(b.label)}</title></rect>`);
    out.push(`<text x="${f(sx(a - 0.5) + 3)}" y="${M.top + 11}" fill="#59636e" font-size="10">${esc(b.label)}</text>`);
  }
  for (const t of ticks) {
    out.push(`<line x1="${M.left}" y1="${f(sy(t))}" x2="${M.left + pw}" y2="${f(sy(t))}" stroke="${t === 0 ? '#8c959f' : '#e6e9ec'}"/>`);
    out.push(`<text x="${M.left - 6}" y="${f(sy(t) + 3.5)}" text-anchor="end" fill="#424a53">${esc(usdTick(t))}</text>`);
  }
  out.push(`<text x="4" y="12" fill="#59636e" font-size="10">USD per ${spec.periods[0]?.length === 4 ? 'year' : 'month'}</text>`);
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(pw / 58))));
  for (let i = 0; i < n; i += every) {
    out.push(`<text x="${f(sx(i))}" y="${M.top + ph + 14}" text-anchor="middle" fill="#424a53">${esc(spec.periods[i])}</text>`);
  }
  // a marker's label goes right of its line, or left when that would cross another marker or the edge, on the
  // first row where it overlaps no other label
  const drawn = (spec.markers ?? []).flatMap((m) => {
    const at = dateOnAxis(m.date, spec.periods);
    return at === null ? [] : [{ ...m, x: sx(at) }];
  });
  const placed: [row: number, x0: number, x1: number][] = [];
  for (const { x, label, date } of drawn) {
    const w = label.length * 5.6 + 2;
    const clear = (a: number, b: number) => a >= M.left && b <= M.left + pw && !drawn.some((o) => o.x !== x && o.x > a && o.x < b);
    const onLeft = clear(x + 4, x + 4 + w) ? false : clear(x - 4 - w, x - 4) || x + 4 + w > M.left + pw;
    const x0 = onLeft ? x - 4 - w : x + 4;
    let row = 0;
    while (placed.some(([r, a, b]) => r === row && a < x0 + w && x0 < b)) row++;
    placed.push([row, x0, x0 + w]);
    out.push(`<line class="marker" x1="${f(x)}" y1="${M.top}" x2="${f(x)}" y2="${M.top + ph}" stroke="#b42318" stroke-width="1.5" stroke-dasharray="4 3"><title>${esc(`${date}: ${label}`)}</title></line>`);
    out.push(`<text x="${f(onLeft ? x - 4 : x + 4)}" y="${M.top + 24 + row * 12}" text-anchor="${onLeft ? 'end' : 'start'}" fill="#b42318" font-size="10">${esc(label)}</text>`);
  }
  for (const s of spec.series) {
    let d = '';
    let pen = false;
    const dots: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null || v !== v) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${f(sx(i))} ${f(sy(v))}`;
      pen = true;
      dots.push(`<circle class="point" cx="${f(sx(i))}" cy="${f(sy(v))}" r="2.4" fill="${s.color}"><title>${esc(`${s.label}, ${spec.periods[i]}: ${usdShort(v)}`)}</title></circle>`);
    });
    const known = s.values.filter((v) => v !== null && v === v).length;
    out.push(`<g class="series-group" data-series="${esc(s.name)}" data-points="${known}">`);
    if (d) out.push(`<path class="series" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(dots.join(''), '</g>');
  }
  spec.series.forEach((s, k) => {
    const x = M.left + (k % 3) * Math.floor(pw / 3);
    const y = H - 10 - 16 * (legendRows - 1 - Math.floor(k / 3));
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${x + 23}" y="${y}" fill="#1b1f24">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Position of a date on an axis of consecutive periods (period i spans [i − 0.5, i + 0.5)); null outside it. */
export function dateOnAxis(date: string, periods: readonly string[]): number | null {
  if (!periods.length || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  let x: number;
  if (periods[0].length === 4) {
    const dayOfYear = (Date.UTC(y, m - 1, d) - Date.UTC(y, 0, 1)) / 86_400_000;
    x = y - Number(periods[0]) - 0.5 + dayOfYear / (y % 4 === 0 ? 366 : 365);
  } else {
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    x = y * 12 + m - 1 - (Number(periods[0].slice(0, 4)) * 12 + Number(periods[0].slice(5, 7)) - 1) - 0.5 + (d - 1) / days;
  }
  // the axis runs from the first period's first day up to (not including) the day after the last period
  return x < -0.5 || x >= periods.length - 0.5 ? null : x;
}

/** Consecutive periods from `first` to `last` (both `YYYY-MM`, or both `YYYY`). */
export function periodRange(first: string, last: string): string[] {
  if (first.length === 4) {
    const out: string[] = [];
    for (let y = Number(first); y <= Number(last); y++) out.push(String(y));
    return out;
  }
  const idx = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let t = idx(first); t <= idx(last); t++) out.push(`${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`);
  return out;
}

/** 0 and 3–6 round steps up to at least `max`. */
function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) out.push(Number(t.toPrecision(12)));
  if (out[out.length - 1] < max) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}
