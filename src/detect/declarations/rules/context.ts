import type { Table } from 'apache-arrow';
import { controlsInForce, type Catalog } from '../../../reference/catalog.ts';
import { StringDictionary } from '../../../table/columns.ts';
import { readCodes, readFloats, type CodedColumn } from '../../../table/read.ts';
import type { GroupStats } from '../../robust-stats.ts';
import type { DeclarationRule, DeclarationRuleParams } from './params.ts';

/**
 * What every screening rule reads, built once per screen: the declarations' columns, whether each declaration's
 * code was controlled towards its destination on its date, and `fire`, which records a rule on a declaration
 * (once) with its reason in the order the rules run.
 */
export interface RuleContext {
  n: number;
  p: DeclarationRuleParams;
  catalog: Catalog;
  date: CodedColumn;
  hs6: CodedColumn;
  code: CodedColumn;
  dir: CodedColumn;
  origin: CodedColumn;
  departure: CodedColumn;
  destination: CodedColumn;
  importer: CodedColumn;
  exporter: CodedColumn;
  description: CodedColumn;
  unit: CodedColumn;
  value: Float64Array;
  mass: Float64Array;
  qty: Float64Array;
  /** Per `dir` value, whether it is `export`. */
  isExport: boolean[];
  /** Per `quantity_unit` value, kilograms per unit where the unit is a mass (kg, g, t); NaN for the others. */
  kgPerUnit: number[];
  /** Text of a coded column's row, null when empty. */
  text(c: CodedColumn, i: number): string | null;
  /** Days since 1970-01-01 of the row's date, NaN when none. */
  dayOf(i: number): number;
  /** Whether HS6 `h` was under a control of the origin towards row `i`'s destination on its date (memoised). */
  controlledOn(h: string, i: number): boolean;
  /** Per row: its own code controlled (1) or not. */
  controlled: Uint8Array;
  /** Per rule, the rows it fired on. */
  fired: Record<DeclarationRule, Uint8Array>;
  /** Per row that a rule fired on, the rules in the order they fired. */
  reasons: Map<number, string[]>;
  fire(rule: DeclarationRule, i: number): void;
}

/** Reads the columns the rules use and prepares the shared state (throws naming a missing column). */
export function ruleContext(decl: Table, catalog: Catalog, p: DeclarationRuleParams, rules: readonly DeclarationRule[], who: string): RuleContext {
  const n = decl.numRows;
  const date = readCodes(decl, 'date', who);
  const day = date.values.map(epochDay);
  const hs6 = readCodes(decl, 'hs6', who);
  const destination = readCodes(decl, 'destination', who);
  const text = (c: CodedColumn, i: number) => (c.codes[i] >= 0 ? c.values[c.codes[i]] : null);
  // which HS6 is controlled on which day to which destination: memoised on the few distinct (code, day, destination)
  const memo = new Map<number, boolean>();
  const codeIds = new StringDictionary();
  const controlledOn = (h: string, i: number): boolean => {
    const k = codeIds.code(h) * 1e9 + (date.codes[i] + 1) * 1e4 + destination.codes[i] + 1;
    let v = memo.get(k);
    if (v === undefined) {
      const d = text(date, i);
      v = !!d && /^\d{6}$/.test(h) && /^\d{4}-\d{2}-\d{2}$/.test(d) &&
        controlsInForce(catalog, h, text(destination, i) ?? '', d).some((iv) => iv.origin === p.controlOrigin);
      memo.set(k, v);
    }
    return v;
  };
  const ctx: RuleContext = {
    n, p, catalog, date, hs6, destination, text, controlledOn,
    code: readCodes(decl, 'declared_code', who),
    dir: readCodes(decl, 'direction', who),
    origin: readCodes(decl, 'origin', who),
    departure: readCodes(decl, 'departure', who),
    importer: readCodes(decl, 'importer', who),
    exporter: readCodes(decl, 'exporter', who),
    description: readCodes(decl, 'description', who),
    unit: readCodes(decl, 'quantity_unit', who),
    value: readFloats(decl, 'value_usd', who),
    mass: readFloats(decl, 'net_mass_kg', who),
    qty: readFloats(decl, 'quantity', who),
    isExport: [],
    kgPerUnit: [],
    dayOf: (i: number) => (date.codes[i] >= 0 ? day[date.codes[i]] : NaN),
    controlled: new Uint8Array(n),
    fired: Object.fromEntries(rules.map((r) => [r, new Uint8Array(n)])) as Record<DeclarationRule, Uint8Array>,
    reasons: new Map(),
    fire(rule, i) {
      if (ctx.fired[rule][i]) return;
      ctx.fired[rule][i] = 1;
      const r = ctx.reasons.get(i);
      if (r) r.push(rule);
      else ctx.reasons.set(i, [rule]);
    },
  };
  ctx.isExport = ctx.dir.values.map((v) => v === 'export');
  ctx.kgPerUnit = ctx.unit.values.map((u) => ({ kg: 1, kgm: 1, g: 0.001, t: 1000, tne: 1000 })[u.trim().toLowerCase()] ?? NaN);
  for (let i = 0; i < n; i++) if (hs6.codes[i] >= 0) ctx.controlled[i] = controlledOn(hs6.values[hs6.codes[i]], i) ? 1 : 0;
  return ctx;
}

/** Group ids of the rows by the codes of `cols` together (−1 where any is null). */
export function groupKeys(n: number, cols: CodedColumn[]): { groupOf: Int32Array; groups: number } {
  const dict = new StringDictionary();
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let key = '';
    let ok = true;
    for (const c of cols) {
      if (c.codes[i] < 0) {
        ok = false;
        break;
      }
      key += `${c.codes[i]}|`;
    }
    groupOf[i] = ok ? dict.code(key) : -1;
  }
  return { groupOf, groups: dict.values.length };
}

/** Per row, the first of `levels` (finest first) that judged it; NaN where none did. */
export function firstJudged(n: number, levels: Float64Array[]): Float64Array {
  const z = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    for (const lz of levels) {
      if (lz[i] === lz[i]) {
        z[i] = lz[i];
        break;
      }
    }
  }
  return z;
}

/** Raises every group's MAD to at least `floor` (in place). */
export function floorSpread(stats: GroupStats, floor: number): GroupStats {
  for (let g = 0; g < stats.mad.length; g++) if (stats.mad[g] < floor) stats.mad[g] = floor;
  return stats;
}

/** Days since 1970-01-01 of `YYYY-MM-DD`, NaN otherwise. */
export function epochDay(d: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 86_400_000 : NaN;
}
