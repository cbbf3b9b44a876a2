import type { SynthControl } from './controls.ts';
import type { ControlTruth } from './truth.ts';
import { type World, round } from './world.ts';

/**
 * Shapes China's ordinary exports of each controlled code: a stockpiling spike in the month before a
 * licensing control (to every destination), a pause near zero for its first months, then a recovery to a
 * lower level; and near zero to a banned destination while the ban is in force (until its suspension).
 * Entrepôt legs are left alone (licensed steady trade). Draws the shape per control and records it.
 */
export function applyControls(world: World, controls: readonly SynthControl[]): void {
  const rng = world.rng.fork('controls');
  const { knobs, axis } = world;
  const n = axis.length + 1;
  const chinaBase = (hs6: string) => world.components.filter((c) => c.exporter === 'CHN' && c.hs6 === hs6 && c.kind === 'base');
  const ordered = [...controls.filter((c) => c.kind === 'licensing'), ...controls.filter((c) => c.kind === 'ban')];
  for (const control of ordered) {
    const r = rng.fork(`${control.control_id}/${control.hs6}`);
    const s = axis.index(control.start_period);
    if (control.kind === 'licensing') {
      const spike = r.within(knobs.stockpileFactor);
      const pause = r.intWithin(knobs.pauseMonths);
      const low = r.within(knobs.pauseLevel);
      const recovery = r.within(knobs.recoveryLevel);
      const factor = new Float64Array(n).fill(1);
      for (let slot = 0; slot < n; slot++) {
        const t = slot - 1;
        if (t === s - 1) factor[slot] = spike;
        else if (t >= s && t < s + pause) factor[slot] = low;
        else if (t === s + pause) factor[slot] = (low + recovery) / 2; // licences start to arrive
        else if (t > s + pause) factor[slot] = recovery;
      }
      for (const c of chinaBase(control.hs6)) for (let slot = 0; slot < n; slot++) c.mult[slot] *= factor[slot];
      const inPanel = s - 1 >= 0 && s - 1 < axis.length;
      world.controls.push(truthOf(control, {
        stockpile_period: inPanel ? axis.period(s - 1) : null, stockpile_factor: round(spike, 3),
        pause_months: pause, pause_level: round(low, 3), recovery_level: round(recovery, 3), ban_level: null,
      }));
      if (inPanel) {
        world.distractors.push({
          id: '', kind: 'stockpiling', countries: ['CHN'], hs6: control.hs6, from_period: axis.period(s - 1), factor: round(spike, 3),
        });
      }
    } else {
      const level = r.within(knobs.banLevel);
      const end = control.lifted_period === null ? axis.length : axis.index(control.lifted_period);
      const banned = control.destinations as string[];
      for (const c of chinaBase(control.hs6)) {
        if (!banned.includes(c.importer)) continue;
        // relative to the uncontrolled flow, whatever licensing allowed
        for (let t = Math.max(s, -1); t < end; t++) c.mult[t + 1] = level;
      }
      world.controls.push(truthOf(control, {
        stockpile_period: null, stockpile_factor: null, pause_months: null, pause_level: null, recovery_level: null,
        ban_level: round(level, 3),
      }));
    }
  }
  world.controls.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.hs6 < b.hs6 ? -1 : a.hs6 > b.hs6 ? 1 : 0));
}

function truthOf(c: SynthControl, shape: Omit<ControlTruth, keyof SynthControl>): ControlTruth {
  return {
    control_id: c.control_id, hs6: c.hs6, kind: c.kind, destinations: c.destinations, start: c.start, lifted: c.lifted,
    start_period: c.start_period, lifted_period: c.lifted_period, ...shape,
  };
}
