import { readFile } from 'node:fs/promises';
import { InputError } from '../base/errors.ts';

/** Reads a JSON file, such as a synthetic world's `truth.json`; throws {@link InputError} (exit 2) when it cannot be read or parsed. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not JSON (${(e as Error).message})`);
  }
}
