import type { CountryResolver } from '../reference/countries.ts';
import { groupRows } from '../table/group.ts';
import type { IngestContext } from './context.ts';
import { pathRanks } from './path-order.ts';
import { ROW_KIND, type FlowRows } from './flow-rows.ts';

/** Where a parsed row ends up. */
export const DEST = { dropped: -1, flows: 0, subflows: 1, areas: 2, consignment: 3 } as const;

/** Codes of `total_basis`, matching {@link TOTAL_BASIS} in schema.ts. */
const BASIS = { reported: 0, single: 1, confirmed: 2, inferred: 3 } as const;

/** Per-row outcome of {@link resolveTotals}; rows align 1:1 with the parsed rows. */
export interface TotalsResult {
  /** A {@link DEST} value per row. */
  dest: Int8Array;
  /** A `total_basis` code per kept row (-1 for dropped rows). */
  basis: Int8Array;
}

/**
 * Collapses exact duplicates and keeps one total per key:
 * - sources with breakdown columns (Comtrade Plus): the row marked as the total (`reported`); a key
 *   with breakdowns but no total row is rejected as `total_missing`, never inferred;
 * - sources without them: the largest row of the key, `confirmed` when the other rows sum to a whole
 *   multiple of it (within max(toleranceUsd, toleranceRelative × total)), else `inferred`; a key
 *   with one distinct row is `single`. Totals are never sums.
 * Kept rows are routed: non-country partners to `areas`, sub-flows (RX, RM, …) to `subflows`,
 * partner2 totals to `consignment`, the rest to `flows`. Every drop and merge is counted in `ctx`.
 */
export function resolveTotals(ctx: IngestContext): TotalsResult {
  const rows = ctx.rows;
  const n = rows.length;
  const dest = new Int8Array(n).fill(DEST.dropped);
  const basis = new Int8Array(n).fill(-1);
  const kind = rows.rowKind.view();

  // 1. exact duplicates (breakdown rows are dropped anyway, so they are not looked at)
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    if (kind[i] === ROW_KIND.breakdown) continue;
    candidates.push(i);
  }
  const cand = Int32Array.from(candidates);
  const dup = groupRows(contentColumns(rows), n, cand);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (kind[i] === ROW_KIND.breakdown) keep[i] = 1;
  for (let g = 0; g < dup.groups; g++) keep[dup.firstRow[g]] = 1;
  ctx.count('duplicate_exact', cand.length - dup.groups);

  // 2. one total per key
  const kept = selected(keep);
  const keyP2 = new Int32Array(n);
  const p2 = rows.partner2.view();
  for (let i = 0; i < n; i++) keyP2[i] = hasNoBreakdowns(kind[i]) ? p2[i] : -2; // Comtrade Plus partner2 rows belong to their total's key
  const keys = groupRows(
    [rows.source.view(), rows.period.view(), rows.freq.view(), rows.reporter.view(), rows.partner.view(), keyP2,
      rows.flow.view(), rows.cmd.view(), rows.revision.view()],
    n,
    kept,
  );
  const { order, offsets } = bucket(keys.groupOf, keys.groups);
  const value = rows.value.view();
  const { toleranceUsd, toleranceRelative } = ctx.params.totals;
  // a key in more than one input is a revised release (Comtrade revises every month; data teams download overlapping
  // extracts): the input latest in path order supersedes the earlier ones, whose rows of that key are counted, not kept
  const fileRank = pathRanks(rows.files.values);
  const file = rows.file.view();
  for (let g = 0; g < keys.groups; g++) {
    const from = offsets[g];
    const to = offsets[g + 1];
    let latest = -1;
    let mixed = false;
    for (let k = from; k < to; k++) {
      const rank = fileRank[file[kept[order[k]]]] ?? -1;
      if (k > from && rank !== latest) mixed = true;
      if (rank > latest) latest = rank;
    }
    if (!mixed) {
      resolveGroup(from, to);
      continue;
    }
    // the latest input's rows to the front of the group; the others are superseded (dropped, counted)
    let w = from;
    for (let k = from; k < to; k++) {
      const r = order[k];
      if ((fileRank[file[kept[r]]] ?? -1) !== latest) continue;
      order[k] = order[w];
      order[w++] = r;
    }
    ctx.count('superseded_by_later_input', to - w);
    resolveGroup(from, w);
  }

  function resolveGroup(from: number, to: number): void {
    const first = kept[order[from]];
    if (!hasNoBreakdowns(kind[first])) {
      let totals = 0;
      let total = -1;
      for (let k = from; k < to; k++) {
        const r = kept[order[k]];
        if (kind[r] === ROW_KIND.total) {
          totals++;
          total = r;
        }
      }
      if (totals !== 1) {
        const reason = totals === 0 ? 'total_missing' : 'conflicting_totals';
        for (let k = from; k < to; k++) rejectKeyRow(ctx, kept[order[k]], reason);
        return;
      }
      basis[total] = BASIS.reported;
      for (let k = from; k < to; k++) {
        const r = kept[order[k]];
        if (kind[r] === ROW_KIND.consignment) basis[r] = BASIS.reported;
        else if (kind[r] === ROW_KIND.breakdown) ctx.count('breakdown_row');
      }
      return;
    }
    if (to - from === 1) {
      basis[first] = BASIS.single;
      return;
    }
    let best = -1;
    let bestValue = -Infinity;
    let sum = 0;
    for (let k = from; k < to; k++) {
      const r = kept[order[k]];
      const v = value[r];
      if (v === v) sum += v;
      if (v > bestValue) {
        bestValue = v;
        best = r;
      }
    }
    if (best < 0) best = first; // every value missing: keep the first, nothing confirms it
    const others = sum - (bestValue === -Infinity ? 0 : bestValue);
    const multiple = bestValue > 0 ? Math.round(others / bestValue) : 0;
    const tol = Math.max(toleranceUsd, toleranceRelative * Math.max(0, bestValue));
    const confirmed = multiple >= 1 && Math.abs(others - multiple * bestValue) <= tol;
    basis[best] = confirmed ? BASIS.confirmed : BASIS.inferred;
    ctx.count(confirmed ? 'keys_total_confirmed' : 'keys_total_inferred');
    ctx.count('breakdown_collapsed', to - from - 1);
  }

  // 3. route kept totals
  route(rows, ctx.resolver, basis, dest);
  return { dest, basis };
}

/** Rows from sources without breakdown columns: their totals are found from the rows of each key. */
function hasNoBreakdowns(kind: number): boolean {
  return kind === ROW_KIND.unknown || kind === ROW_KIND.consignmentUnknown;
}

function contentColumns(rows: FlowRows) {
  return [
    rows.source.view(), rows.period.view(), rows.freq.view(), rows.reporter.view(), rows.partner.view(),
    rows.partner2.view(), rows.flow.view(), rows.cmd.view(), rows.revision.view(), rows.value.view(),
    rows.cif.view(), rows.fob.view(), rows.kg.view(), rows.qty.view(), rows.qtyUnit.view(),
    rows.kgEstimated.view(), rows.qtyEstimated.view(), rows.rowKind.view(),
  ];
}

function route(rows: FlowRows, resolver: CountryResolver, basis: Int8Array, dest: Int8Array): void {
  const flowIsXM = rows.flows.values.map((f) => f === 'X' || f === 'M');
  const partner = rows.partner.view();
  const flow = rows.flow.view();
  const kind = rows.rowKind.view();
  for (let i = 0; i < basis.length; i++) {
    if (basis[i] < 0) continue;
    if (kind[i] === ROW_KIND.consignment || kind[i] === ROW_KIND.consignmentUnknown) dest[i] = DEST.consignment;
    else if (resolver.kind[partner[i]] !== 'country') dest[i] = DEST.areas;
    else if (!flowIsXM[flow[i]]) dest[i] = DEST.subflows;
    else dest[i] = DEST.flows;
  }
}

function rejectKeyRow(ctx: IngestContext, r: number, reason: string): void {
  const rows = ctx.rows;
  const iso = ctx.resolver.iso3;
  const what =
    `${iso[rows.reporter.data[r]]}→${iso[rows.partner.data[r]]} ${rows.flows.values[rows.flow.data[r]]} ` +
    `${rows.cmds.values[rows.cmd.data[r]]} ${rows.periods.values[rows.period.data[r]]}`;
  ctx.rejects.add(rows.files.values[rows.file.data[r]], rows.line.data[r], '(key)', what, reason);
  ctx.count(`rejected.${reason}`);
}

function selected(mask: Uint8Array): Int32Array {
  let m = 0;
  for (let i = 0; i < mask.length; i++) m += mask[i];
  const out = new Int32Array(m);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/** Counting sort of positions by group: positions of group g are order[offsets[g] .. offsets[g+1]). */
function bucket(groupOf: Int32Array, groups: number): { order: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(groups + 1);
  for (let i = 0; i < groupOf.length; i++) offsets[groupOf[i] + 1]++;
  for (let g = 0; g < groups; g++) offsets[g + 1] += offsets[g];
  const cursor = offsets.slice(0, groups);
  const order = new Int32Array(groupOf.length);
  for (let i = 0; i < groupOf.length; i++) order[cursor[groupOf[i]]++] = i;
  return { order, offsets };
}
