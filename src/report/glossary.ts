import { esc } from './html.ts';

/** Every reason code the detectors give, with one plain sentence on what it means. */
export const REASONS: Readonly<Record<string, string>> = {
  // transshipment routes
  goods_reach_hub: "Required: the hub's imports from the origin rose above the origin's trend to its other buyers, or the hub does not record what the origin says it sent, or the destination records the origin's goods consigned from the hub.",
  second_leg_rose: "Required: the hub's exports of the product to the destination rose after the control, beyond that flow's own noise.",
  pass_through: "Required: the rise of the hub's imports from the origin covers the rise of its exports to the destination (in kg where both have weights): goods passed through rather than being the hub's own output.",
  counterfactual: "Required (when the data has one): the hub's imports from the origin rose more than its counterfactual's — the uncontrolled comparator, the hub's imports from other origins, or its imports of uncontrolled goods from the origin.",
  diversion: "Supporting: the origin's direct exports to the destination fell after the control.",
  timing: 'Supporting: the second leg follows the first within a few months after the control.',
  new_exporter: 'Supporting: the hub sold little of the product to the destination before the control.',
  unit_value: 'Supporting: the hub sells at about the price per kg it buys at: consistent with goods passing through unchanged.',
  origin_kept: 'Supporting: the destination records more from the origin than the origin declares sending it (it books the goods by origin).',
  consignment: 'Supporting: the destination recorded goods of the origin consigned from the hub.',
  hub_balance: 'Supporting: the hub exports about what it imports of the product, across all partners: a pass-through hub, not a producer.',
  control_year_partial: "Annual data: the control's own year had it in force for under half its days and is in neither window.",
  needs_monthly: 'Annual data only: the lag between legs, stockpiling and the licensing pause cannot be judged.',
  // mirror gaps
  importer_exceeds: 'The importer recorded more than the exporter says it sent (after putting both on the same FOB basis).',
  exporter_exceeds: 'The exporter says it sent more than the importer recorded receiving.',
  ghost: 'Only one side recorded the trade, although the other side published its figures and nothing confidential can hide it.',
  ghost_imports: 'The importer recorded goods the exporter never declared.',
  ghost_exports: 'The exporter declared goods the importer never recorded.',
  weight_mismatch: 'The two sides disagree about the weight as well as the value.',
  weight_gap: 'The two sides agree on the value but not on the weight, by far more than their usual difference: same value, very different kilograms.',
  entrepot: 'One side is an entrepôt (Hong Kong, Singapore, the Netherlands, Belgium, the Emirates, Switzerland): goods in transit there are the channel third-country routing uses; its side is not discounted for its usual disagreements.',
  unit_value_mismatch: 'The two sides imply very different prices per kg.',
  hs_scope_changed: 'The two sides use product-code versions in which this code does not mean exactly the same goods.',
  // declarations
  misclassified_description: 'The goods description names a controlled mineral, but the declared code is not one of its codes.',
  misclassified_unit_value: 'The price per kg is far outside the declared code’s usual range and inside a controlled code’s.',
  banned_destination: 'An export of Chinese goods to a destination under a ban in force on that date.',
  banned_destination_via_third: 'An import of Chinese-origin controlled goods, through a third country, into a destination under a ban in force on that date: what transshipment around the ban looks like to the importing agency.',
  via_flagged_hub: 'The goods travelled origin → departure → destination along a route flagged for transshipment.',
  origin_flagged_hub: 'The declared origin is a flagged hub for this product and destination that sold little there before.',
  unit_value_outlier: 'The price per kg is far from that of comparable declarations (same line, description, origin).',
  mass_quantity_mismatch: 'The net mass and the declared quantity in kg disagree by more than 5%.',
  value_quantity_outlier: 'The value per declared unit (pieces, litres, …) is far from what that line is usually declared at in that unit.',
  split_shipment: 'One party filed several lots just under the simplified-entry value limit within a few days.',
  new_consignee: 'An importer first seen recently with a large value of controlled goods.',
};

/** Words used on the report that are not reasons. */
export const TERMS: Readonly<Record<string, string>> = {
  score: 'How suspicious a flag is: higher is more suspicious. Flags are ranked by it; it compares flags of one kind, not across kinds.',
  rank: 'Position in the ranking by score (1 = most suspicious).',
  flag_id: 'A fixed identifier of what a flag is about (route, pair and window, or declaration), the same in every run: use it to record verdicts.',
  'first leg': 'Trade from the origin (the country that controls exports, e.g. China) to the hub.',
  'second leg': 'Trade from the hub to the destination.',
  'direct flow': 'Trade from the origin straight to the destination.',
  baseline: 'The months before the control that the later months are compared with (the stockpiling month just before the control left out).',
  'after control': 'The months compared with the baseline, after the licensing pause that follows the control.',
  FOB: 'Free on board: the value at the exporter’s border. Importers record CIF (with freight and insurance); the report puts them on FOB to compare.',
  '×6.5': 'A factor: the later (or one side’s) value is 6.5 times the earlier (or the other’s); ×0.5 is half. The tooltip gives its natural log, the scale the detectors compute on.',
  'window (M, R3, R12, Y)': 'The span a mirror comparison covers: a month, rolling 3 or 12 months, a calendar year.',
  new: 'Flagged in this run, not in the last one.',
  persisting: 'Flagged in this run and in the last one.',
  dropped: 'Flagged in the last run, not in this one.',
  confirmed: 'An analyst confirmed the flag.',
  watch: 'An analyst is watching the flag.',
  dismissed_resurfaced: 'An analyst dismissed the flag, but its score has risen since.',
};

/** A reason code as a badge whose tooltip explains it. */
export function reasonBadge(code: string): string {
  const text = REASONS[code];
  // a long code may break after its underscores (a narrow ranking column must not overflow)
  return `<span class="badge b-reason"${text ? ` title="${esc(text)}"` : ''}>${esc(code).replaceAll('_', '_<wbr>')}</span>`;
}

/** The glossary section: the reasons that appear on this page (all known ones when `used` is null), then the terms. */
export function renderGlossary(used: ReadonlySet<string> | null): string {
  const codes = Object.keys(REASONS).filter((c) => !used || used.has(c));
  const unknown = used ? [...used].filter((c) => !(c in REASONS)).sort() : [];
  const item = (k: string, v: string) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`;
  return `<section id="glossary"><h2>What the words mean</h2>
${codes.length || unknown.length ? `<h3>Reasons a flag was raised</h3>
<dl class="glossary">${codes.map((c) => item(c, REASONS[c])).join('')}${unknown.map((c) => item(c, 'See the README for this reason.')).join('')}</dl>` : ''}
<h3>Other terms</h3>
<dl class="glossary">${Object.entries(TERMS).map(([k, v]) => item(k, v)).join('')}</dl>
</section>`;
}

/** Each pipeline's plain title and what it does, for readers who never saw the code. */
export const PIPELINES: Readonly<Record<string, { title: string; text: string }>> = {
  'mirror-gaps': {
    title: 'Mirror gaps',
    text: 'Compares what exporters say they sent with what importers say they received, pair by pair and product by product, and flags large, lasting disagreements.',
  },
  transshipment: {
    title: 'Transshipment routes',
    text: 'Looks, around each export control, for goods that stop going directly from the controlling country to a destination and go through a third country (the hub) instead.',
  },
  declarations: {
    title: 'Declaration screening',
    text: 'Ranks individual customs declarations for inspection with named rules (wrong code, banned destination, routed via a flagged hub, odd price, split lots, …) and a score.',
  },
  coverage: {
    title: 'Reporting coverage',
    text: 'What each country published: rows, partners, products and value per reporter, direction and period.',
  },
};
