/**
 * Result comparison shared by the benchmark and the tests: the plain tabular form (`ResultSet`
 * of `Cell`s) that Arrow tables, DuckDB results and CSV answer files all convert to, and a
 * comparison that lists human-readable differences (empty means equal). Doubles compare within a
 * tolerance; decimals stay exact text (`{ decimal: '12.30' }`, JSON-safe) and compare digit for
 * digit (see `decimalMatches` for the one rule that relates two different scales).
 *
 * @example
 * compareResults(stratusRows, duckdbRows, { ordered: true, relTol: 1e-6 }); // [] when equal
 */
import { DataType, type Table } from 'apache-arrow';

/** An exact decimal: its text with exactly as many fraction digits as its type's scale ('-12.30'). */
export interface DecimalCell {
  readonly decimal: string;
}

/** One value: numbers (other numeric types), exact decimals, strings, dates as 'YYYY-MM-DD', booleans, null. */
export type Cell = number | DecimalCell | string | boolean | null;

/** The exact cell of an unscaled decimal value at a scale. */
export function decimalCell(unscaled: bigint, scale: number): DecimalCell {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text =
    scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return { decimal: neg ? `-${text}` : text };
}

export function isDecimalCell(v: unknown): v is DecimalCell {
  return typeof v === 'object' && v !== null && typeof (v as DecimalCell).decimal === 'string';
}

/** A decimal cell as its unscaled value and scale. */
function unscaledOf(c: DecimalCell): { v: bigint; scale: number } {
  const dot = c.decimal.indexOf('.');
  if (dot < 0) return { v: BigInt(c.decimal), scale: 0 };
  return { v: BigInt(c.decimal.slice(0, dot) + c.decimal.slice(dot + 1)), scale: c.decimal.length - dot - 1 };
}

export interface ResultSet {
  columns: string[];
  rows: Cell[][];
}

export interface CompareOptions {
  /** Compare rows in order; otherwise both sides are sorted canonically first. */
  ordered: boolean;
  /** Relative tolerance for numbers (default 1e-9). */
  relTol?: number;
  /** Absolute tolerance for numbers near zero (default 1e-9). */
  absTol?: number;
  /** Skip comparing column names (counts are still compared). */
  ignoreNames?: boolean;
}

const MS_PER_DAY = 86_400_000;
export const MAX_REPORTED = 10;

/** 'YYYY-MM-DD' for a count of days since 1970-01-01. */
export function isoDateFromDays(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Convert an Arrow table to plain rows; Date columns become 'YYYY-MM-DD' strings. */
export function rowsFromArrow(table: Table): ResultSet {
  const fields = table.schema.fields;
  const columns = fields.map((f) => f.name);
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const rows: Cell[][] = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(fields.map((field, c) => arrowCell(vectors[c]?.get(r), field.type, field.name)));
  }
  return { columns, rows };
}

function arrowCell(value: unknown, type: DataType, column: string): Cell {
  if (value === null || value === undefined) return null;
  if (DataType.isDate(type)) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  }
  if (DataType.isDecimal(type)) return decimalCell(unscaledDecimal(value as Uint32Array), type.scale);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`rowsFromArrow: column "${column}" has unsupported Arrow type ${String(type)}`);
}

/** A Decimal128 value (four little-endian 32-bit words, two's complement) as a BigInt. */
function unscaledDecimal(words: Uint32Array): bigint {
  let u = 0n;
  for (let k = words.length - 1; k >= 0; k--) u = (u << 32n) | BigInt(words[k]!);
  return BigInt.asIntN(32 * words.length, u);
}

/** Differences between `actual` and `expected`, human-readable; empty means equal. */
export function compareResults(actual: ResultSet, expected: ResultSet, opts: CompareOptions): string[] {
  const diffs: string[] = [];
  if (actual.columns.length !== expected.columns.length) {
    return [
      `column count: actual ${actual.columns.length} [${actual.columns}], expected ${expected.columns.length} [${expected.columns}]`,
    ];
  }
  if (!opts.ignoreNames) {
    expected.columns.forEach((name, i) => {
      if (actual.columns[i]?.toLowerCase() !== name.toLowerCase()) {
        diffs.push(`column ${i} name: actual "${actual.columns[i]}", expected "${name}"`);
      }
    });
  }
  const eq = (a: Cell, b: Cell) => cellsEqual(a, b, opts.relTol ?? 1e-9, opts.absTol ?? 1e-9);
  const a = opts.ordered ? actual.rows : [...actual.rows].sort(compareRowKeys);
  const e = opts.ordered ? expected.rows : [...expected.rows].sort(compareRowKeys);
  if (a.length !== e.length) {
    diffs.push(`row count: actual ${a.length}, expected ${e.length}`);
    return diffs.concat(unmatchedRows(a, e, eq));
  }
  for (let r = 0; r < e.length; r++) {
    const ar = a[r] ?? [];
    const er = e[r] ?? [];
    er.forEach((ev, c) => {
      const av = ar[c] ?? null;
      if (!eq(av, ev)) {
        diffs.push(`row ${r}, column "${expected.columns[c]}": actual ${show(av)}, expected ${show(ev)}`);
      }
    });
  }
  return diffs;
}

/** Throw with the first ~10 differences when the results differ. */

function cellsEqual(a: Cell, b: Cell, relTol: number, absTol: number): boolean {
  if (isDecimalCell(a) || isDecimalCell(b)) return decimalMatches(a, b, relTol, absTol);
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    const diff = Math.abs(a - b);
    return diff <= absTol || diff <= relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/**
 * A decimal against the other side's value, `a` being the engine under test (its type's scale is
 * the one compared at):
 * - two decimals: equal digit for digit after the expected value is brought to the actual's scale
 *   (HALF_UP when that drops digits, which happens where Spark's result type keeps fewer fraction
 *   digits than the oracle's, e.g. a product whose precision exceeds 38; padded with zeros when it
 *   adds digits, so an actual with more digits must end in zeros to match);
 * - a decimal against a double (DuckDB answers avg and `/` of decimals as DOUBLE; a double engine
 *   against a decimal oracle): the decimal must be the double rounded to the decimal's scale, i.e.
 *   within half a unit of its last digit, widened only by the double's own rounding error (4 ulps)
 *   which cannot say which way a near-tie goes;
 * - anything else (null, string) differs.
 */
function decimalMatches(a: Cell, b: Cell, relTol: number, absTol: number): boolean {
  if (isDecimalCell(a) && isDecimalCell(b)) {
    const x = unscaledOf(a);
    const y = unscaledOf(b);
    return x.v === rescaleHalfUp(y.v, y.scale, x.scale);
  }
  if (isDecimalCell(a) && typeof b === 'number') return decimalNearDouble(a, b);
  if (typeof a === 'number' && isDecimalCell(b)) {
    // A double engine against an exact oracle: the usual tolerance on the oracle's value.
    return cellsEqual(a, Number(b.decimal), relTol, absTol);
  }
  return false;
}

function decimalNearDouble(d: DecimalCell, x: number): boolean {
  if (!Number.isFinite(x)) return false;
  const { scale } = unscaledOf(d);
  const value = Number(d.decimal);
  const halfUnit = 0.5 * 10 ** -scale;
  const doubleError = 4 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(value));
  return Math.abs(value - x) <= halfUnit + doubleError;
}

function rescaleHalfUp(v: bigint, from: number, to: number): bigint {
  if (to >= from) return v * 10n ** BigInt(to - from);
  const d = 10n ** BigInt(from - to);
  const q = v / d;
  const r = v - q * d;
  const twice = (r < 0n ? -r : r) * 2n;
  return twice >= d ? q + (v < 0n ? -1n : 1n) : q;
}

/** Rows of either side with no tolerant match on the other (multiset difference). */
function unmatchedRows(a: Cell[][], e: Cell[][], eq: (x: Cell, y: Cell) => boolean): string[] {
  const used = new Array<boolean>(a.length).fill(false);
  const missing: string[] = [];
  for (const row of e) {
    const j = a.findIndex(
      (cand, k) => !used[k] && cand.length === row.length && row.every((v, c) => eq(cand[c] ?? null, v)),
    );
    if (j >= 0) used[j] = true;
    else missing.push(`missing row (expected, not in actual): ${showRow(row)}`);
  }
  const extra = a.filter((_, k) => !used[k]).map((row) => `extra row (in actual, not expected): ${showRow(row)}`);
  return missing.concat(extra);
}

/** Canonical order: null < boolean < number (rounded to 9 significant digits) < string. */
function compareRowKeys(x: Cell[], y: Cell[]): number {
  for (let c = 0; c < Math.max(x.length, y.length); c++) {
    const d = compareCellKeys(x[c] ?? null, y[c] ?? null);
    if (d !== 0) return d;
  }
  return 0;
}

function compareCellKeys(x: Cell, y: Cell): number {
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry) return rx - ry;
  if (rx === 2) {
    const kx = Number(numeric(x).toPrecision(9));
    const ky = Number(numeric(y).toPrecision(9));
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  }
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  return 0;
}

/** A number or decimal cell as a double (for the canonical order only). */
function numeric(v: Cell): number {
  return isDecimalCell(v) ? Number(v.decimal) : Number(v);
}

function rank(v: Cell): number {
  return v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' || isDecimalCell(v) ? 2 : 3;
}

function show(v: Cell): string {
  if (isDecimalCell(v)) return `${v.decimal}(decimal)`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function showRow(row: Cell[]): string {
  return `[${row.map(show).join(', ')}]`;
}
