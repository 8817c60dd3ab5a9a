/**
 * Result comparison shared by the benchmark and the tests: the plain tabular form (`ResultSet`
 * of `Cell`s) that Arrow tables, DuckDB results and CSV answer files all convert to, and a
 * tolerant comparison that lists human-readable differences (empty means equal).
 *
 * @example
 * compareResults(stratusRows, duckdbRows, { ordered: true, relTol: 1e-6 }); // [] when equal
 */
import { DataType, type Table } from 'apache-arrow';

/** One value: numbers (all numeric types), strings, dates as 'YYYY-MM-DD', booleans, null. */
export type Cell = number | string | boolean | null;

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
  if (typeof value === 'bigint') return Number(value);
  if (DataType.isDecimal(type)) return Number(`${String(value)}e-${type.scale}`); // unscaled digits → the nearest double
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`rowsFromArrow: column "${column}" has unsupported Arrow type ${String(type)}`);
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
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    const diff = Math.abs(a - b);
    return diff <= absTol || diff <= relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
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
  if (typeof x === 'number' && typeof y === 'number') {
    const kx = Number(x.toPrecision(9));
    const ky = Number(y.toPrecision(9));
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  }
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  return 0;
}

function rank(v: Cell): number {
  return v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : 3;
}

function show(v: Cell): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function showRow(row: Cell[]): string {
  return `[${row.map(show).join(', ')}]`;
}
