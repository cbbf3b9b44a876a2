import { loadCatalog, loadHs6Descriptions, loadHsCorrespondence } from '../io/catalog.ts';
import { loadGeo } from '../io/geo.ts';
import { loadCountryNames, loadEntrepots, loadFobImportReporters } from '../io/reference.ts';
import type { ReferenceInput } from '../pipeline.ts';

/** The reference data every pipeline may use (`data/reference/`), as a run hands it to the pipelines. */
export async function loadReference(): Promise<ReferenceInput> {
  return {
    catalog: await loadCatalog(),
    hsCorrespondence: await loadHsCorrespondence(),
    geo: await loadGeo(),
    countryNames: await loadCountryNames(),
    hs6Descriptions: await loadHs6Descriptions(),
    fobImportReporters: await loadFobImportReporters(),
    entrepots: await loadEntrepots(),
  };
}
