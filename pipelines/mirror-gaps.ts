import { matchMirrorFlows } from '../src/detect/mirror-pairs.ts';
import { scoreMirrorGaps } from '../src/detect/mirror-gaps.ts';
import { definePipeline } from '../src/run/pipeline.ts';

/** Both sides of every flow, coverage-aware, with reliability and reconciled values; flags the gaps. */
export default definePipeline({
  name: 'mirror-gaps',
  description: "Exporters' X (FOB) against importers' M (CIF) per pair, HS6 and window: gaps, ghosts, reliability, reconciled values.",
  inputs: { trade: 'required' },
  params: (config) => config.mirror,
  stages: [
    { name: 'match_mirror_flows' },
    { name: 'score_mirror_gaps', produces: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability'] },
  ],
  outputs: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability'],
  run({ trade, reference }, params, stage) {
    const { pairs } = stage('match_mirror_flows', () => matchMirrorFlows(trade!.flows, trade!.areas, params.match));
    const hsScopeChanged = (hs6: string, a: string, b: string) => reference.hsCorrespondence.scopeChange(hs6, a, b) === true;
    const scored = stage('score_mirror_gaps', () => scoreMirrorGaps(pairs, params.gaps, { hsScopeChanged }));
    return { mirror_pairs: scored.pairs, mirror_gaps: scored.gaps, reporter_reliability: scored.reliability };
  },
});
