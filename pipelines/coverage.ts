import { summarizeCoverage } from '../src/detect/mirror/coverage.ts';
import { definePipeline } from '../src/pipeline.ts';

/** Per reporter × flow × period publication coverage: the run machinery's worked example. */
export default definePipeline({
  name: 'coverage',
  description: 'What each reporter published: rows, partners, products and value per reporter × flow × period.',
  inputs: { trade: 'required' },
  params: () => ({}),
  stages: [{ name: 'summarize_coverage', produces: ['coverage'] }],
  outputs: ['coverage'],
  run({ trade }, _params, stage) {
    const coverage = stage('summarize_coverage', () => summarizeCoverage(trade.flows));
    return { coverage };
  },
});
