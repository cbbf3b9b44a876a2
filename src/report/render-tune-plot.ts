/** One point of a precision–recall curve: a swept value and the mean figures there, with their spread. */
export interface TunePoint {
  /** The swept parameter's value. */
  value: number;
  precision: number;
  recall: number;
  /** Standard deviations over seeds (NaN: one seed, no spread drawn). */
  precisionSd: number;
  recallSd: number;
}

/** A target's curve: its points in the order of the swept value. */
export interface TuneCurve {
  target: string;
  points: readonly TunePoint[];
}

const COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 760;
const H = 520;
const M = { left: 64, right: 72, top: 76, bottom: 56 };

/**
 * A self-contained SVG of precision (y) against recall (x), one `<path>` per target through its points in
 * the order of the swept value, each point labelled with that value and whiskers of ± one standard deviation
 * over seeds. Axes start at 0, or closer to the data when every point is high (the axis labels say where).
 * A point without precision (nothing flagged) is left out of its curve. Pure.
 */
export function renderTunePlot(curves: readonly TuneCurve[], opts: { param: string; title: string; note?: string }): string {
  const finite = (v: number) => v === v && Number.isFinite(v);
  const pts = curves.flatMap((c) => c.points.filter((p) => finite(p.precision) && finite(p.recall)));
  const low = (vals: number[]) => Math.max(0, Math.floor(Math.min(1, ...vals) * 10 - 1e-9) / 10 - 0.1);
  const lo = (v: number) => (v < 0.5 ? 0 : v); // a range that starts near 0 starts at 0
  const x0 = lo(low(pts.map((p) => p.recall - (finite(p.recallSd) ? p.recallSd : 0))));
  const y0 = lo(low(pts.map((p) => p.precision - (finite(p.precisionSd) ? p.precisionSd : 0))));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  // a little room above 1 so points at precision or recall 1 do not sit on the frame
  const x1 = 1 + 0.03 * (1 - x0);
  const y1 = 1 + 0.03 * (1 - y0);
  const sx = (v: number) => M.left + ((Math.min(1, Math.max(x0, v)) - x0) / (x1 - x0)) * pw;
  const sy = (v: number) => M.top + ph - ((Math.min(1, Math.max(y0, v)) - y0) / (y1 - y0)) * ph;
  const n = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${esc(opts.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  const note = [opts.note, `point labels: ${opts.param}`].filter(Boolean).join('; ');
  out.push(`<text x="${M.left}" y="40" font-size="11" fill="#555555">${esc(note)}</text>`);
  // grid and ticks
  for (const [axis, start] of [['x', x0], ['y', y0]] as const) {
    const step = 1 - start > 0.5 ? 0.1 : 0.05;
    for (let t = start; t <= 1 + 1e-9; t += step) {
      const v = Math.round(t * 100) / 100;
      if (axis === 'x') {
        out.push(`<line x1="${n(sx(v))}" y1="${M.top}" x2="${n(sx(v))}" y2="${M.top + ph}" stroke="#e5e5e5"/>`);
        out.push(`<text x="${n(sx(v))}" y="${M.top + ph + 16}" text-anchor="middle">${v.toFixed(step < 0.1 ? 2 : 1)}</text>`);
      } else {
        out.push(`<line x1="${M.left}" y1="${n(sy(v))}" x2="${M.left + pw}" y2="${n(sy(v))}" stroke="#e5e5e5"/>`);
        out.push(`<text x="${M.left - 8}" y="${n(sy(v) + 4)}" text-anchor="end">${v.toFixed(step < 0.1 ? 2 : 1)}</text>`);
      }
    }
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 16}" text-anchor="middle">recall</text>`);
  out.push(`<text x="18" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 ${M.top + ph / 2})">precision</text>`);
  const labels: { x: number; y: number; text: string; color: string }[] = [];
  curves.forEach((c, i) => {
    const color = COLORS[i % COLORS.length];
    const ok = c.points.filter((p) => finite(p.precision) && finite(p.recall));
    const d = ok.map((p, k) => `${k ? 'L' : 'M'}${n(sx(p.recall))},${n(sy(p.precision))}`).join(' ');
    out.push(`<g data-target="${esc(c.target)}">`);
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    ok.forEach((p, k) => {
      const x = sx(p.recall);
      const y = sy(p.precision);
      const at = (q: TunePoint | undefined) => q !== undefined && n(sx(q.recall)) === n(x) && n(sy(q.precision)) === n(y);
      if (finite(p.recallSd) && p.recallSd > 0) out.push(`<line x1="${n(sx(p.recall - p.recallSd))}" y1="${n(y)}" x2="${n(sx(p.recall + p.recallSd))}" y2="${n(y)}" stroke="${color}" stroke-opacity="0.5"/>`);
      if (finite(p.precisionSd) && p.precisionSd > 0) out.push(`<line x1="${n(x)}" y1="${n(sy(p.precision - p.precisionSd))}" x2="${n(x)}" y2="${n(sy(p.precision + p.precisionSd))}" stroke="${color}" stroke-opacity="0.5"/>`);
      out.push(`<circle cx="${n(x)}" cy="${n(y)}" r="3.5" fill="${color}"><title>${esc(`${c.target} ${opts.param}=${p.value}: precision ${p.precision.toFixed(3)}, recall ${p.recall.toFixed(3)}`)}</title></circle>`);
      // points that coincide with their neighbours share one label: the first and last value of the run
      if (!at(ok[k + 1])) {
        let s = k;
        while (at(ok[s - 1])) s--;
        const label = s === k ? String(p.value) : `${ok[s].value}–${p.value}`;
        labels.push({ x, y, text: label, color });
      }
    });
    out.push('</g>');
    // legend: one row under the title
    const lx = M.left + i * 140;
    out.push(`<line x1="${lx}" y1="58" x2="${lx + 24}" y2="58" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="62">${esc(c.target)}</text>`);
  });
  // labels last, over the lines, each at the first free place around its point (a white halo over lines)
  const taken: Box[] = labels.map((l) => ({ x: l.x - 4, y: l.y - 4, w: 8, h: 8 }));
  for (const l of labels) {
    const w = 6 * l.text.length;
    const spots: [number, number, boolean][] = [
      [l.x + 5, l.y - 7, false], [l.x + 5, l.y + 15, false], [l.x - 5, l.y - 7, true], [l.x - 5, l.y + 15, true],
      [l.x + 7, l.y + 4, false], [l.x - 7, l.y + 4, true], [l.x + 5, l.y + 26, false], [l.x - 5, l.y + 26, true],
      [l.x - 5, l.y - 18, true], [l.x + 5, l.y + 37, false], [l.x - 5, l.y + 37, true],
    ];
    const boxOf = ([tx, ty, end]: [number, number, boolean]): Box => ({ x: end ? tx - w : tx, y: ty - 9, w, h: 11 });
    const inside = (b: Box) => b.x >= M.left + 2 && b.x + b.w <= M.left + pw - 2 && b.y >= M.top + 2 && b.y + b.h <= M.top + ph - 2;
    const free = (b: Box) => !taken.some((t) => b.x < t.x + t.w && t.x < b.x + b.w && b.y < t.y + t.h && t.y < b.y + b.h);
    const spot = spots.find((sp) => inside(boxOf(sp)) && free(boxOf(sp))) ?? spots.find((sp) => inside(boxOf(sp))) ?? spots[0];
    taken.push(boxOf(spot));
    out.push(
      `<text x="${n(spot[0])}" y="${n(spot[1])}" font-size="10" fill="${l.color}" stroke="#ffffff" stroke-width="3" paint-order="stroke"${spot[2] ? ' text-anchor="end"' : ''}>${esc(l.text)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
