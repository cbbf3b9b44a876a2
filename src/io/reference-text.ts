import { readFile } from 'node:fs/promises';
import { InputError } from '../base/errors.ts';

/** Reads a reference table's text; a missing or unreadable file is an {@link InputError} naming it. */
export async function readReferenceText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
