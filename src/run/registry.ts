import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from './errors.ts';
import type { PipelineDef } from './pipeline.ts';

/** The project's `pipelines/` folder, found from this file. */
export const PIPELINES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../pipelines');

/** Loads every `pipelines/*.ts` (each default-exports a {@link PipelineDef} whose name is its file name). */
export async function loadPipelines(dir = PIPELINES_DIR): Promise<Map<string, PipelineDef>> {
  const out = new Map<string, PipelineDef>();
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: PipelineDef };
    const def = mod.default;
    const name = f.slice(0, -3);
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
    const level = [...all.values()].filter((d) => !placed.has(d.name) && (d.dependsOn ?? []).every((x) => placed.has(x) || !all.has(x)));
    if (!level.length) throw new Error(`pipelines depend on each other in a cycle: ${[...all.keys()].filter((k) => !placed.has(k)).join(', ')}`);
    level.forEach((d) => placed.add(d.name));
    levels.push(level);
  }
  return levels;
}
