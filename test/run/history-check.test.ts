import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/base/log.ts';
import { loadPipelines } from '../../src/run/registry.ts';
import { runPipeline } from '../../src/run/runner.ts';

const HEADER =
  'declaration_id,date,direction,declarant,exporter,importer,seller,declared_code,description,origin,departure,destination,transport_mode,net_mass_kg,quantity,quantity_unit,value,currency,office,label';
const row = (id: string, date: string, label: string) => `${id},${date},import,DCL-01,THA-001,IMP-001,THA-001,8110101000,Antimony,CHN,THA,USA,sea,10,10,kg,100,USD,USA-01,${label}`;

describe('a --history that fits no model (#19 item 11)', () => {
  it('fails the warn check history_has_labels and logs it, and the run still publishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-history-'));
    writeFileSync(join(dir, 'new.csv'), [HEADER, row('N1', '2024-06-03', ''), row('N2', '2024-06-04', '')].join('\n') + '\n');
    writeFileSync(join(dir, 'old.csv'), [HEADER, row('H1', '2024-01-03', ''), row('H2', '2024-02-04', '')].join('\n') + '\n');
    const log = memoryLog();
    const def = (await loadPipelines()).get('declarations')!;
    const r = await runPipeline(def, { declarations: [join(dir, 'new.csv')], history: [join(dir, 'old.csv')], out: join(dir, 'out') }, { log, runId: () => 'r1' });
    expect(r.status).toBe('succeeded');
    expect(r.manifest.checks.find((c) => c.name === 'history_has_labels')).toMatchObject({ severity: 'warn', passed: false, message: expect.stringMatching(/no labelled declaration/) });
    expect(log.events.filter((e) => e.event === 'check.warn').map((e) => e.fields.check)).toContain('history_has_labels');
  });
});
