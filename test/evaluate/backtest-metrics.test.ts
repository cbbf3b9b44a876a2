import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { backtestMetrics, type JudgedItem } from '../../src/evaluate/backtest-metrics.ts';
import { chooseDeclarationTruth, matchDeclarationTruth, matchMirrorTruth, matchRouteTruth, type BacktestTruth } from '../../src/evaluate/backtest-truth.ts';

const item = (key: string, score: number, flagged: boolean): JudgedItem => ({ key, score, flagged });
const truth = (t: Partial<BacktestTruth>): BacktestTruth => ({ routes: [], mirror_anomalies: [], declaration_anomalies: [], distractors: [], ...t });

describe('backtestMetrics', () => {
  it.each([
    ['nothing judged, nothing true', [], [], { flagged: 0, tp: 0, fp: 0, fn: 0, precision: NaN, recall: NaN, f1: NaN, k: 0, precisionAtK: NaN }],
    [
      'a true key never scored counts as a miss ranked last',
      [item('a', 0.9, true), item('b', 0.8, true), item('c', 0.3, false), item('d', 0.1, false)],
      ['a', 'c', 'e'],
      { flagged: 2, tp: 1, fp: 1, fn: 2, precision: 0.5, recall: 1 / 3, f1: 0.4, k: 3, precisionAtK: 2 / 3 },
    ],
    ['a tie across the cut is split evenly', [item('x', 0.5, true), item('y', 0.5, true)], ['x'], { flagged: 2, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1, f1: 2 / 3, k: 1, precisionAtK: 0.5 }],
    ['flags with nothing true', [item('x', 0.5, true)], [], { flagged: 1, tp: 0, fp: 1, fn: 0, precision: 0, recall: NaN, f1: 0, k: 0, precisionAtK: NaN }],
  ])('%s', (_, items, positives, want) => {
    const m = backtestMetrics(items as JudgedItem[], new Set(positives as string[]));
    expect({ ...m, positives: undefined }).toEqual({ ...want, positives: undefined });
    expect(m.positives).toBe((positives as string[]).length);
  });

  it('refuses a key judged twice', () => {
    expect(() => backtestMetrics([item('a', 1, true), item('a', 0, false)], new Set())).toThrow("key 'a' judged twice");
  });
});

describe('matching outputs to the truth', () => {
  it('routes: best score over controls per (hub, destination, hs6), flagged if any row is; distractor hubs counted', () => {
    const all = tableFromArrays({ hub: ['THA', 'THA', 'NLD', 'VNM'], destination: ['USA', 'USA', 'DEU', 'JPN'], hs6: ['811292', '811292', '250410', '811010'], score: Float64Array.from([0.3, 0.7, 0.5, 0.1]) });
    const flagged = tableFromArrays({ hub: ['THA', 'NLD'], destination: ['USA', 'DEU'], hs6: ['811292', '250410'], score: Float64Array.from([0.7, 0.5]) });
    const t = truth({
      routes: [{ origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811292' }, { origin: 'CHN', hub: 'MYS', destination: 'USA', hs6: '750210' }],
      distractors: [{ kind: 'steady_entrepot', countries: ['NLD', 'DEU'], hs6: '250410' }, { kind: 'demand_growth', countries: ['DEU'], hs6: '250410' }],
    });
    const m = matchRouteTruth(all, flagged, t, new Set(['811292', '250410', '811010']));
    expect(m.items).toEqual([item('THA|USA|811292', 0.7, true), item('NLD|DEU|250410', 0.5, true), item('VNM|JPN|811010', 0.1, false)]);
    expect([...m.positives]).toEqual(['THA|USA|811292']);
    expect(m.extra).toEqual({ distractors_flagged: 1, out_of_scope: 1 });
  });

  it('mirror gaps: under-declared and ghost pairs true, confidential ones negatives, route legs left out', () => {
    const pairs = tableFromArrays({
      exporter: ['FRA', 'FRA', 'RUS', 'CHN', 'NOR'], importer: ['KOR', 'KOR', 'IND', 'THA', 'ESP'], hs6: ['811231', '811231', '811231', '811292', '811292'],
      score: Float64Array.from([0, 2.5, 1.2, 8, 0]),
    });
    const gaps = tableFromArrays({ exporter: ['FRA', 'RUS', 'CHN'], importer: ['KOR', 'IND', 'THA'], hs6: ['811231', '811231', '811292'] });
    const t = truth({
      routes: [{ origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811292' }],
      mirror_anomalies: [
        { kind: 'under_declared_exports', exporter: 'FRA', importer: 'KOR', hs6: '811231' },
        { kind: 'ghost_imports', exporter: 'NOR', importer: 'ESP', hs6: '811292' },
        { kind: 'confidential', exporter: 'RUS', importer: 'IND', hs6: '811231' },
      ],
    });
    const m = matchMirrorTruth(pairs, gaps, t);
    expect(m.items).toEqual([item('FRA|KOR|811231', 2.5, true), item('RUS|IND|811231', 1.2, true), item('NOR|ESP|811292', 0, false)]);
    expect([...m.positives].sort()).toEqual(['FRA|KOR|811231', 'NOR|ESP|811292']);
    expect(m.extra).toEqual({ confidential_flagged: 1, legitimate_flagged: 1, route_legs_flagged: 1, out_of_scope: 0 });
    expect(backtestMetrics(m.items, m.positives)).toMatchObject({ flagged: 2, tp: 1, fp: 1, fn: 1 });
  });

  it('declarations: the truth when its ids are among them, else the labels; neither is an error', () => {
    const scored = tableFromArrays({ declaration_id: ['D1', 'D2', 'D3'], score: Float64Array.from([0.9, 0.2, 0.5]), label: Float64Array.from([1, 0, NaN]) });
    const flagged = tableFromArrays({ declaration_id: ['D1'] });
    const t = truth({ declaration_anomalies: [{ declaration_ids: ['D3'] }] });
    expect(chooseDeclarationTruth(scored, t)).toBe('truth');
    expect(chooseDeclarationTruth(scored, null)).toBe('labels');
    expect(chooseDeclarationTruth(scored, truth({ declaration_anomalies: [{ declaration_ids: ['X9'] }] }))).toBe('labels');
    const byTruth = matchDeclarationTruth(scored, flagged, t, 'truth');
    expect([byTruth.items.length, [...byTruth.positives]]).toEqual([3, ['D3']]);
    const byLabels = matchDeclarationTruth(scored, flagged, null, 'labels');
    expect(byLabels.items).toEqual([item('D1', 0.9, true), item('D2', 0.2, false)]);
    expect([...byLabels.positives]).toEqual(['D1']);
    expect(byLabels.extra).toEqual({ unlabelled_left_out: 1 });
    const unlabelled = tableFromArrays({ declaration_id: ['D1'], score: Float64Array.from([0.9]) });
    expect(() => chooseDeclarationTruth(unlabelled, truth({ declaration_anomalies: [{ declaration_ids: ['X9'] }] }))).toThrow('is it the truth of another world?');
    expect(() => chooseDeclarationTruth(unlabelled, null)).toThrow('carry no label');
  });
});
