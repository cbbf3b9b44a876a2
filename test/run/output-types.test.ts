import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DataType, Table, type Schema } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquet, readParquetSchema } from '../../src/io/parquet.ts';
import { loadCountryNames } from '../../src/io/reference.ts';
import { finishOutputs } from '../../src/run/output-types.ts';
import { declarationIngestDefaults } from '../../src/ingest/declaration-params.ts';
import { readDeclarationInputs } from '../../src/run/declarations-input.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { hashInputs } from '../../src/run/trade.ts';
import { silentLog } from '../../src/base/log.ts';
import { dictColumn, rowsOf } from '../helpers.ts';

const SAMPLE = resolve('data/sample');
const FLAGGED = ['mirror-gaps/as_of=2025-06/mirror_gaps.parquet', 'transshipment/as_of=2025-06/flagged_routes.parquet', 'declarations/as_of=2025-06/flagged_declarations.parquet'];

/** `run all` on the bundled sample from another working directory (a temp folder), with and without `--reviews`. */
let dir: string;
let plain: string;
let reviewed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tradewatch-output-types-'));
  plain = join(dir, 'plain');
  reviewed = join(dir, 'reviewed');
  const args = { trade: [join(SAMPLE, 'trade')], declarations: [join(SAMPLE, 'declarations')] };
  await runCommand('all', { ...args, out: plain }, { log: silentLog, cwd: dir });
  const routes = await readParquet(join(plain, FLAGGED[1]));
  const id = String(routes.getChild('flag_id')!.get(0));
  await writeFile(join(dir, 'reviews.csv'), `flag_id,verdict,note,reviewer,date\n${id},confirmed,bill of lading,ana,2026-01-14\n`);
  await runCommand('all', { ...args, out: reviewed, reviews: join(dir, 'reviews.csv') }, { log: silentLog, cwd: dir });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const typeOf = (s: Schema, name: string) => s.fields.find((f) => f.name === name)?.type;
const signature = (s: Schema) => s.fields.map((f) => `${f.name}: ${f.type}`);

describe('the evidence of a flagged route (#19 item 8)', () => {
  it('names the reporter, partner and flow of each record, and a path that resolves from another working directory to the record itself', async () => {
    const routes = await readParquet(join(plain, FLAGGED[1]));
    expect(routes.numRows).toBeGreaterThan(0);
    const [origin, hub, destination] = ['origin', 'hub', 'destination'].map((c) => String(routes.getChild(c)!.get(0)));
    const items = rowsOf(routes, ['evidence'])[0].evidence as { toArray(): { toJSON(): Record<string, unknown> }[] };
    const evidence = items.toArray().map((x) => x.toJSON());
    expect(evidence.length).toBeGreaterThan(0);
    const csv = join(SAMPLE, 'trade/comtrade_7.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    const header = parse(lines[0])[0] as string[];
    const col = (name: string) => header.indexOf(name);
    for (const e of evidence) {
      // who recorded it: the leg's exporter on its X side, its importer on its M side
      const [from, to] = e.leg === 'first_leg' ? [origin, hub] : e.leg === 'second_leg' ? [hub, destination] : [origin, destination];
      expect([e.reporter, e.partner, e.flow]).toEqual(e.side === 'X' ? [from, to, 'X'] : [to, from, 'M']);
      // the run's working directory was a temp folder: `file` is relative to it, `path` is absolute and is the file
      expect(e.path).toBe(csv);
      expect(isAbsolute(String(e.path))).toBe(true);
      expect(e.file).not.toBe('data/sample/trade/comtrade_7.csv');
      expect(resolve(dir, String(e.file))).toBe(csv);
      // and the line there is the record: reporter, partner, flow, period and value
      const row = parse(lines[Number(e.line) - 1])[0] as string[];
      expect([row[col('reporterISO')], row[col('partnerISO')], row[col('flowCode')], row[col('period')]]).toEqual([
        e.reporter, e.partner, e.flow, String(e.period).replace('-', ''),
      ]);
      expect(Number(row[col('primaryValue')])).toBe(e.value_usd);
    }
  });
});

describe('verdict columns (#19 item 8)', () => {
  it('are in every flagged output without --reviews, null, with the types and order of a run with it', async () => {
    for (const f of FLAGGED) {
      const without = await readParquetSchema(join(plain, f));
      const withReviews = await readParquetSchema(join(reviewed, f));
      expect(signature(without), f).toEqual(signature(withReviews));
      const t = await readParquet(join(plain, f));
      expect(t.numRows, f).toBeGreaterThan(0);
      for (const c of ['verdict', 'verdict_note', 'verdict_reviewer', 'verdict_date', 'score_at_verdict']) {
        expect(t.getChild(c)?.nullCount, `${f} ${c}`).toBe(t.numRows);
      }
    }
    const routes = await readParquet(join(reviewed, FLAGGED[1]));
    expect(rowsOf(routes, ['verdict', 'verdict_reviewer', 'verdict_date'])[0]).toEqual({ verdict: 'confirmed', verdict_reviewer: 'ana', verdict_date: Date.UTC(2026, 0, 14) });
  });
});

describe('dates and country names of the declaration outputs (#19 item 8)', () => {
  it('writes `date` and `verdict_date` as Date32 days, equal to the declared day', async () => {
    const csv = parse(readFileSync(join(SAMPLE, 'declarations/declarations_7.csv')), { columns: true }) as Record<string, string>[];
    const dayOf = new Map(csv.map((r) => [r.declaration_id, r.date]));
    for (const f of ['declarations/as_of=2025-06/declarations_scored.parquet', FLAGGED[2]]) {
      const s = await readParquetSchema(join(plain, f));
      expect(String(typeOf(s, 'date'))).toBe('Date32<DAY>');
      const t = await readParquet(join(plain, f));
      for (const r of rowsOf(t, ['declaration_id', 'date']).slice(0, 50)) {
        expect(new Date(Number(r.date)).toISOString().slice(0, 10)).toBe(dayOf.get(String(r.declaration_id)));
      }
    }
    for (const f of FLAGGED) expect(String(typeOf(await readParquetSchema(join(plain, f)), 'verdict_date')), f).toBe('Date32<DAY>');
  });

  it('names origin, departure and destination beside their codes, as routes name the hub', async () => {
    const names = await loadCountryNames();
    for (const f of ['declarations/as_of=2025-06/declarations_scored.parquet', FLAGGED[2]]) {
      const s = await readParquetSchema(join(plain, f));
      const columns = s.fields.map((x) => x.name);
      for (const c of ['origin', 'departure', 'destination']) expect(columns.indexOf(`${c}_name`), `${f} ${c}`).toBe(columns.indexOf(c) + 1);
      const t = await readParquet(join(plain, f));
      const rows = rowsOf(t, ['origin', 'origin_name', 'departure', 'departure_name', 'destination', 'destination_name']);
      expect(rows.find((r) => r.origin === 'CHN')?.origin_name).toBe('China');
      for (const r of rows) for (const c of ['origin', 'departure', 'destination']) expect(r[`${c}_name`]).toBe(r[c] === null ? null : (names.get(String(r[c])) ?? r[c]));
    }
    const routes = await readParquet(join(plain, FLAGGED[1]));
    expect(rowsOf(routes, ['origin', 'origin_name'])[0]).toEqual({ origin: 'CHN', origin_name: 'China' });
  });

  it('reads a written declarations file back as input (Date32 `date`) with the same days and no rejected row', async () => {
    const file = join(plain, 'declarations/as_of=2025-06/declarations_scored.parquet');
    const read = await readDeclarationInputs(await hashInputs('declarations', [file], dir), { params: declarationIngestDefaults, log: silentLog });
    const written = await readParquet(file);
    expect(read.rejects.numRows).toBe(0);
    expect(read.table.numRows).toBe(written.numRows);
    expect(String(read.table.getChild('date')!.get(0))).toBe(new Date(Number(written.getChild('date')!.get(0))).toISOString().slice(0, 10));
  });

  it('shows the day, not a number, in the run report', async () => {
    const t = await readParquet(join(plain, FLAGGED[2]));
    const day = new Date(Number(t.getChild('date')!.get(0))).toISOString().slice(0, 10);
    const html = await readFile(join(plain, 'declarations/as_of=2025-06/report.html'), 'utf8');
    expect(html).toContain(day);
    expect(html).not.toContain(String(t.getChild('date')!.get(0)));
  });
});

describe('finishOutputs', () => {
  it('turns text days into Date32 (an impossible day null) and adds names after the codes; other tables stay as they are', () => {
    const t = new Table({ origin: dictColumn(['CHN', 'XXX']), date: dictColumn(['2024-02-29', '2023-02-29']) });
    const other = new Table({ hub: dictColumn(['THA']) });
    const out = finishOutputs({ t, other }, new Map([['CHN', 'China']]));
    expect(out.other).toBe(other);
    expect(out.t.schema.fields.map((f) => f.name)).toEqual(['origin', 'origin_name', 'date']);
    expect(DataType.isDate(out.t.schema.fields[2].type)).toBe(true);
    expect(rowsOf(out.t)).toEqual([
      { origin: 'CHN', origin_name: 'China', date: Date.UTC(2024, 1, 29) },
      { origin: 'XXX', origin_name: 'XXX', date: null },
    ]);
  });
});
