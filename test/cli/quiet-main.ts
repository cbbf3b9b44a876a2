import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

/** Runs the CLI with stdout and stderr captured: its exit code and what it wrote to stderr. */
export async function quietMain(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main(args), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}
