import type { Table } from 'apache-arrow';
import { readFloats } from '../../table/read.ts';

/** Numeric features of a declaration, by name. */
export const DECLARATION_NUMERIC_FEATURES = ['log_value_usd', 'log_net_mass_kg', 'log_unit_value', 'tax_rate_pct'] as const;
export type DeclarationNumericFeature = (typeof DECLARATION_NUMERIC_FEATURES)[number];

/**
 * Numeric feature columns of a declaration table, aligned 1:1 with its rows (NaN where an input is missing):
 * `log_value_usd` = ln(1 + value_usd), `log_net_mass_kg` = ln(1 + net_mass_kg), `log_unit_value` =
 * ln(value_usd / net_mass_kg) when both are positive, `tax_rate_pct` as declared. A feature whose column the
 * table lacks is all NaN. Pure.
 */
export function declarationNumericFeatures(table: Table, names: readonly DeclarationNumericFeature[]): Float64Array[] {
  const n = table.numRows;
  const col = (name: string) => (table.getChild(name) ? readFloats(table, name) : new Float64Array(n).fill(NaN));
  const usd = names.some((f) => f !== 'tax_rate_pct' && f !== 'log_net_mass_kg') ? col('value_usd') : null;
  const kg = names.some((f) => f === 'log_net_mass_kg' || f === 'log_unit_value') ? col('net_mass_kg') : null;
  return names.map((name) => {
    switch (name) {
      case 'log_value_usd':
        return Float64Array.from(usd!, (v) => Math.log1p(v));
      case 'log_net_mass_kg':
        return Float64Array.from(kg!, (v) => Math.log1p(v));
      case 'log_unit_value':
        return Float64Array.from(usd!, (v, i) => (v > 0 && kg![i] > 0 ? Math.log(v / kg![i]) : NaN));
      case 'tax_rate_pct':
        return col('tax_rate_pct');
      default:
        throw new Error(`declarationNumericFeatures: unknown feature '${name as string}' (known: ${DECLARATION_NUMERIC_FEATURES.join(', ')})`);
    }
  });
}
