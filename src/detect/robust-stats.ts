/** Median and scaled MAD (σ-consistent, ×1.4826) of each group's non-NaN values. */
export interface GroupStats {
  median: Float64Array;
  mad: Float64Array;
  /** Non-NaN values per group. */
  size: Int32Array;
}

/**
 * Per group (ids 0…groups−1 in `groupOf`, −1 = no group): median and MAD of the non-NaN values, NaN for a
 * group with fewer than `minGroup` of them. NaN never reaches the sort (simple-statistics would be silently
 * wrong there). One counting pass and one sort per group over a typed array.
 */
export function groupMedianMad(v: Float64Array, groupOf: Int32Array, groups: number, minGroup: number): GroupStats {
  const size = new Int32Array(groups);
  for (let i = 0; i < v.length; i++) if (groupOf[i] >= 0 && v[i] === v[i]) size[groupOf[i]]++;
  const start = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) start[g + 1] = start[g] + size[g];
  const fill = start.slice(0, groups);
  const sorted = new Float64Array(start[groups]);
  for (let i = 0; i < v.length; i++) if (groupOf[i] >= 0 && v[i] === v[i]) sorted[fill[groupOf[i]]++] = v[i];
  const median = new Float64Array(groups).fill(NaN);
  const mad = new Float64Array(groups).fill(NaN);
  for (let g = 0; g < groups; g++) {
    if (size[g] < minGroup || size[g] === 0) continue;
    const xs = sorted.subarray(start[g], start[g + 1]).sort();
    const m = medianOfSorted(xs);
    const dev = new Float64Array(xs.length);
    for (let k = 0; k < xs.length; k++) dev[k] = Math.abs(xs[k] - m);
    median[g] = m;
    mad[g] = 1.4826 * medianOfSorted(dev.sort());
  }
  return { median, mad, size };
}

/** (x − median) / MAD of x's group; NaN where x is NaN, the group too small or its MAD 0. Rows align 1:1 with `v`. */
export function robustZByGroup(v: Float64Array, groupOf: Int32Array, stats: GroupStats): Float64Array {
  const z = new Float64Array(v.length).fill(NaN);
  for (let i = 0; i < v.length; i++) {
    const g = groupOf[i];
    if (g >= 0 && v[i] === v[i] && stats.mad[g] > 0) z[i] = (v[i] - stats.median[g]) / stats.mad[g];
  }
  return z;
}

function medianOfSorted(xs: Float64Array): number {
  const n = xs.length;
  return n % 2 ? xs[(n - 1) >> 1] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

/**
 * Robust z of `v` within groups (ids 0… in `groupOf`): (v − median) / (1.4826 · MAD), nulls left out; null
 * where the group has fewer than `minGroup` values or its MAD is 0.
 */
export function robustZ(v: Float64Array, groupOf: Int32Array, minGroup: number): Float64Array {
  let groups = 0;
  for (let i = 0; i < v.length; i++) if (groupOf[i] + 1 > groups) groups = groupOf[i] + 1;
  return robustZByGroup(v, groupOf, groupMedianMad(v, groupOf, groups, minGroup));
}
