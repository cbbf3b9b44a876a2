/**
 * Writes docs/outputs.md: every table tradewatch writes, every column with its type (read from the files a run on
 * the bundled sample writes), unit and meaning (src/report/columns.ts). `npx tsx scripts/write-outputs-doc.ts`;
 * test/report/columns.test.ts fails when the page differs from what this writes now.
 */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { renderOutputsDoc } from '../src/report/outputs-doc.ts';
import { collectOutputSchemas } from '../src/commands/output-schemas.ts';

const root = resolve(import.meta.dirname, '..');
const schemas = await collectOutputSchemas();
await writeFileAtomic(join(root, 'docs/outputs.md'), renderOutputsDoc(schemas));
process.stdout.write(`docs/outputs.md: ${schemas.size} tables\n`);
