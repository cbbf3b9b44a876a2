import { describe, expect, it } from 'vitest';
import { chainDefaults, judgeChain, robustSd, type ChainInput } from '../../../src/detect/routes/route-chain.ts';
import { transshipmentDefaults } from '../../../src/detect/routes/transshipment.ts';

const g = transshipmentDefaults.gates;
const effect = (logChange: number, se = 0.1) => ({ logChange, se, z: logChange / se, basis: 'own_history' as const });

/** A textbook transshipment route: first leg 1.0 m → 2.0 m a month above trend, second leg 0 → 0.9 m. */
function route(over: Partial<ChainInput> = {}): ChainInput {
  return {
    origin: 'CHN', hub: 'THA', destination: 'USA',
    first: effect(Math.log(2)), firstRecorded: Math.log(2), second: effect(Math.log(46)),
    firstRise: 1_000_000, secondRise: 900_000, riseUnit: 'usd', firstRiseUsd: 1_000_000, secondRiseUsd: 900_000, firstRiseSeUsd: 100_000,
    consignedPostMean: 0, hubGhostShare: 0, counterfactual: { logDifference: Math.log(2), z: 5, basis: 'comparator' },
    diversion: Math.log(0.4), lagMonths: 1, unitValueRatio: 1.05, consignmentUsd: 0, originKeptLogRatio: NaN, hubPriorExportShare: 0, hubBalance: 1.1,
    ...over,
  };
}

const status = (x: ChainInput) => Object.fromEntries(judgeChain(x, chainDefaults, g).links.map((l) => [l.name, l.status]));

describe('judgeChain', () => {
  it('flags a route whose four required links hold, with the weakest z and an explanation in numbers', () => {
    const v = judgeChain(route(), chainDefaults, g);
    expect(v.flagged).toBe(true);
    expect(v.links.filter((l) => l.role === 'required').map((l) => [l.name, l.status])).toEqual([
      ['goods_reach_hub', 'holds'], ['second_leg_rose', 'holds'], ['pass_through', 'holds'], ['counterfactual', 'holds'],
    ]);
    expect(v.weakestZ).toBeCloseTo(5, 9); // the counterfactual's z (the legs' are 6.9 and 38)
    expect(v.strength).toBeCloseTo(25 / 26, 9);
    expect(v.missing).toEqual(['consignment', 'origin_kept']); // supporting links that do not show
    expect(v.explanation).toMatch(/^Flagged: CHN→THA ×2, ×2 against CHN's exports to its other destinations, z 6\.9 against own history; THA→USA rose ×46/);
    expect(v.explanation).toContain("covers 111% of the second's (usd; needs 50%)");
  });

  it('does not flag a producer hub: exports to D up 9 m, imports from the origin up 0.9 m — pass-through 0.1 (#17 item 1)', () => {
    const x = route({ firstRise: 900_000, firstRiseUsd: 900_000, secondRise: 9_000_000, secondRiseUsd: 9_000_000, firstRiseSeUsd: 50_000 });
    const v = judgeChain(x, chainDefaults, g);
    expect(v.links[2]).toMatchObject({ name: 'pass_through', status: 'fails' });
    expect(v.links[2].value).toBeCloseTo(0.1, 9);
    expect(v.flagged).toBe(false);
    expect(v.explanation).toMatch(/^Not flagged \(pass_through fails\)/);
    // the same hub that hides what it receives (ghost share 0.6) still lacks the pass-through: it is not flagged either
    expect(judgeChain({ ...x, hubGhostShare: 0.6 }, chainDefaults, g).flagged).toBe(false);
  });

  it('takes a hub that does not record its imports (ghost share ≥ 0.25) as the goods reaching it, with the counterfactual unjudged', () => {
    const x = route({ first: effect(0.05), firstRecorded: 0.05, hubGhostShare: 0.8, firstRise: 0, firstRiseUsd: 0, consignedPostMean: 900_000 });
    const v = judgeChain(x, chainDefaults, g);
    expect(v.links[0]).toMatchObject({ status: 'holds', basis: 'hub_ghost_share', value: 0.8 });
    expect(v.links[3]).toMatchObject({ status: 'unavailable', basis: 'first_leg_did_not_rise' });
    expect(v.flagged).toBe(true);
    expect(v.missing).toContain('counterfactual');
  });

  it('does not flag what every comparable flow did: the comparator rose alike (broad growth)', () => {
    const v = judgeChain(route({ counterfactual: { logDifference: 0.05, z: 0.4, basis: 'comparator' } }), chainDefaults, g);
    expect(status(route({ counterfactual: { logDifference: 0.05, z: 0.4, basis: 'comparator' } })).counterfactual).toBe('fails');
    expect(v.flagged).toBe(false);
    expect(v.explanation).toContain('they rose alike, not a diversion');
  });

  it('names a first leg whose noise could hide the goods as unjudged, and does not flag on it', () => {
    // first leg flat at its noise; the goods the second leg implies (0.45 m) are within 2 × its 0.5 m standard error
    const x = route({ first: effect(0.02, 0.3), firstRecorded: 0.02, firstRise: 20_000, firstRiseUsd: 20_000, firstRiseSeUsd: 500_000 });
    const v = judgeChain(x, chainDefaults, g);
    expect(v.links[0]).toMatchObject({ status: 'unavailable', basis: 'first_leg_noise_hides_it' });
    expect(v.links[2].status).toBe('unavailable');
    expect(v.flagged).toBe(false);
    // a quiet first leg (standard error 10 k) would have shown them: there the link fails
    expect(judgeChain({ ...x, firstRiseSeUsd: 10_000 }, chainDefaults, g).links[0].status).toBe('fails');
  });

  it('needs the second leg to rise beyond its noise and by at least chain.minLogRise', () => {
    expect(status(route({ second: effect(0.3, 0.1) })).second_leg_rose).toBe('fails'); // z 3 but only ×1.35
    expect(status(route({ second: effect(1, 0.6) })).second_leg_rose).toBe('fails'); // ×2.7 but z 1.7
    expect(status(route({ second: effect(1, 0.4) })).second_leg_rose).toBe('holds');
  });
});

describe('robustSd', () => {
  it('is 1.4826 × the median absolute deviation', () => {
    expect(robustSd([1, 2, 3, 4, 100])).toBeCloseTo(1.4826, 9);
    expect(robustSd([5])).toBe(0);
  });
});
