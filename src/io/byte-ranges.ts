/**
 * Byte ranges of an uncompressed CSV file for scanning in parallel: boundaries just after a line feed,
 * the header read on its own, and synchronous range reads into one reused buffer.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CsvScanner } from './csv-scanner.ts';

/** Bytes [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

const PROBE = 1 << 16;

/**
 * Cuts [0, size) into at most `parts` ranges of about equal size, each boundary just after the first LF at or
 * after its even share. A boundary may still fall inside a quoted field that holds a line break: whoever
 * scans the ranges must check that each one ends at the end of a record (see `CsvScanner.atRecordEnd`).
 */
export async function lineAlignedRanges(path: string, size: number, parts: number): Promise<ByteRange[]> {
  const cuts = [0];
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(PROBE);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(Math.floor((size * k) / parts), cuts[cuts.length - 1]);
      let cut = size;
      while (at < size) {
        const { bytesRead } = await fh.read(buf, 0, PROBE, at);
        if (bytesRead <= 0) break;
        const lf = buf.subarray(0, bytesRead).indexOf(0x0a);
        if (lf >= 0) {
          cut = at + lf + 1;
          break;
        }
        at += bytesRead;
      }
      if (cut >= size) break;
      if (cut > cuts[cuts.length - 1]) cuts.push(cut);
    }
  } finally {
    await fh.close();
  }
  return cuts.map((start, i) => ({ start, end: i + 1 < cuts.length ? cuts[i + 1] : size }));
}

/**
 * The header fields of a CSV file (BOM stripped, blank lines before it skipped), read from its first
 * bytes; null when the file has no complete header record in its first `maxBytes`.
 */
export async function readCsvHeader(path: string, maxBytes = 1 << 20): Promise<string[] | null> {
  let header: string[] | null = null;
  const scanner = new CsvScanner({
    onHeader(h) {
      header = h;
      return () => {};
    },
  });
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(PROBE);
    for (let at = 0; header === null && at < maxBytes; ) {
      const { bytesRead } = await fh.read(buf, 0, PROBE, at);
      if (bytesRead <= 0) break;
      scanner.push(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return header;
}

/**
 * Reads bytes [start, end) of a file in chunks of `chunkBytes`, synchronously and into one buffer that is
 * reused: each chunk is valid only until the next is asked for (the CSV scanner copies what it keeps).
 */
export function* readRangeSync(path: string, range: ByteRange, chunkBytes = 1 << 20): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(Math.min(chunkBytes, Math.max(1, range.end - range.start)));
    for (let at = range.start; at < range.end; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, range.end - at), at);
      if (n <= 0) throw new Error(`${path}: ended at byte ${at}, expected ${range.end}`);
      at += n;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
