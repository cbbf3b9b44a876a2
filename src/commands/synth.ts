import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadCatalog } from '../io/catalog.ts';
import { synthWorld } from '../synth/synth-world.ts';
import type { SynthKnobs, SynthPreset } from '../synth/knobs.ts';

/** `tradewatch synth`: writes a synthetic world's files (trade CSV, declarations CSV, truth.json) under `out`. */
export async function runSynth(args: { seed: number; preset: SynthPreset; out: string; overrides?: Partial<SynthKnobs> }): Promise<string[]> {
  const world = synthWorld({ seed: args.seed, preset: args.preset, overrides: args.overrides }, await loadCatalog());
  const written: string[] = [];
  for (const [name, text] of Object.entries(world.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = join(resolve(args.out), name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, text);
    written.push(path);
  }
  return written;
}
