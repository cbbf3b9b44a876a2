/**
 * Each input's rank in path order (its display name sorted, as `resolveInputs` reads inputs), by its index in
 * `names`: the later input of two that hold the same key or declaration is the one with the higher rank.
 */
export function pathRanks(names: readonly string[]): Int32Array {
  const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const rank = new Int32Array(names.length);
  order.forEach((i, k) => (rank[i] = k));
  return rank;
}
