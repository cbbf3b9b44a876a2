import { join } from 'node:path';
import { type Catalog, parseCatalog } from '../reference/catalog.ts';
import { type HsCorrespondence, parseHsCorrespondence } from '../reference/hs-correspondence.ts';
import { parseHs6Descriptions } from '../reference/hs6-descriptions.ts';
import { PROJECT_ROOT } from './project-paths.ts';
import { readReferenceText } from './reference-text.ts';

/** The project's `data/reference` folder, found from the project's root so it works from any working directory, compiled or not. */
export const REFERENCE_DIR = join(PROJECT_ROOT, 'data', 'reference') + '/';

/** Reads the control catalog (`controls.csv`, `comparators.csv`, `keywords.csv`) from `dir`. */
export async function loadCatalog(dir = REFERENCE_DIR): Promise<Catalog> {
  const [controls, comparators, keywords] = await Promise.all(
    ['controls.csv', 'comparators.csv', 'keywords.csv'].map((f) => readReferenceText(join(dir, f))),
  );
  return parseCatalog({ controls, comparators, keywords });
}

/** Reads `hs_correspondence.csv` (the HS revision correspondence of the catalog's codes) from `dir`. */
export async function loadHsCorrespondence(dir = REFERENCE_DIR): Promise<HsCorrespondence> {
  return parseHsCorrespondence(await readReferenceText(join(dir, 'hs_correspondence.csv')));
}


/** Loads hs6 → description for the catalog's codes (`hs6_descriptions.csv`). */
export async function loadHs6Descriptions(dir = REFERENCE_DIR): Promise<Map<string, string>> {
  return parseHs6Descriptions(await readReferenceText(join(dir, 'hs6_descriptions.csv')));
}
