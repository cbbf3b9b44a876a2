import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODE_DIR, MODULE_EXT } from '../io/project-paths.ts';
import { UsageError } from '../base/errors.ts';
import type { PipelineDef } from '../pipeline.ts';
import { HANDOFFS, HANDOFF_KEYS } from '../datasets.ts';

/**
 * The project's pipelines: `pipelines/*.ts` from the sources, their compiled `dist/pipelines/*.js` from the compiled
 * output (a pipeline added to `pipelines/` runs from the installed bin after `npm run build`).
 */
export const PIPELINES_DIR = join(CODE_DIR, 'pipelines');

/** The pipeline modules of `dir` (`*.ts` from the sources, `*.js` compiled), sorted. */
function pipelineFiles(names: string[]): string[] {
  return names.filter((f) => f.endsWith(MODULE_EXT) && !f.endsWith('.d.ts')).sort();
}

/** The names of the pipelines in `dir` without loading them (for `run --help`); [] when the folder cannot be read. */
export function pipelineNames(dir = PIPELINES_DIR): string[] {
  try {
    return pipelineFiles(readdirSync(dir)).map((f) => f.slice(0, -MODULE_EXT.length));
  } catch {
    return [];
  }
}

/** Loads every `pipelines/*.ts` (each default-exports a {@link PipelineDef} whose name is its file name). */
export async function loadPipelines(dir = PIPELINES_DIR): Promise<Map<string, PipelineDef>> {
  const out = new Map<string, PipelineDef>();
  for (const f of pipelineFiles(await readdir(dir))) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: PipelineDef };
    const def = mod.default;
    const name = f.slice(0, -MODULE_EXT.length);
    if (!def || typeof def.run !== 'function') throw new Error(`pipelines/${f}: default export is not a pipeline (use definePipeline)`);
    if (def.name !== name) throw new Error(`pipelines/${f}: pipeline name '${def.name}' must equal the file name '${name}'`);
    out.set(name, def);
  }
  return out;
}

/** The pipeline called `name`; a usage error lists the known ones. */
export function pickPipeline(all: Map<string, PipelineDef>, name: string): PipelineDef {
  const def = all.get(name);
  if (!def) throw new UsageError(`unknown pipeline '${name}' (known: ${[...all.keys()].join(', ')}, all)`);
  return def;
}

/** Pipelines in dependency order, grouped in levels whose members do not depend on each other. */
export function dependencyLevels(all: Map<string, PipelineDef>): PipelineDef[][] {
  const levels: PipelineDef[][] = [];
  const placed = new Set<string>();
  while (placed.size < all.size) {
    const level = [...all.values()].filter((d) => !placed.has(d.name) && producersOf(d).every((x) => placed.has(x) || !all.has(x)));
    if (!level.length) throw new Error(`pipelines depend on each other in a cycle: ${[...all.keys()].filter((k) => !placed.has(k)).join(', ')}`);
    level.forEach((d) => placed.add(d.name));
    levels.push(level);
  }
  return levels;
}

/** The pipelines whose datasets `def` reads (`src/datasets.ts`): those `run all` runs before it. */
export function producersOf(def: Pick<PipelineDef, 'inputs'>): string[] {
  return HANDOFF_KEYS.filter((k) => def.inputs[k]).map((k) => HANDOFFS[k].producer);
}

