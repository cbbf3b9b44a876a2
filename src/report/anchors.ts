/**
 * Anchors and links between the reports of one output root: `OUT/<pipeline>/as_of=…/report.html` link each
 * other by relative paths, so a copied or served output folder keeps its links.
 */

/** The anchor of a flagged route's row in the transshipment ranking, the same in every run: `flag-<flag_id>`. */
export function routeAnchor(flagId: string): string {
  return `flag-${flagId}`;
}

/** The anchor of a pair (exporter → importer × HS6) in the mirror-gaps ranking: `pair-CHN-IND-250410`. */
export function pairAnchor(exporter: string, importer: string, hs6: string): string {
  return `pair-${exporter}-${importer}-${hs6}`;
}

/** The report of `pipeline`'s `partition` as seen from another partition's report: `../../<pipeline>/<partition>/report.html`. */
export function reportHref(pipeline: string, partition: string): string {
  return `../../${pipeline}/${partition}/report.html`;
}

/**
 * The partition an input file was read from, when it lies in a pipeline's partition folder
 * (`…/transshipment/as_of=2025-06/flagged_routes.parquet` → `as_of=2025-06`); null otherwise.
 */
export function partitionOfInput(path: string, pipeline: string): string | null {
  const parts = path.split(/[\\/]/);
  for (let k = parts.length - 2; k >= 1; k--) {
    if (parts[k - 1] === pipeline && /^as_of=\d{4}-\d{2}$/.test(parts[k])) return parts[k];
  }
  return null;
}
