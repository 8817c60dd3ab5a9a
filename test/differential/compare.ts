/**
 * Differential test, results: Stratus (Arrow) and DuckDB results as typed rows, and their
 * comparison — integers and decimals exactly, doubles within a tolerance (NaN equals NaN, -0.0
 * equals 0.0), as multisets, as a sub-multiset (a limit without a total order), and the sort-key
 * columns in order. Unlike test/support/compare.ts, int64, decimal and timestamp values stay
 * exact (bigint / strings) instead of becoming doubles.
 *
 * @example
 * const diffs = multisetDiff(typedFromArrow(table), await typedFromDuckdb(reader));
 */
import {
  type DuckDBResultReader,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import { DataType, type Table } from 'apache-arrow';
import { formatUnscaled } from './values.js';

export type Cell = number | bigint | string | boolean | null;

export interface Typed {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const DAY_MS = 86_400_000;
const isoDay = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);
const isoMicros = (us: bigint) => `${us}us`;

function arrowTypeName(t: DataType): string {
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isInt(t)) return t.bitWidth === 64 ? 'int64' : t.bitWidth === 32 ? 'int32' : `int${t.bitWidth}`;
  if (DataType.isFloat(t)) return 'float64';
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) return 'string';
  if (DataType.isDate(t)) return 'date';
  if (DataType.isTimestamp(t)) return 'timestamp';
  if (DataType.isDecimal(t)) return `decimal(${t.precision},${t.scale})`;
  return String(t);
}

/** An Arrow result as typed rows (exact int64, decimals as strings, dates 'YYYY-MM-DD'). */
export function typedFromArrow(table: Table): Typed {
  const fields = table.schema.fields;
  const cols = fields.map((f, c) => {
    const vector = table.getChildAt(c)!;
    const out: Cell[] = [];
    for (const data of vector.data) {
      const t = data.type as DataType;
      for (let i = 0; i < data.length; i++) {
        if (!data.getValid(i)) {
          out.push(null);
          continue;
        }
        const j = data.offset + i;
        if (DataType.isDecimal(t)) {
          const w = data.values as Uint32Array;
          let u = 0n;
          for (let k = 3; k >= 0; k--) u = (u << 32n) | BigInt(w[4 * j + k]!);
          out.push(formatUnscaled(BigInt.asIntN(128, u), t.scale));
        } else if (DataType.isTimestamp(t)) out.push(isoMicros(BigInt((data.values as BigInt64Array)[j]!)));
        else if (DataType.isDate(t)) {
          const v = vector.get(out.length) as unknown;
          const ms = v instanceof Date ? v.getTime() : (v as number);
          out.push(isoDay(Math.round(ms / DAY_MS)));
        } else out.push(vector.get(out.length) as Cell);
      }
    }
    return { name: f.name, type: arrowTypeName(f.type), cells: out };
  });
  return {
    columns: cols.map((c) => c.name),
    types: cols.map((c) => c.type),
    rows: Array.from({ length: table.numRows }, (_, r) => cols.map((c) => c.cells[r] ?? null)),
  };
}

const DUCK_TYPES: Readonly<Record<string, string>> = {
  INTEGER: 'int32',
  BIGINT: 'int64',
  DOUBLE: 'float64',
  VARCHAR: 'string',
  BOOLEAN: 'bool',
  DATE: 'date',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
};

/** A DuckDB result as typed rows, in the same forms as `typedFromArrow`. */
export function typedFromDuckdb(reader: DuckDBResultReader): Typed {
  const types = reader.columnTypes().map((t) => {
    const s = String(t);
    const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(s);
    return m ? `decimal(${m[1]},${m[2]})` : (DUCK_TYPES[s] ?? s);
  });
  const rows = reader.getRows().map((row) =>
    (row as unknown[]).map((v): Cell => {
      if (
        v === null ||
        typeof v === 'number' ||
        typeof v === 'bigint' ||
        typeof v === 'string' ||
        typeof v === 'boolean'
      )
        return v;
      if (v instanceof DuckDBDateValue) return isoDay(v.days);
      if (v instanceof DuckDBDecimalValue) return formatUnscaled(v.value, v.scale);
      if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return isoMicros(v.micros);
      throw new Error(`differential: DuckDB value of unsupported type ${String(v)}`);
    }),
  );
  return { columns: reader.columnNames(), types, rows };
}

export interface Tolerance {
  readonly relTol: number;
  readonly absTol: number;
  /** Compare int64 values beyond ±2^53 exactly (otherwise as doubles: the engine's int64 today). */
  readonly exactInt64: boolean;
}

export const DEFAULT_TOLERANCE: Tolerance = { relTol: 1e-9, absTol: 1e-9, exactInt64: false };

const INT53 = 2n ** 53n;

export function cellsEqual(a: Cell, b: Cell, tol: Tolerance): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean')
      return false;
    if (typeof a === 'number' && !Number.isInteger(a)) return false;
    if (typeof b === 'number' && !Number.isInteger(b)) return false;
    const x = BigInt(a);
    const y = BigInt(b);
    if (x === y) return true;
    const big = x > INT53 || x < -INT53 || y > INT53 || y < -INT53;
    return big && !tol.exactInt64 && Number(x) === Number(y);
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    const diff = Math.abs(a - b);
    return diff <= tol.absTol || diff <= tol.relTol * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

function rank(v: Cell): number {
  return v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'string' ? 3 : 2;
}

/** A canonical order for sorting rows before comparing (numbers to 9 significant digits, NaN last). */
function compareCells(x: Cell, y: Cell): number {
  const d = rank(x) - rank(y);
  if (d !== 0) return d;
  if (rank(x) === 2) {
    const a = Number(x);
    const b = Number(y);
    if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    const ka = Number(a.toPrecision(9));
    const kb = Number(b.toPrecision(9));
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  }
  return x! < y! ? -1 : x! > y! ? 1 : 0;
}

const compareRows = (x: readonly Cell[], y: readonly Cell[]) => {
  for (let c = 0; c < x.length; c++) {
    const d = compareCells(x[c] ?? null, y[c] ?? null);
    if (d !== 0) return d;
  }
  return 0;
};

export function showCell(v: Cell): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  return String(v);
}
export const showRow = (r: readonly Cell[]) => `[${r.map(showCell).join(', ')}]`;

const MAX_SHOWN = 8;

/**
 * Rows of `actual` not matched in `pool` and (when `both`) rows of `pool` not matched in
 * `actual`, matching greedily with tolerance.
 */
function unmatched(
  actual: readonly (readonly Cell[])[],
  pool: readonly (readonly Cell[])[],
  tol: Tolerance,
  both: boolean,
) {
  const used = new Array<boolean>(pool.length).fill(false);
  const extra: (readonly Cell[])[] = [];
  for (const row of actual) {
    const j = pool.findIndex(
      (p, k) => !used[k] && p.length === row.length && row.every((v, c) => cellsEqual(v, p[c] ?? null, tol)),
    );
    if (j >= 0) used[j] = true;
    else extra.push(row);
  }
  const missing = both ? pool.filter((_, k) => !used[k]) : [];
  return [
    ...missing.slice(0, MAX_SHOWN).map((r) => `missing (DuckDB has it, Stratus not): ${showRow(r)}`),
    ...(missing.length > MAX_SHOWN ? [`… ${missing.length - MAX_SHOWN} more missing`] : []),
    ...extra.slice(0, MAX_SHOWN).map((r) => `extra (Stratus has it, DuckDB not): ${showRow(r)}`),
    ...(extra.length > MAX_SHOWN ? [`… ${extra.length - MAX_SHOWN} more extra`] : []),
  ];
}

/** Differences between two results as multisets of rows (empty when equal). */
export function multisetDiff(
  actual: readonly (readonly Cell[])[],
  expected: readonly (readonly Cell[])[],
  tol: Tolerance,
): string[] {
  const a = [...actual].sort(compareRows);
  const e = [...expected].sort(compareRows);
  if (a.length === e.length && a.every((row, r) => row.every((v, c) => cellsEqual(v, e[r]![c] ?? null, tol))))
    return [];
  const head = a.length === e.length ? [] : [`row count: Stratus ${a.length}, DuckDB ${e.length}`];
  return [...head, ...unmatched(a, e, tol, true)];
}

/** Rows of `actual` that are not in the multiset `all` (empty when actual ⊆ all). */
export function subMultisetDiff(
  actual: readonly (readonly Cell[])[],
  all: readonly (readonly Cell[])[],
  tol: Tolerance,
): string[] {
  return unmatched(actual, all, tol, false);
}

/** Differences between the key columns of two results, row by row in order. */
export function orderedKeysDiff(
  actual: readonly (readonly Cell[])[],
  expected: readonly (readonly Cell[])[],
  keys: readonly number[],
  tol: Tolerance,
): string[] {
  const diffs: string[] = [];
  const n = Math.min(actual.length, expected.length);
  for (let r = 0; r < n && diffs.length < MAX_SHOWN; r++) {
    const ak = keys.map((k) => actual[r]![k] ?? null);
    const ek = keys.map((k) => expected[r]![k] ?? null);
    if (!ak.every((v, i) => cellsEqual(v, ek[i]!, tol)))
      diffs.push(`order: row ${r} has sort keys ${showRow(ak)} in Stratus, ${showRow(ek)} in DuckDB`);
  }
  return diffs;
}
