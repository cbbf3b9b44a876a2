import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../../src/cli/backtest-commands.ts';
import { expandGrid, paramColumn, parseParamSpec } from '../../src/commands/tune-grid.ts';

describe('--param', () => {
  it.each([
    ['transshipment.chain.passThroughMin=0.3:0.9:0.05', [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]],
    ['transshipment.chain.passThroughMin=0.2:0.6:0.1', [0.2, 0.3, 0.4, 0.5, 0.6]],
    ['transshipment.chain.passThroughMin=0.2:0.65:0.1', [0.2, 0.3, 0.4, 0.5, 0.6]],
    ['transshipment.baselineMonths=6:12:3', [6, 9, 12]],
    ['declarations.score.flagThreshold=0.5,0.6', [0.5, 0.6]],
    ['mirror.gaps.minValueUsd=1e5', [100000]],
  ])('%s', (spec, values) => {
    expect(parseParamSpec(spec).values).toEqual(values);
  });

  it('names the camelCase key for a snake_case one', () => {
    expect(() => parseParamSpec('transshipment.chain.pass_through_min=0.3:0.9:0.05')).toThrow("config keys are camelCase: use 'transshipment.chain.passThroughMin'");
    expect(() => parseParamSpec('declarations.score.flag_threshold=0.5')).toThrow("use 'declarations.score.flagThreshold'");
  });

  it('expands a grid, the first key slowest, and refuses a key twice', () => {
    const grid = expandGrid([parseParamSpec('transshipment.chain.passThroughMin=0.3,0.4'), parseParamSpec('declarations.score.flagThreshold=0.5,0.6')]);
    expect(grid).toEqual([
      { 'transshipment.chain.passThroughMin': 0.3, 'declarations.score.flagThreshold': 0.5 },
      { 'transshipment.chain.passThroughMin': 0.3, 'declarations.score.flagThreshold': 0.6 },
      { 'transshipment.chain.passThroughMin': 0.4, 'declarations.score.flagThreshold': 0.5 },
      { 'transshipment.chain.passThroughMin': 0.4, 'declarations.score.flagThreshold': 0.6 },
    ]);
    expect(() => expandGrid([parseParamSpec('transshipment.chain.passThroughMin=0.3'), parseParamSpec('transshipment.chain.passThroughMin=0.4')])).toThrow('given twice');
    expect(() => expandGrid([parseParamSpec('transshipment.chain.passThroughMin=0:1:0.01'), parseParamSpec('declarations.score.flagThreshold=0:1:0.01')])).toThrow('more than 1000');
  });

  it('names columns in snake_case', () => {
    expect(paramColumn('transshipment.chain.passThroughMin')).toBe('transshipment_chain_pass_through_min');
    expect(paramColumn('mirror.gaps.minValueUsd')).toBe('mirror_gaps_min_value_usd');
  });
});

describe('--seeds', () => {
  it('takes lists and ranges, each seed once', () => {
    expect(parseSeeds('1,2,3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1-3,7,2')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('3-1')).toThrow('backwards');
    expect(() => parseSeeds('a')).toThrow('expected seeds');
  });
});
