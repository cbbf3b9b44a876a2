import { describe, expect, it } from 'vitest';
import { UNEXPLAINED, familiesOfRoute, mirrorFamilyFigures, routeFamilyFigures } from '../../src/evaluate/backtest-families.ts';
import type { BacktestTruth } from '../../src/evaluate/backtest-truth.ts';

const route = (hub: string, destination: string, families: string[]) => ({ origin: 'CHN', hub, destination, hs6: '811292', families });
const TRUTH: BacktestTruth = {
  routes: [route('THA', 'USA', ['hub_records_all', 'ban']), route('VNM', 'JPN', ['hub_records_none', 'origin_kept'])],
  mirror_anomalies: [
    { kind: 'ghost_exports', exporter: 'CHN', importer: 'ARE', hs6: '811292' },
    { kind: 'timing', exporter: 'DEU', importer: 'FRA', hs6: '811292' },
  ],
  declaration_anomalies: [],
  distractors: [
    { kind: 'producer_hub', countries: ['KAZ'], hs6: '811292' },
    { kind: 'demand_growth', countries: ['KOR'], hs6: '811292' },
    { kind: 'reimport', countries: ['CHN'], hs6: '811292' },
    { kind: 'stockpiling', countries: ['CHN'], hs6: '811292' },
    { kind: 'new_mine', countries: ['MOZ', 'USA'], hs6: '250410' },
  ],
};
const byName = (xs: ReturnType<typeof routeFamilyFigures>) => Object.fromEntries(xs.map((f) => [f.family, `${f.flagged}/${f.present}`]));

describe('routeFamilyFigures', () => {
  it('counts each true family found, each distractor with a false flag about it, and the false flags none explains', () => {
    const flagged = new Set(['THA|USA|811292', 'KAZ|USA|811292', 'SGP|KOR|811292', 'MYS|GBR|811292']);
    expect(byName(routeFamilyFigures(TRUTH, flagged, null))).toEqual({
      hub_records_all: '1/1', ban: '1/1', hub_records_none: '0/1', origin_kept: '0/1',
      producer_hub: '1/1', demand_growth: '1/1', reimport: '0/1', new_mine: '0/1',
      [UNEXPLAINED]: '1/0', // MYS → GBR; stockpiling has no route row
    });
  });

  it('leaves out what the run did not read (codes outside scope), and says nothing is flagged on an empty set', () => {
    const figures = byName(routeFamilyFigures(TRUTH, new Set(), new Set(['250410'])));
    expect(figures).toEqual({ new_mine: '0/1', [UNEXPLAINED]: '0/0' });
  });
});

describe('mirrorFamilyFigures', () => {
  it('judges anomalies and legitimate gaps by their pair, leaves route legs out, and lays self-pairs at the re-import', () => {
    const flagged = new Set(['CHN|ARE|811292', 'DEU|FRA|811292', 'CHN|CHN|811292', 'CHN|THA|811292', 'JPN|GBR|811292']);
    expect(byName(mirrorFamilyFigures(TRUTH, flagged, null))).toEqual({
      ghost_exports: '1/1', timing: '1/1',
      producer_hub: '0/1', demand_growth: '0/1', reimport: '1/1', stockpiling: '1/1', new_mine: '0/1',
      [UNEXPLAINED]: '1/0', // JPN → GBR; CHN → THA is a route leg, neither true nor false
    });
  });
});

describe('familiesOfRoute', () => {
  it('takes the families truth.json names, derives them from a synth route\'s traits, and has none for another layout', () => {
    expect(familiesOfRoute(route('THA', 'USA', ['small']), [])).toEqual(['small']);
    const hard = {
      origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811292', hub_reports: true, free_zone: true, free_zone_hidden_share: 0.8,
      origin_kept: true, small: false, control_kind: 'ban',
    };
    expect(familiesOfRoute(hard, ['USA'])).toEqual(['hub_records_part', 'origin_kept', 'annual_leg', 'ban']);
    expect(familiesOfRoute({ origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811292' }, [])).toEqual([]);
  });
});
