import { matchMirrorFlows } from '../src/detect/mirror/mirror-pairs.ts';
import { scoreMirrorGaps } from '../src/detect/mirror/mirror-gaps.ts';
import { cifFobObservations, estimatePairMargins } from '../src/detect/mirror/pair-margins.ts';
import { definePipeline } from '../src/pipeline.ts';

/**
 * Both sides of every flow, coverage-aware, with reliability and reconciled values; flags the gaps. With
 * `--global`, coverage, reporter reliability and the CIF/FOB fit sample come from a run over every product.
 */
export default definePipeline({
  name: 'mirror-gaps',
  description: "Exporters' X (FOB) against importers' M (CIF) per pair, HS6 and window: gaps, ghosts, reliability, reconciled values.",
  inputs: { trade: 'required', global: 'optional', availability: 'optional' },
  params: (config) => config.mirror,
  stages: [
    { name: 'match_mirror_flows' },
    { name: 'estimate_pair_margins', produces: ['cif_fob_observations'] },
    { name: 'score_mirror_gaps', produces: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability'] },
  ],
  outputs: ['mirror_pairs', 'mirror_gaps', 'reporter_reliability', 'cif_fob_observations'],
  report: [
    {
      output: 'mirror_gaps',
      title: 'Mirror gaps',
      columns: ['rank', 'exporter', 'importer', 'hs6', 'value_at_stake_usd', 'windows_flagged', 'first_flagged_period', 'last_flagged_period',
        'window', 'period_end', 'exporter_value_usd', 'importer_value_fob_usd', 'gap_usd', 'log_ratio', 'z', 'noise_source',
        'exporter_reliability', 'importer_reliability', 'score', 'reasons'],
    },
  ],
  run({ trade, global, availability, reference }, params, stage, count) {
    const { pairs, counts } = stage('match_mirror_flows', () => matchMirrorFlows(trade.flows, trade.areas, params.match, { coverage: global?.coverage, availability }));
    for (const [k, n] of Object.entries(counts)) count(k, n);
    // the fit sample of this run's rows is written either way; a shared one (over every product) is used when given
    const { observations, cifFobRatio } = stage('estimate_pair_margins', () => {
      const own = cifFobObservations(trade.flows, reference.fobImportReporters);
      return { observations: own, cifFobRatio: estimatePairMargins(global?.cifFobObservations ?? own, pairs, reference.geo, params.cifFob) };
    });
    const hsScopeChanged = (hs6: string, a: string, b: string) => reference.hsCorrespondence.scopeChange(hs6, a, b) === true;
    const scored = stage('score_mirror_gaps', () =>
      scoreMirrorGaps(pairs, params.gaps, {
        cifFobRatio, flatRatio: params.cifFob.flatRatio, hsScopeChanged, reliability: global?.reliability,
        fobImporters: reference.fobImportReporters, entrepots: reference.entrepots, reviewBudget: params.reviewBudget,
        confidentialCoverShare: params.match.confidentialCoverShare,
      }),
    );
    for (const [k, n] of Object.entries(scored.counts)) count(k, n);
    if (global) {
      count('global.coverage_rows', global.coverage.numRows);
      count('global.reliability_rows', global.reliability.numRows);
      count('global.cif_fob_observations', global.cifFobObservations.numRows);
    }
    return { mirror_pairs: scored.pairs, mirror_gaps: scored.gaps, reporter_reliability: scored.reliability, cif_fob_observations: observations };
  },
});
