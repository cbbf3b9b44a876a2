import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.ts';
import { COMTRADE_PLUS_HEADER } from '../../src/synth/comtrade-csv.ts';
import { DECLARATIONS_HEADER } from '../../src/synth/declarations-csv.ts';
import { SYNTH_PRESETS } from '../../src/synth/knobs.ts';
import { synthWorld } from '../../src/synth/synth-world.ts';
import { catalog } from './worlds.ts';

describe('synthWorld: files and determinism', () => {
  it('gives byte-identical files for a seed, in both presets', () => {
    for (const preset of ['easy', 'hard'] as const) {
      const a = synthWorld({ seed: 101, preset }, catalog).files;
      const b = synthWorld({ seed: 101, preset }, catalog).files;
      expect(Object.keys(a)).toEqual(['trade/comtrade_101.csv', 'declarations/declarations_101.csv', 'truth.json']);
      for (const name of Object.keys(a)) expect(b[name] === a[name], `${preset} ${name}`).toBe(true);
    }
  });

  it('gives different worlds for different seeds and presets', () => {
    const a = synthWorld({ seed: 101, preset: 'easy' }, catalog).files;
    const b = synthWorld({ seed: 102, preset: 'easy' }, catalog).files;
    const c = synthWorld({ seed: 101, preset: 'hard' }, catalog).files;
    expect(b['trade/comtrade_102.csv']).not.toBe(a['trade/comtrade_101.csv']);
    expect(b['declarations/declarations_102.csv']).not.toBe(a['declarations/declarations_101.csv']);
    expect(c['trade/comtrade_101.csv']).not.toBe(a['trade/comtrade_101.csv']);
  });

  it('writes the exact headers and truth.json as the truth, 2-space indented, keys in schema order', () => {
    const out = synthWorld({ seed: 3, preset: 'easy' }, catalog);
    expect(out.files['trade/comtrade_3.csv'].split('\n')[0]).toBe(
      'typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,isReported,isAggregate',
    );
    expect(COMTRADE_PLUS_HEADER.split(',')).toHaveLength(47);
    expect(out.files['declarations/declarations_3.csv'].split('\n')[0]).toBe(DECLARATIONS_HEADER);
    const text = out.files['truth.json'];
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(out.truth)));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "schema": "tradewatch/synth-truth/v1",');
    expect(Object.keys(out.truth)).toEqual([
      'schema', 'seed', 'preset', 'knobs', 'periods', 'countries', 'codes', 'controls', 'declarations_country', 'currencies_usd',
      'routes', 'mirror_anomalies', 'declaration_anomalies', 'distractors', 'non_reporters', 'late_reporters', 'noisy_reporters',
      'fob_importers', 'partner2_reporters', 'import_lag_pairs', 'row_counts',
    ]);
    expect(Object.keys(out.truth.knobs)).toEqual(Object.keys(SYNTH_PRESETS.easy));
    expect(out.truth.row_counts['trade/comtrade_3.csv']).toBe(out.files['trade/comtrade_3.csv'].trimEnd().split('\n').length - 1);
  });

  it('sizes: easy is a few thousand trade rows over 33 months, hard tens of thousands (speed: npm run bench, stage synth_hard)', () => {
    const easy = synthWorld({ seed: 1, preset: 'easy' }, catalog).truth;
    const hard = synthWorld({ seed: 1, preset: 'hard' }, catalog).truth;
    expect(easy.periods).toHaveLength(33);
    expect(easy.countries).toHaveLength(20);
    expect(easy.row_counts['trade/comtrade_1.csv']).toBeGreaterThan(2000);
    expect(easy.row_counts['trade/comtrade_1.csv']).toBeLessThan(9000);
    expect(hard.row_counts['trade/comtrade_1.csv']).toBeGreaterThan(20000);
    expect(hard.periods).toHaveLength(60);
  });

  it('hard worlds hold small routes and silent hubs; easy ones neither', () => {
    const hard = [1, 2, 3].map((seed) => synthWorld({ seed, preset: 'hard' }, catalog).truth.routes).flat();
    expect(hard.filter((r) => r.small).length).toBeGreaterThan(3);
    expect(hard.filter((r) => !r.hub_reports).length).toBeGreaterThan(5);
    const easy = [1, 2, 3].map((seed) => synthWorld({ seed, preset: 'easy' }, catalog).truth.routes).flat();
    expect(easy.filter((r) => r.small || !r.hub_reports)).toEqual([]);
  });

  it('applies overrides and refuses bad options, naming the knob', () => {
    const none = synthWorld({ seed: 1, preset: 'easy', overrides: { routeCount: 0, ghostImportCount: 0 } }, catalog).truth;
    expect(none.routes).toEqual([]);
    expect(none.mirror_anomalies.filter((m) => m.kind === 'ghost_imports')).toEqual([]);
    expect(none.knobs.routeCount).toBe(0);
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { routeCount: 1.5 } }, catalog)).toThrow(
      'synth: knob routeCount = 1.5 is a count and must be an integer',
    );
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { nope: 1 } as never }, catalog)).toThrow(/unknown knob 'nope' \(known: startPeriod, /);
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { freeZoneShare: 2 } }, catalog)).toThrow(
      'synth: knob freeZoneShare = 2 is a share and must be within [0, 1]',
    );
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { divertedShare: [0.6, 0.2] } }, catalog)).toThrow(
      'synth: knob divertedShare = [0.6,0.2] is a range whose low end is above its high end',
    );
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { codes: ['999999'] } }, catalog)).toThrow(/unknown product '999999'/);
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { codes: ['811300'] } }, catalog)).toThrow(/a code only declarations use/);
    expect(() => synthWorld({ seed: -1, preset: 'easy' }, catalog)).toThrow(UsageError);
    expect(() => synthWorld({ seed: 1, preset: 'easy', overrides: { startPeriod: '2024-13' } }, catalog)).toThrow(UsageError);
  });
});
