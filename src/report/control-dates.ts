import type { ChartMarker } from './render-line-chart.ts';

/**
 * One interval of the control calendar, as the catalog gives it (`ControlInterval` of
 * `src/reference/catalog.ts` fits): what the report needs to mark a chart.
 */
export interface ControlDate {
  controlId: string;
  hs6: string;
  origin: string;
  /** `*` for every destination, else ISO3 codes. */
  destinations: '*' | readonly string[];
  /** First day in force, `YYYY-MM-DD`. */
  start: string;
  /** Last day (inclusive), or null while open. */
  end: string | null;
  status: 'active' | 'suspended';
  /** The announcement, e.g. `MOFCOM/GAC 2023 No. 39`: how people name the control. */
  source?: string;
  /** False while the code is only a candidate for the control: not marked (the detectors leave it out too). */
  verified?: boolean;
}

/**
 * The dated events of the controls on `hs6` from `origin` that reach `destination` (every destination when
 * null): each control's start — licensing for all destinations, a ban for named ones — and each
 * suspension's start and end; codes not yet verified for a control are left out. Sorted by date; one marker
 * per date and label.
 */
export function controlMarkers(controls: readonly ControlDate[], origin: string | null, hs6: string, destination: string | null): ChartMarker[] {
  const seen = new Set<string>();
  const out: ChartMarker[] = [];
  const add = (date: string, label: string) => {
    if (seen.has(`${date}|${label}`)) return;
    seen.add(`${date}|${label}`);
    out.push({ date, label });
  };
  for (const c of controls) {
    if (c.hs6 !== hs6 || (origin !== null && c.origin !== origin) || c.verified === false) continue;
    const reaches = c.destinations === '*' || destination === null || c.destinations.includes(destination);
    if (!reaches) continue;
    const to = c.destinations === '*' ? 'licensing' : `ban to ${c.destinations.join(', ')}`;
    const name = c.source || c.controlId;
    if (c.status === 'suspended') {
      add(c.start, `${name} suspended`);
      if (c.end) add(nextDay(c.end), `${name} suspension ends`);
    } else {
      add(c.start, `${name} ${to}`);
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * A control by the name people know it by, its announcement and the day it took effect:
 * `MOFCOM/GAC 2023 No. 39 (from 2023-12-01)`. The date is the first active day of the control on `hs6` (for
 * `destination` when given), else of the control on any code; the id when the calendar does not know it.
 */
export function controlName(controls: readonly ControlDate[] | undefined, controlId: string, hs6?: string | null, destination?: string | null): string {
  const own = (controls ?? []).filter((c) => c.controlId === controlId);
  const reaches = (c: ControlDate) => !destination || c.destinations === '*' || c.destinations.includes(destination);
  const active = own.filter((c) => c.status === 'active');
  const pick = [active.filter((c) => c.hs6 === hs6 && reaches(c)), active.filter((c) => c.hs6 === hs6), active, own].find((xs) => xs.length);
  if (!pick) return controlId;
  const first = pick.reduce((a, c) => (c.start < a.start ? c : a));
  return `${first.source || controlId} (from ${first.start})`;
}

function nextDay(date: string): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
