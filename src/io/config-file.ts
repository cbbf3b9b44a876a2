import { readFile } from 'node:fs/promises';
import { UsageError } from '../base/errors.ts';

/** Reads a config file (YAML or JSON, by content); throws {@link UsageError} naming the file and the line of a syntax error. */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`config ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // loaded here, not at start: ~70 CommonJS files that a run without --config does not need
  const { parse: parseYaml } = await import('yaml');
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {}; // YAML is a superset of JSON
  } catch (e) {
    throw new UsageError(`config ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}
