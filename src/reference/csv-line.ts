/**
 * Fields of one line of a small reference CSV (RFC 4180 quotes, no line breaks inside fields), or null
 * when a quoted field is malformed. The reference tables are tiny; bulk data goes through the byte scanner.
 */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      for (i++; ; ) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      if (i < line.length && line[i] !== ',') return null;
      fields.push(field);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end;
    }
    if (i >= line.length) return fields;
    i++; // past the comma
  }
}
