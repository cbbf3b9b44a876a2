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
    if (c.status === 'suspended') {
      add(c.start, `${c.controlId} suspended`);
      if (c.end) add(nextDay(c.end), `${c.controlId} suspension ends`);
    } else {
      add(c.start, `${c.controlId} ${to}`);
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function nextDay(date: string): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
