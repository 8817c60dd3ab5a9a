/**
 * Answer checking for benchmarks: the plain tabular form every engine's result is converted to
 * (`ResultSet` of `Cell`s) and a tolerant comparison that lists readable differences. A minimal
 * copy of test/support/compare.ts, because benchmark code does not import from test/.
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
  readonly ordered: boolean;
  /** Relative tolerance for numbers (default 1e-6). */
  readonly relTol?: number;
  /** Absolute tolerance for numbers near zero (default 1e-9). */
  readonly absTol?: number;
}

const MS_PER_DAY = 86_400_000;

/** 'YYYY-MM-DD' for a count of days since 1970-01-01. */
export function isoDateFromDays(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** An Arrow table as plain rows; Date columns become 'YYYY-MM-DD' strings. */
export function rowsFromArrow(table: Table): ResultSet {
  const fields = table.schema.fields;
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const rows: Cell[][] = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(fields.map((f, c) => arrowCell(vectors[c]?.get(r), f.type, f.name)));
  }
  return { columns: fields.map((f) => f.name), rows };
}

function arrowCell(value: unknown, type: DataType, column: string): Cell {
  if (value === null || value === undefined) return null;
  if (DataType.isDate(type)) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`rowsFromArrow: column "${column}" has unsupported Arrow type ${String(type)}`);
}

/**
 * Differences between `actual` and `expected`, human-readable; empty means equal. Columns are
 * matched by position and their names compared case-insensitively.
 */
export function compareResults(actual: ResultSet, expected: ResultSet, opts: CompareOptions): string[] {
  if (actual.columns.length !== expected.columns.length) {
    return [`column count: actual ${actual.columns.length} [${actual.columns}], expected ${expected.columns.length} [${expected.columns}]`];
  }
  const diffs: string[] = [];
  expected.columns.forEach((name, i) => {
    if (actual.columns[i]?.toLowerCase() !== name.toLowerCase()) diffs.push(`column ${i} name: actual "${actual.columns[i]}", expected "${name}"`);
  });
  const relTol = opts.relTol ?? 1e-6;
  const absTol = opts.absTol ?? 1e-9;
  const a = opts.ordered ? actual.rows : [...actual.rows].sort(compareRows);
  const e = opts.ordered ? expected.rows : [...expected.rows].sort(compareRows);
  if (a.length !== e.length) diffs.push(`row count: actual ${a.length}, expected ${e.length}`);
  for (let r = 0; r < Math.min(a.length, e.length); r++) {
    e[r]!.forEach((ev, c) => {
      const av = a[r]![c] ?? null;
      if (!cellsEqual(av, ev, relTol, absTol)) diffs.push(`row ${r}, column "${expected.columns[c]}": actual ${show(av)}, expected ${show(ev)}`);
    });
  }
  return diffs;
}

function cellsEqual(a: Cell, b: Cell, relTol: number, absTol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    const diff = Math.abs(a - b);
    return diff <= absTol || diff <= relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** Canonical order for unordered comparison: null < boolean < number (9 significant digits) < string. */
function compareRows(x: Cell[], y: Cell[]): number {
  for (let c = 0; c < Math.max(x.length, y.length); c++) {
    const d = compareCells(x[c] ?? null, y[c] ?? null);
    if (d !== 0) return d;
  }
  return 0;
}

function compareCells(x: Cell, y: Cell): number {
  const rank = (v: Cell) => (v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : 3);
  if (rank(x) !== rank(y)) return rank(x) - rank(y);
  if (typeof x === 'number' && typeof y === 'number') {
    const kx = Number(x.toPrecision(9));
    const ky = Number(y.toPrecision(9));
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  }
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function show(v: Cell): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
