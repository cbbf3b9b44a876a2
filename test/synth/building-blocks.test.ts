import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { selectSynthControls } from '../../src/synth/controls.ts';
import { SYNTH_COUNTRIES, distanceClass } from '../../src/synth/countries.ts';
import { csvText } from '../../src/synth/csv-text.ts';
import { SYNTH_PRESETS, resolveSynthKnobs } from '../../src/synth/knobs.ts';
import { MonthAxis } from '../../src/synth/month-axis.ts';
import { Rng } from '../../src/synth/random.ts';
import { catalog } from './worlds.ts';

describe('Rng', () => {
  it('repeats a stream for a label and forks streams that do not depend on draw order', () => {
    const a = new Rng('synth:7');
    const b = new Rng('synth:7');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    expect(new Rng('synth:8').next()).not.toBe(new Rng('synth:7').next());
    const fresh = new Rng('x').fork('routes').next();
    const used = new Rng('x');
    used.next();
    expect(used.fork('routes').next()).toBe(fresh);
  });

  it('draws have the right ranges and moments (known answers within sampling error)', () => {
    const r = new Rng('moments');
    const n = 20000;
    let u = 0;
    let z = 0;
    let z2 = 0;
    let ln = 0;
    let p = 0;
    let small = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      u += x;
      const g = r.normal();
      z += g;
      z2 += g * g;
      ln += r.noise(0.3);
      p += r.poisson(4);
      small += r.poisson(0.5);
    }
    expect(u / n).toBeCloseTo(0.5, 1);
    expect(z / n).toBeCloseTo(0, 1);
    expect(z2 / n).toBeCloseTo(1, 1);
    expect(ln / n).toBeCloseTo(1, 1); // mean-one noise
    expect(p / n).toBeCloseTo(4, 1);
    expect(small / n).toBeCloseTo(0.5, 1);
    expect(r.poisson(0)).toBe(0);
    expect(r.noise(0)).toBe(1);
    for (let i = 0; i < 200; i++) {
      const k = r.int(2, 4);
      expect([2, 3, 4]).toContain(k);
      const w = r.logUniform(300, 2000);
      expect(w >= 300 && w < 2000).toBe(true);
    }
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    expect(new Set(r.sampleWeighted(['a', 'b', 'c'], [1, 1, 1], 3)).size).toBe(3);
    expect(r.sampleWeighted(['a', 'b'], [1, 0], 1)).toEqual(['a']);
    expect(() => r.pick([])).toThrow('Rng.pick: empty list (moments)');
  });
});

describe('MonthAxis', () => {
  it('indexes months, and a measure dated after the 15th shapes the next month', () => {
    const axis = new MonthAxis('2023-11', '2024-02');
    expect(axis.periods).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    expect(axis.index('2024-01')).toBe(2);
    expect(axis.period(-1)).toBe('2023-10');
    expect(axis.compact(1)).toBe('202312');
    expect(axis.effectiveIndex('2023-12-01')).toBe(1);
    expect(axis.effectiveIndex('2023-12-15')).toBe(1);
    expect(axis.effectiveIndex('2023-12-16')).toBe(2);
    expect(axis.daysIn(3)).toBe(29);
    expect(() => new MonthAxis('2024-02', '2024-01')).toThrow('month axis: 2024-01 is before 2024-02');
  });
});

describe('csvText', () => {
  it('writes plain decimals from integer hundredths and thousandths, quoting only when needed', () => {
    expect(csvText.cents(12345)).toBe('123.45');
    expect(csvText.cents(1200)).toBe('12');
    expect(csvText.cents(1205)).toBe('12.05');
    expect(csvText.cents(1e15)).toBe('10000000000000'); // no exponent at any size
    expect(csvText.milli(1500)).toBe('1.5');
    expect(csvText.milli(1)).toBe('0.001');
    expect(() => csvText.cents(-1)).toThrow(/not a non-negative safe integer/);
    expect(csvText.line(['a', 'b, c', 'say "x"', '锑锭'])).toBe('a,"b, c","say ""x""",锑锭');
  });
});

describe('countries', () => {
  it('holds 40 countries with Comtrade codes, Taiwan as 490/S19 and never a reporter', () => {
    expect(SYNTH_COUNTRIES).toHaveLength(40);
    const code = Object.fromEntries(SYNTH_COUNTRIES.map((c) => [c.iso3, c.code]));
    expect(code).toMatchObject({ USA: 842, FRA: 251, IND: 699, CHE: 757, NOR: 579, ITA: 381, TWN: 490, CHN: 156 });
    expect(new Set(SYNTH_COUNTRIES.map((c) => c.code)).size).toBe(40);
    expect(SYNTH_COUNTRIES.filter((c) => !c.published).map((c) => `${c.iso3}/${c.comtradeIso}`)).toEqual(['TWN/S19']);
    expect(distanceClass('NLD', 'BEL')).toBe('near');
    expect(distanceClass('CHN', 'USA')).toBe('far');
  });
});

describe('controls from the catalog', () => {
  it('takes the real dates: licensing per code, the US ban lifted by its suspension, unverified rows left out', () => {
    const axis = new MonthAxis('2021-01', '2025-12');
    const got = selectSynthControls(catalog, ['811292', '250410', '811010', '282580', '810194', '250490'], axis);
    expect(got.map((c) => `${c.control_id} ${c.hs6} ${c.kind} ${c.start_period} ${c.lifted_period}`)).toEqual([
      'cn-2023-23 811292 licensing 2023-08 null',
      'cn-2023-39 250410 licensing 2023-12 null',
      'cn-2024-33 282580 licensing 2024-09 null',
      'cn-2024-33 811010 licensing 2024-09 null',
      'cn-2024-46 282580 ban 2024-12 2025-11',
      'cn-2024-46 811010 ban 2024-12 2025-11',
      'cn-2024-46 811292 ban 2024-12 2025-11',
      'cn-2025-10 810194 licensing 2025-02 null',
    ]);
    expect(got.find((c) => c.kind === 'ban')).toMatchObject({ destinations: ['USA'], start: '2024-12-03', lifted: '2025-11-09' });
    // a panel ending before the suspension keeps the ban open
    const short = selectSynthControls(catalog, ['811292'], new MonthAxis('2022-10', '2025-06'));
    expect(short.find((c) => c.kind === 'ban')?.lifted_period).toBeNull();
  });
});

describe('knobs', () => {
  it('the presets pass their own checks and differ where the issue says (σ 0.3 on every flow in hard)', () => {
    expect(resolveSynthKnobs('easy')).toEqual(SYNTH_PRESETS.easy);
    expect(resolveSynthKnobs('hard').flowSigma).toBe(0.3);
    expect(SYNTH_PRESETS.hard.hubNonReportingShare).toBe(0.5);
    expect(SYNTH_PRESETS.easy.smallRouteShare).toBe(0);
    expect(resolveSynthKnobs('easy', { routeCount: 5 }).routeCount).toBe(5);
  });

  it('refuses a knob of the wrong shape or out of range, naming it', () => {
    expect(() => resolveSynthKnobs('easy', { stockpileFactor: 2 as never })).toThrow(
      'synth: knob stockpileFactor = 2 is not of the preset\'s shape ([1.8,2.5])',
    );
    expect(() => resolveSynthKnobs('easy', { countryCount: 50 })).toThrow('synth: knob countryCount = 50 must be within [12, 40]');
    expect(() => resolveSynthKnobs('easy', { declarationsCountry: 'CHN' })).toThrow(UsageError);
    expect(() => resolveSynthKnobs('easy', { endPeriod: '2022-12' })).toThrow('synth: knob endPeriod = "2022-12" gives 3 months; the panel needs at least 12');
    expect(() => resolveSynthKnobs('medium' as never)).toThrow("synth: unknown preset 'medium' (known: easy, hard, wild)");
  });
});
