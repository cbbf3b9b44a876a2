import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BacktestResults } from '../../src/evaluate/backtest-summary.ts';
import type { MirrorHoldOutResults } from '../../src/evaluate/hold-out.ts';
import { SYNTH_FAMILIES } from '../../src/synth/wild-knobs.ts';
import { type AtlasMirrorTop, type RealRoutesTop, generatedBlock, renderAtlasMirrorTop, renderMirrorHoldOut, renderRealRoutesTop, renderEvaluationTables, renderSynthFamilies, renderWildKnobs, replaceGeneratedBlock } from '../../src/report/render-evaluation.ts';

const PAGE = readFileSync('docs/evaluation.md', 'utf8');

describe('docs/evaluation.md', () => {
  it.each(['wild', 'hard'])('shows the %s backtest exactly as its committed results render (rerun npm run evaluation when this fails)', (name) => {
    const results = JSON.parse(readFileSync(`docs/evaluation/${name}.json`, 'utf8')) as BacktestResults;
    expect(results.schema).toBe('tradewatch/backtest/v1');
    expect(results.rows.length).toBeGreaterThan(0);
    expect(generatedBlock(PAGE, name)).toBe(renderEvaluationTables(results));
  });

  it('shows the atlas records\' top 20 mirror pairs as committed, China → USA 811292 among them, within the review budget', () => {
    const top = JSON.parse(readFileSync('docs/evaluation/atlas-mirror.json', 'utf8')) as AtlasMirrorTop;
    expect(generatedBlock(PAGE, 'atlas-mirror')).toBe(renderAtlasMirrorTop(top));
    expect(top.rows).toHaveLength(20);
    expect(top.pairs_flagged).toBeLessThanOrEqual(100);
    expect(top.rows.some((r) => r.exporter === 'CHN' && r.importer === 'USA' && r.hs6 === '811292')).toBe(true);
  });

  it('shows the mirror hold-out as committed: a row tuned with every family, then one per mirror family and legitimate gap left out', () => {
    const res = JSON.parse(readFileSync('docs/evaluation/mirror-holdout.json', 'utf8')) as MirrorHoldOutResults;
    expect(res.schema).toBe('tradewatch/mirror-holdout/v1');
    expect(generatedBlock(PAGE, 'mirror-holdout')).toBe(renderMirrorHoldOut(res));
    expect(res.rows[0].family).toBeNull();
    expect(res.rows.slice(1).map((r) => r.family)).toEqual(SYNTH_FAMILIES.filter((f) => f.role === 'mirror' || f.role === 'legitimate_gap').map((f) => f.name));
    expect(res.tuning_seeds).toEqual([1, 2, 3, 4, 5]);
    expect(res.test_seeds).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
  });

  it.each(['atlas-routes', 'baci-routes'])('shows the %s top routes as committed, each with every link of its chain', (name) => {
    const top = JSON.parse(readFileSync(`docs/evaluation/${name}.json`, 'utf8')) as RealRoutesTop;
    expect(generatedBlock(PAGE, name)).toBe(renderRealRoutesTop(top));
    expect(top.rows.every((r) => r.chain.filter((l) => l.role === 'required').length === 4)).toBe(true);
  });

  it('renders a route\'s chain with the required links in bold and each z', () => {
    const md = renderRealRoutesTop({
      source: 'x', candidates: 3, flagged: 1,
      rows: [{
        rank: 1, origin: 'CHN', hub: 'THA', destination: 'USA', hs6: '811010', control_id: 'cn-2024-33', freq: 'M', period_end: '2025-10', flagged: true,
        score: 1, at_stake_usd: 2.5e6, weakest_link_z: 2.34, links_missing: ['counterfactual'],
        chain: [{ link: 'second_leg_rose', role: 'required', status: 'holds', z: 3.14 }, { link: 'timing', role: 'supporting', status: 'unavailable', z: null }],
      }],
    });
    expect(md).toContain('| 1 | CHN → THA → USA | 811010 | cn-2024-33 M 2025-10 | yes | 2.50 | 2.3 | **second_leg_rose**: holds z 3.1; timing: unavailable |');
  });

  it('the wild results are on test seeds 101–120 with thresholds tuned on 1–5, tradewatch and both baselines', () => {
    const r = JSON.parse(readFileSync('docs/evaluation/wild.json', 'utf8')) as BacktestResults;
    expect(r.seeds).toEqual([1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => 101 + i)]);
    expect(r.tuning_seeds).toEqual([1, 2, 3, 4, 5]);
    expect([...new Set(r.rows.map((x) => `${x.target}:${x.detector}`))].sort()).toEqual([
      'declarations:tradewatch', 'mirror_gaps:mirror_threshold', 'mirror_gaps:tradewatch', 'routes:tradewatch', 'routes:two_leg_rule',
    ]);
  });
});

describe('docs/synth.md', () => {
  it('lists the wild knobs with their ranges and sources, and the families, as the code has them', () => {
    const page = readFileSync('docs/synth.md', 'utf8');
    expect(generatedBlock(page, 'wild-knobs')).toBe(renderWildKnobs());
    expect(generatedBlock(page, 'families')).toBe(renderSynthFamilies());
    expect(renderWildKnobs()).toContain('| `flowSigma` | 0.2–0.6 | china-exports-monthly/deep_dive_hs6_monthly.csv');
  });
});

describe('renderEvaluationTables', () => {
  const res: BacktestResults = {
    schema: 'tradewatch/backtest/v1', version: '0.1.0', config_hash: 'abcdef0123456789', preset: 'wild', seeds: [1, 101, 102], tuning_seeds: [1, 2, 3, 4, 5], hold_out: [],
    rows: [
      ...[1, 101, 102].flatMap((seed) => [
        { seed, target: 'routes', detector: 'tradewatch', family: null, metric: 'tp', value: seed === 1 ? 1 : 2, truth_source: 'truth' },
        { seed, target: 'routes', detector: 'tradewatch', family: null, metric: 'positives', value: 2, truth_source: 'truth' },
        { seed, target: 'routes', detector: 'tradewatch', family: null, metric: 'precision_at_k', value: seed === 102 ? 0.5 : 1, truth_source: 'truth' },
        { seed, target: 'routes', detector: 'tradewatch', family: 'producer_hub', metric: 'present', value: 1, truth_source: 'truth' },
        { seed, target: 'routes', detector: 'tradewatch', family: 'producer_hub', metric: 'flagged', value: seed === 102 ? 1 : 0, truth_source: 'truth' },
      ]),
    ],
  };

  it('sums test seeds apart from tuning seeds: recall Σtp/Σpositives, mean precision@k, distractors and the seeds they were flagged on', () => {
    const md = renderEvaluationTables(res);
    expect(md).toContain('Preset `wild`, tuning seeds 1, test seeds 101–102; tradewatch 0.1.0, config abcdef012345.');
    expect(md).toContain('| routes | tradewatch | 0.50 | 1.00 | 1.00 | 0.75 | 0 | 0 | 1 | 1 of 2 |');
    expect(md).toContain('| producer_hub | distractor | 0 / 1 | 1 / 2 |');
  });

  it('replaces a generated block between its markers and refuses a page without them', () => {
    const page = 'a\n<!-- generated: x (npm run evaluation; do not edit by hand) -->\nold\n<!-- end generated: x -->\nb\n';
    expect(replaceGeneratedBlock(page, 'x', 'new\n')).toBe('a\n<!-- generated: x (npm run evaluation; do not edit by hand) -->\nnew\n<!-- end generated: x -->\nb\n');
    expect(generatedBlock(replaceGeneratedBlock(page, 'x', 'new\n'), 'x')).toBe('new\n');
    expect(() => replaceGeneratedBlock(page, 'y', '')).toThrow("the page has no generated block 'y'");
  });
});
