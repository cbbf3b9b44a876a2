/**
 * Text helpers for the generated CSVs: RFC-4180 quoting, and plain decimals from integer hundredths
 * (money) or thousandths (kg), so sums of written values are exact and no exponent is ever written.
 */
export const csvText = {
  /** The field as written: quoted (with `""` escapes) when it holds a comma, quote or line break. */
  field(text: string): string {
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  },

  /** One CSV line from fields already formatted. */
  line(fields: readonly string[]): string {
    return fields.map(csvText.field).join(',');
  },

  /** An integer count of hundredths as a plain decimal with at most 2 decimals (`12345` → `123.45`, `1200` → `12`). */
  cents(n: number): string {
    return fixed(n, 2);
  },

  /** An integer count of thousandths as a plain decimal with at most 3 decimals (`1500` → `1.5`). */
  milli(n: number): string {
    return fixed(n, 3);
  },
};

function fixed(n: number, digits: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`csvText: ${n} is not a non-negative safe integer`);
  const unit = 10 ** digits;
  const whole = Math.floor(n / unit);
  const frac = n % unit;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
