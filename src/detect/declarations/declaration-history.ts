import type { Table } from 'apache-arrow';
import { readCodes, readFloats } from '../../table/read.ts';

/**
 * The rows of `history` a model may learn from when screening `declarations`: labelled, and dated before the
 * first declaration screened (a model fitted on the periods it scores would grade its own answers). Counts
 * the rows left out for each reason. Pure.
 */
export function earlierLabelledRows(history: Table, declarations: Table): { rows: Int32Array; later: number; unlabelled: number; positives: number } {
  const dd = readCodes(declarations, 'date', 'earlierLabelledRows');
  let first = '9999-12-31';
  for (let i = 0; i < declarations.numRows; i++) if (dd.codes[i] >= 0 && dd.values[dd.codes[i]] < first) first = dd.values[dd.codes[i]];
  const date = readCodes(history, 'date', 'earlierLabelledRows');
  const label = readFloats(history, 'label', 'earlierLabelledRows');
  const before = date.values.map((d) => d < first);
  const rows: number[] = [];
  let later = 0;
  let unlabelled = 0;
  let positives = 0;
  for (let i = 0; i < history.numRows; i++) {
    if (date.codes[i] < 0 || !before[date.codes[i]]) later++;
    else if (label[i] !== label[i]) unlabelled++;
    else {
      rows.push(i);
      if (label[i] > 0) positives++;
    }
  }
  return { rows: Int32Array.from(rows), later, unlabelled, positives };
}
