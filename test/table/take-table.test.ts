import { Field, List, Struct, Table, makeData, makeVector, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dictionaryVector, float64Vector } from '../../src/table/columns.ts';
import { readCodes } from '../../src/table/read.ts';
import { dropRowsByValue, takeTable } from '../../src/table/take-table.ts';

describe('takeTable', () => {
  it('keeps the dictionaries of a list of structs whose fields share a dictionary type with a column (mirror_gaps `windows`)', () => {
    // as scoreMirrorGaps builds it: the nested windows' `window` is the top-level `window` column's own data
    const window = dictionaryVector(Int32Array.of(0, 1, 0), ['R3', 'Y']);
    const item = new Struct([new Field('window', window.type, true)]);
    const structs = makeData({ type: item, length: 3, nullCount: 0, children: [window.data[0]] });
    const windows = makeVector(makeData({ type: new List(new Field('item', item, true)), length: 3, nullCount: 0, valueOffsets: Int32Array.of(0, 1, 2, 3), child: structs }));
    const t = new Table({ window, windows });
    const taken = takeTable(t, Int32Array.of(1, 2));
    // a dictionary rebuilt under the same id as the column's would not write (before: "two different dictionaries with the same Id")
    const back = tableFromIPC(tableToIPC(taken));
    expect(readCodes(back, 'window').values.length).toBeGreaterThan(0);
    expect([0, 1].map((i) => String(back.getChild('window')!.get(i)))).toEqual(['Y', 'R3']);
    expect([0, 1].map((i) => String((back.getChild('windows')!.get(i) as { get(k: number): { window: string } }).get(0).window))).toEqual(['Y', 'R3']);
  });
});

describe('dropRowsByValue', () => {
  it('drops the rows whose value the test says yes to, keeps nulls, and returns the table itself when none goes', () => {
    const t = new Table({ hs6: dictionaryVector(Int32Array.from([0, 1, -1, 0, 2]), ['811292', '811231', '250490']), v: float64Vector(Float64Array.from([1, 2, 3, 4, 5])) });
    const r = dropRowsByValue(t, 'hs6', (v) => v === '811292' || v === '250490');
    expect(r.dropped).toBe(3);
    expect([...r.table.getChild('v')!.toArray()]).toEqual([2, 3]);
    const none = dropRowsByValue(t, 'hs6', () => false);
    expect(none).toEqual({ table: t, dropped: 0 });
  });
});
