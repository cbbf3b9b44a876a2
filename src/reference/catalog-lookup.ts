import { UsageError } from '../base/errors.ts';
import { type Catalog, type ControlInterval, comparatorCodesFor, resolveHsSelector, type Specificity } from './catalog.ts';

/** One control interval of a looked-up code: a row of `controls.csv`. */
export interface LookupControl {
  hs6: string;
  controlId: string;
  mineral: string;
  /** The announcement, e.g. `MOFCOM/GAC 2024 No. 33`. */
  source: string;
  start: string;
  /** Last day in force (inclusive); null while open. */
  end: string | null;
  status: 'active' | 'suspended';
  /** `*` for every destination, else ISO3 codes. */
  destinations: '*' | string[];
  /** False while the HS6 is only a candidate still to confirm against the announcement's annex. */
  verified: boolean;
  /** China's 10-digit lines the announcement names; empty when not known. */
  lines: string[];
  note: string;
}

/** A mineral the catalog controls under a code, with how much of the code it is. */
export interface LookupMineral {
  hs6: string;
  mineral: string;
  specificity: Specificity;
  /** The 10-digit lines named for it (over its intervals); empty when not known. */
  lines: string[];
}

/** An uncontrolled comparator code. */
export interface LookupComparator {
  hs6: string;
  mineral: string;
  description: string | null;
  /** The controlled codes it is a comparator for. */
  comparesTo: string[];
  note: string;
}

/** What the catalog says about one selected code. */
export interface LookupCode {
  /** The code as selected (2–10 digits). */
  code: string;
  /** Its HS6 (the code itself, or the HS6 an 8- or 10-digit line falls under); null for a prefix shorter than 6 digits. */
  hs6: string | null;
  /** HS6 description (`hs6_descriptions.csv`, HS2022 wording first); null when not known. */
  description: string | null;
  /** For a prefix shorter than 6 digits: the catalog's controlled codes it covers. */
  covers: string[];
  /** The minerals controlled under it (empty: no control on this code). */
  minerals: LookupMineral[];
  /** Its uncontrolled comparators in the catalog. */
  comparators: LookupComparator[];
  /** When the code is itself a comparator: what it compares to. */
  comparatorOf: LookupComparator | null;
  /** Every control interval on it, in catalog order. */
  controls: LookupControl[];
}

/** What a selector expands to, as `tradewatch catalog` prints it. */
export interface CatalogLookup {
  selector: string;
  /** The selected codes, sorted (what `--hs` selects). */
  codes: LookupCode[];
  /** The comparators `run` reads beside the selection (`comparatorCodesFor`): context, not products to score. */
  alsoRead: LookupComparator[];
}

/**
 * Expands a selector (`@catalog`, `@<mineral>`, a code, or a comma list of them) into its codes with what the
 * catalog says about each: description, minerals and specificity, comparators, control intervals; and the
 * comparators a run reads beside it. Throws {@link UsageError} for `all`, an unknown mineral (listing the
 * known ones) or a malformed code.
 */
export function lookupCatalog(selector: string, catalog: Catalog, descriptions: ReadonlyMap<string, string>): CatalogLookup {
  let selected: string[] | null;
  try {
    selected = resolveHsSelector(selector, catalog);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message.replace(/^--hs /, 'catalog '));
    throw e;
  }
  if (selected === null) {
    throw new UsageError(`catalog '${selector}': 'all' is every product code, not a list to show; use @catalog, @<mineral> or codes like 811292,811010`);
  }
  const comparator = (hs6: string): LookupComparator | null => {
    const rows = catalog.comparators.filter((c) => c.hs6 === hs6);
    if (!rows.length) return null;
    return {
      hs6,
      mineral: rows[0].mineral,
      description: descriptions.get(hs6) ?? null,
      comparesTo: [...new Set(rows.flatMap((c) => c.comparesTo))].sort(),
      note: rows.map((c) => c.note).join(' '),
    };
  };
  const codes = selected.map((code): LookupCode => {
    const hs6 = code.length >= 6 ? code.slice(0, 6) : null;
    // a line longer than 6 digits: the intervals that name it, or that name no line (not known which)
    const applies = (iv: ControlInterval) =>
      hs6 !== null ? iv.hs6 === hs6 && (code.length === 6 || iv.line10.length === 0 || iv.line10.some((l) => l.startsWith(code))) : iv.hs6.startsWith(code);
    const intervals = catalog.intervals.filter(applies);
    const minerals: LookupMineral[] = [];
    for (const iv of intervals) {
      const m = minerals.find((x) => x.hs6 === iv.hs6 && x.mineral === iv.mineral);
      if (m) m.lines = [...new Set([...m.lines, ...iv.line10])];
      else minerals.push({ hs6: iv.hs6, mineral: iv.mineral, specificity: iv.specificity, lines: [...iv.line10] });
    }
    const controlled = new Set(intervals.map((iv) => iv.hs6));
    return {
      code,
      hs6,
      description: hs6 !== null ? (descriptions.get(hs6) ?? null) : null,
      covers: hs6 === null ? [...controlled].sort() : [],
      minerals,
      comparators: [...new Set(catalog.comparators.filter((c) => c.comparesTo.some((t) => controlled.has(t))).map((c) => c.hs6))]
        .sort()
        .map((c) => comparator(c)!),
      comparatorOf: hs6 !== null ? comparator(hs6) : null,
      controls: intervals.map((iv) => ({
        hs6: iv.hs6,
        controlId: iv.controlId,
        mineral: iv.mineral,
        source: iv.source,
        start: iv.start,
        end: iv.end,
        status: iv.status,
        destinations: iv.destinations,
        verified: iv.verified,
        lines: [...iv.line10],
        note: iv.note,
      })),
    };
  });
  return { selector, codes, alsoRead: comparatorCodesFor(selected, catalog).map((c) => comparator(c)!) };
}

/** The lookup as text: a summary line, then one block per code (description, minerals, comparators, a table of its controls), then what `run` reads beside it. */
export function formatCatalogLookup(l: CatalogLookup): string {
  const out: string[] = [];
  const n = l.codes.length;
  out.push(`${l.selector}: ${n} code${n === 1 ? '' : 's'} (${l.codes.map((c) => c.code).join(', ')})`);
  out.push(
    l.alsoRead.length
      ? `run also reads ${l.alsoRead.length} comparator${l.alsoRead.length === 1 ? '' : 's'} beside them: ${l.alsoRead.map((c) => `${c.hs6} (${c.mineral}, compares to ${c.comparesTo.join(', ')})`).join('; ')}`
      : 'run also reads: no comparator beside them',
  );
  const header = ['control', 'mineral', 'status', 'start', 'end', 'destinations', 'verified', 'announcement'];
  const label = (name: string) => `  ${name.padEnd(15)}`;
  const rowOf = (c: LookupControl, withHs6: boolean) => [
    ...(withHs6 ? [c.hs6] : []),
    c.controlId,
    c.mineral,
    c.status,
    c.start,
    c.end ?? 'open',
    c.destinations === '*' ? '*' : c.destinations.join(','),
    c.verified ? 'yes' : 'no',
    c.source,
  ];
  for (const code of l.codes) {
    const withHs6 = code.hs6 === null;
    out.push('');
    out.push(`${code.code}  ${code.description ?? (code.hs6 === null ? `(a prefix: every code under ${code.code})` : '(no description in hs6_descriptions.csv)')}`);
    if (code.hs6 !== null && code.hs6 !== code.code) out.push(`${label('line of')}HS6 ${code.hs6}`);
    if (withHs6) out.push(`${label('covers')}${code.covers.length ? code.covers.join(', ') : 'no code of the control catalog'}`);
    out.push(
      `${label('minerals')}${
        code.minerals.length
          ? code.minerals
              .map((m) => `${withHs6 ? `${m.hs6} ` : ''}${m.mineral} (${m.specificity}${m.lines.length ? `; lines ${m.lines.join(', ')}` : ''})`)
              .join('; ')
          : 'none: no control in the catalog'
      }`,
    );
    if (code.comparatorOf) out.push(`${label('comparator of')}${code.comparatorOf.comparesTo.join(', ')} (uncontrolled ${code.comparatorOf.mineral})`);
    out.push(`${label('comparators')}${code.comparators.length ? code.comparators.map((c) => `${c.hs6} (${c.mineral}${c.description ? `: ${c.description}` : ''})`).join('; ') : 'none'}`);
    if (code.controls.length) {
      const rows = [withHs6 ? ['hs6', ...header] : header, ...code.controls.map((c) => rowOf(c, withHs6))];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) out.push(`  ${r.map((f, i) => (i === r.length - 1 ? f : f.padEnd(widths[i]))).join('  ')}`);
    }
  }
  if (l.alsoRead.length) {
    out.push('');
    out.push('beside the selection (read by run as context for the transshipment counterfactual, not scored):');
    for (const c of l.alsoRead) out.push(`  ${c.hs6}  ${c.mineral}  compares to ${c.comparesTo.join(', ')}  ${c.description ?? ''}`.trimEnd());
  }
  return `${out.join('\n')}\n`;
}
