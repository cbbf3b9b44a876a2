import type { Catalog } from '../reference/catalog.ts';
import { MonthAxis } from './month-axis.ts';

/** A control the synthetic world applies to one HS6 code, taken from the catalog. */
export interface SynthControl {
  control_id: string;
  hs6: string;
  /** `licensing` (every destination, from the start) or `ban` (listed destinations, until suspended). */
  kind: 'licensing' | 'ban';
  /** `*` or ISO3 codes. */
  destinations: '*' | string[];
  /** First day in force, YYYY-MM-DD. */
  start: string;
  /** First day no longer in force (the suspension's start), YYYY-MM-DD; null while open. */
  lifted: string | null;
  /** First month the control shapes (its own month when it starts by the 15th, else the next). */
  start_period: string;
  /** First month without the control; null while open or after the panel. */
  lifted_period: string | null;
}

/**
 * The catalog's verified controls on `codes` with origin CHN: per code the earliest licensing interval
 * (destinations `*`), and each destination ban with the suspension that lifts it. Unverified candidate
 * rows (indium in 811292) are left out: the world only injects what the catalog confirms. Controls that
 * start after the panel's last month are dropped. Sorted by start, code, control id.
 */
export function selectSynthControls(catalog: Catalog, codes: readonly string[], axis: MonthAxis): SynthControl[] {
  const out: SynthControl[] = [];
  const period = (date: string | null) => (date === null ? null : axis.period(axis.effectiveIndex(date)));
  for (const hs6 of codes) {
    const rows = catalog.intervals.filter((iv) => iv.hs6 === hs6 && iv.origin === 'CHN' && iv.verified);
    const licensing = rows
      .filter((iv) => iv.destinations === '*' && iv.status === 'active')
      .sort((a, b) => cmp(a.start, b.start))[0];
    if (licensing) {
      out.push({
        control_id: licensing.controlId, hs6, kind: 'licensing', destinations: '*', start: licensing.start, lifted: null,
        start_period: period(licensing.start)!, lifted_period: null,
      });
    }
    const seen = new Set<string>();
    for (const ban of rows.filter((iv) => iv.destinations !== '*' && iv.status === 'active')) {
      const dest = ban.destinations as string[];
      const key = `${ban.controlId}|${ban.start}|${dest.join(';')}`;
      if (seen.has(key)) continue; // one row per mineral (gallium, germanium) under the same code
      seen.add(key);
      const suspension = rows
        .filter((iv) => iv.controlId === ban.controlId && iv.status === 'suspended' && iv.start > ban.start)
        .sort((a, b) => cmp(a.start, b.start))[0];
      const lifted = suspension?.start ?? (ban.end === null ? null : nextDay(ban.end));
      const liftedIndex = lifted === null ? null : axis.effectiveIndex(lifted);
      out.push({
        control_id: ban.controlId, hs6, kind: 'ban', destinations: dest, start: ban.start, lifted,
        start_period: period(ban.start)!,
        lifted_period: liftedIndex === null || liftedIndex >= axis.length ? null : axis.period(liftedIndex),
      });
    }
  }
  return out
    .filter((c) => axis.index(c.start_period) < axis.length)
    .sort((a, b) => cmp(a.start, b.start) || cmp(a.hs6, b.hs6) || cmp(a.control_id, b.control_id));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The day after a YYYY-MM-DD date (a ban's last day in force → the first day it is lifted). */
function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (d < MonthAxis.daysInMonth(y, m)) return `${y}-${pad(m)}-${pad(d + 1)}`;
  return m < 12 ? `${y}-${pad(m + 1)}-01` : `${y + 1}-01-01`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
