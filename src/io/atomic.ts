import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asEnvironmentError } from '../base/errors.ts';

/** Writes bytes to `path` through a temporary file in the same folder and a rename, so readers never see a half-written file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  // Same folder so the rename stays on one filesystem (rename across devices is not atomic);
  // dot-prefixed so folder globs like `*.parquet` never pick up a file being written.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      // Flush before the rename so a crash cannot leave the final name pointing at missing data.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {});
    // a full or read-only disk names the file being written (a write on a handle carries no path)
    throw asEnvironmentError(e, path);
  }
}
