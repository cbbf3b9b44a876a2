import { matchMirrorFlows } from '../src/detect/mirror-pairs.ts';
import { scoreMirrorGaps } from '../src/detect/mirror-gaps.ts';
import { estimatePairMargins } from '../src/detect/pair-margins.ts';
import { definePipeline } from '../src/run/pipeline.ts';

/** Both sides of every flow, coverage-aware, with reliability and reconciled values; flags the gaps. */
export default definePipeline({
  name: 'mirror-gaps',
  description: "Exporters' X (FOB) against importers' M (CIF) per pair, HS6 and window: gaps, ghosts, reliability, reconciled values.",
  inputs: { trade: 'required' },
  params: (config) => config.mirror,
  stages: [
    { name: 'match_mirror_flows' },
    { name: 'estimate_pair_margins' },
    { name: 'score_mirror_gaps', produces: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability'] },
  ],
  outputs: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability'],
  report: [
    {
      output: 'mirror_gaps',
      title: 'Mirror gaps',
      columns: ['rank', 'exporter', 'importer', 'hs6', 'window', 'period_start', 'period_end', 'exporter_value_usd', 'importer_value_fob_usd',
        'gap_usd', 'log_ratio', 'robust_z', 'exporter_reliability', 'importer_reliability', 'status', 'score', 'reasons'],
    },
  ],
  run({ trade, reference }, params, stage, count) {
    const { pairs, counts } = stage('match_mirror_flows', () => matchMirrorFlows(trade!.flows, trade!.areas, params.match));
    for (const [k, n] of Object.entries(counts)) count(k, n);
    const cifFobRatio = stage('estimate_pair_margins', () => estimatePairMargins(trade!.flows, pairs, reference.geo, params.cifFob));
    const hsScopeChanged = (hs6: string, a: string, b: string) => reference.hsCorrespondence.scopeChange(hs6, a, b) === true;
    const scored = stage('score_mirror_gaps', () =>
      scoreMirrorGaps(pairs, params.gaps, { cifFobRatio, flatRatio: params.cifFob.flatRatio, hsScopeChanged }),
    );
    return { mirror_pairs: scored.pairs, mirror_gaps: scored.gaps, reporter_reliability: scored.reliability };
  },
});
