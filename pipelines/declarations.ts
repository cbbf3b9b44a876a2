import { screenDeclarations } from '../src/detect/declarations/declaration-rules.ts';
import { fitDeclarationModel, scoreDeclarationModel } from '../src/detect/declarations/declaration-model.ts';
import { scoreDeclarations } from '../src/detect/declarations/declaration-score.ts';
import { earlierLabelledRows } from '../src/detect/declarations/declaration-history.ts';
import { definePipeline } from '../src/pipeline.ts';

/** Customs declarations ranked for inspection: named rules with their numbers, an isolation score, and a learned model when history has outcomes. */
export default definePipeline({
  name: 'declarations',
  description: 'Ranks customs declarations for inspection: rules with their numbers, an isolation-forest score, and a model learned from earlier outcomes.',
  inputs: { declarations: 'required', routes: 'optional' },
  params: (config) => config.declarations,
  stages: [
    { name: 'screen_rules' },
    { name: 'fit_model' },
    { name: 'score_declarations', produces: ['declarations_scored', 'flagged_declarations'] },
  ],
  outputs: ['declarations_scored', 'flagged_declarations'],
  report: [
    {
      output: 'flagged_declarations',
      title: 'Flagged declarations',
      columns: ['rank', 'declaration_id', 'date', 'direction', 'importer', 'declared_code', 'description', 'origin', 'departure', 'destination',
        'value_usd', 'unit_value_robust_z', 'isolation_score', 'model_score', 'score', 'reasons'],
    },
  ],
  run({ declarations, routes, history, reference }, params, stage, count) {
    const screened = stage('screen_rules', () => screenDeclarations(declarations, reference.catalog, routes ?? null, params.rules, history ?? null));
    for (const [k, n] of Object.entries(screened.counts)) count(k, n);
    // the learned model only from outcomes of periods before the first declaration screened
    const modelScore = stage('fit_model', () => {
      if (!history) return null;
      const { rows, later, unlabelled, positives } = earlierLabelledRows(history, declarations);
      count('history_rows_not_earlier', later);
      count('history_rows_unlabelled', unlabelled);
      // a history without one labelled row before the first declaration (no label column filled, or only later
      // ones): nothing to learn from — said apart from one class, for the run's data check `history_has_labels`
      if (rows.length === 0) {
        count('model_not_fitted_no_labels', 1);
        return null;
      }
      // both outcomes are needed to learn anything: without them the score is rules and isolation alone
      if (positives === 0 || positives === rows.length) {
        count('model_not_fitted_one_class', 1);
        return null;
      }
      count('history_rows_fitted', rows.length);
      return scoreDeclarationModel(fitDeclarationModel(history, rows, params.model), declarations);
    });
    const scored = stage('score_declarations', () => scoreDeclarations(declarations, screened.table, params.score, modelScore));
    for (const [k, n] of Object.entries(scored.counts)) count(k, n);
    return { declarations_scored: scored.scored, flagged_declarations: scored.flagged };
  },
});
