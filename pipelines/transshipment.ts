import { MIRROR_EVIDENCE_COLUMNS, MirrorEvidence } from '../src/detect/mirror/mirror-evidence.ts';
import { matchMirrorFlows } from '../src/detect/mirror/mirror-pairs.ts';
import { scoreTransshipmentRoutes } from '../src/detect/routes/transshipment.ts';
import { definePipeline } from '../src/pipeline.ts';

/** Origin → hub → destination routes around each control, signal by signal, scored and flagged. */
export default definePipeline({
  name: 'transshipment',
  description: 'Scores origin → hub → destination routes around each export control for transshipment, with every signal as a column.',
  inputs: { trade: 'required', mirror: 'optional', global: 'optional', availability: 'optional' },
  columns: { mirror: MIRROR_EVIDENCE_COLUMNS },
  // the uncontrolled comparators of the selected codes (811231 beside 811292): the counterfactual's first choice
  readsComparators: true,
  params: (config) => ({ routes: config.transshipment, mirrorMatch: config.mirror.match }),
  stages: [{ name: 'mirror_pairs' }, { name: 'score_routes', produces: ['routes_all', 'flagged_routes'] }],
  outputs: ['routes_all', 'flagged_routes'],
  report: [
    {
      output: 'flagged_routes',
      title: 'Flagged routes',
      columns: ['rank', 'origin', 'hub', 'hub_name', 'destination', 'hs6', 'mineral', 'score', 'reasons', 'links_missing', 'at_stake_usd', 'weakest_link_z',
        'control_id', 'period_start', 'period_end', 'first_leg_excess', 'second_leg_surge', 'pass_through', 'counterfactual_basis'],
    },
  ],
  run({ trade, mirror, global, availability, reference }, params, stage, count) {
    // mirror evidence from the mirror-gaps run given with --mirror (pair-specific CIF/FOB), else matched here (flat ratio)
    const evidence = stage('mirror_pairs', () => {
      if (mirror) {
        count('mirror_pairs_read', mirror.numRows);
        return new MirrorEvidence(mirror, params.routes.cifFobRatio);
      }
      // coverage over every product (--global) and Comtrade's availability table (--availability) when given: a
      // reporter that published other products counts as reporting
      const { pairs } = matchMirrorFlows(trade.flows, trade.areas, params.mirrorMatch, { coverage: global?.coverage, availability });
      count('mirror_pairs_computed', pairs.numRows);
      return new MirrorEvidence(pairs, params.routes.cifFobRatio);
    });
    const scored = stage('score_routes', () =>
      scoreTransshipmentRoutes(
        { flows: trade.flows, consignment: trade.consignment, subflows: trade.subflows, mirror: evidence },
        reference.catalog,
        params.routes,
        {
          country: reference.countryNames, hs6: reference.hs6Descriptions,
          scopeChanged: (hs6, a, b) => reference.hsCorrespondence.scopeChange(hs6, a, b) === true,
          sourcePaths: trade.sourcePaths,
        },
      ),
    );
    for (const [k, n] of Object.entries(scored.counts)) count(k, n);
    return { routes_all: scored.routes, flagged_routes: scored.flagged };
  },
});
