import { configDefaults } from '../config/config.ts';
import { UsageError } from '../base/errors.ts';

/** One swept config key and the values it takes. */
export interface ParamSweep {
  /** A config key, e.g. `transshipment.flagThreshold`. */
  key: string;
  values: number[];
}

/** Most grid points a sweep may have (every point runs the pipelines on every data set). */
export const MAX_GRID_POINTS = 1000;

/** Config sections a sweep may touch: detection settings, not how the data is read (it is ingested once). */
const SWEEPABLE = ['mirror', 'transshipment', 'declarations'] as const;

/**
 * Parses `--param key=from:to:step` (inclusive of `to` when the steps land on it), `key=a,b,c` or `key=v`.
 * Values are rounded to the decimals written, so 0.3:0.9:0.05 gives 0.35, not 0.35000000000000003.
 * Checks the key against the config (a snake_case spelling is refused with the camelCase key to use).
 * Throws {@link UsageError} naming what is wrong.
 */
export function parseParamSpec(spec: string): ParamSweep {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param '${spec}': expected key=from:to:step, e.g. --param transshipment.flagThreshold=0.3:0.9:0.05`);
  const key = spec.slice(0, eq).trim();
  const raw = spec.slice(eq + 1).trim();
  checkParamKey(key);
  const num = (s: string): number => {
    const t = s.trim();
    const v = t === '' ? NaN : Number(t);
    if (!Number.isFinite(v)) throw new UsageError(`--param ${key}: '${s}' is not a number`);
    return v;
  };
  if (raw.includes(':')) {
    const parts = raw.split(':');
    if (parts.length !== 3) throw new UsageError(`--param ${key}=${raw}: expected from:to:step`);
    const [from, to, step] = parts.map(num);
    if (!(step > 0)) throw new UsageError(`--param ${key}=${raw}: the step must be above 0`);
    if (to < from) throw new UsageError(`--param ${key}=${raw}: 'to' (${to}) is below 'from' (${from})`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_GRID_POINTS) throw new UsageError(`--param ${key}=${raw}: ${count} values, more than ${MAX_GRID_POINTS}`);
    const dec = Math.min(12, Math.max(...parts.map(decimals)));
    return { key, values: Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(dec))) };
  }
  const values = raw.split(',').map(num);
  if (new Set(values).size !== values.length) throw new UsageError(`--param ${key}=${raw}: a value is listed twice`);
  return { key, values };
}

/** Every combination of the sweeps' values, the first key varying slowest. Throws {@link UsageError} above {@link MAX_GRID_POINTS} or for a key swept twice. */
export function expandGrid(sweeps: readonly ParamSweep[]): Record<string, number>[] {
  const keys = sweeps.map((s) => s.key);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice) throw new UsageError(`--param ${twice} is given twice; give one range per key`);
  const size = sweeps.reduce((n, s) => n * s.values.length, 1);
  if (size > MAX_GRID_POINTS) throw new UsageError(`--param: the grid has ${size} points, more than ${MAX_GRID_POINTS}; use fewer values`);
  let grid: Record<string, number>[] = [{}];
  for (const s of sweeps) grid = grid.flatMap((g) => s.values.map((v) => ({ ...g, [s.key]: v })));
  return grid;
}

/** A config key as a snake_case column name: `transshipment.flagThreshold` → `transshipment_flag_threshold`. */
export function paramColumn(key: string): string {
  return key.replace(/\./g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The key must name a number under mirror, transshipment or declarations (not declarations.ingest). */
function checkParamKey(key: string): void {
  const path = key.split('.');
  if (!(SWEEPABLE as readonly string[]).includes(path[0]) || (path[0] === 'declarations' && path[1] === 'ingest')) {
    throw new UsageError(`--param ${key}: only detection settings can be swept (keys under ${SWEEPABLE.join(', ')}; not ingest, run or declarations.ingest, since the data is read once)`);
  }
  let node: unknown = configDefaults;
  for (let i = 0; i < path.length; i++) {
    const here = node as Record<string, unknown>;
    const seg = path[i];
    if (!(seg in here)) {
      const camel = seg.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      if (camel !== seg && camel in here) {
        const fixed = [...path.slice(0, i), camel, ...path.slice(i + 1)].join('.');
        throw new UsageError(`--param ${key}: config keys are camelCase: use '${fixed}'`);
      }
      const at = path.slice(0, i).join('.');
      throw new UsageError(`--param ${key}: unknown key '${seg}' under '${at}' (valid keys here: ${Object.keys(here).join(', ')})`);
    }
    node = here[seg];
    if (i < path.length - 1 && (typeof node !== 'object' || node === null || Array.isArray(node))) {
      throw new UsageError(`--param ${key}: '${path.slice(0, i + 1).join('.')}' is not a section`);
    }
  }
  if (typeof node !== 'number') {
    const valid = typeof node === 'object' && node !== null && !Array.isArray(node) ? ` (a section; its keys: ${Object.keys(node).join(', ')})` : '';
    throw new UsageError(`--param ${key}: only numbers can be swept, and this key is not one${valid}`);
  }
}

function decimals(s: string): number {
  const t = s.trim().toLowerCase();
  const e = t.indexOf('e');
  const mant = e >= 0 ? t.slice(0, e) : t;
  const exp = e >= 0 ? Number(t.slice(e + 1)) : 0;
  const dot = mant.indexOf('.');
  return Math.max(0, (dot >= 0 ? mant.length - dot - 1 : 0) - exp);
}
