/**
 * Window specs and window functions, as Spark's `Window` and `functions`:
 * `row_number().over(Window.partitionBy('k').orderBy(col('t').desc()))`,
 * `sum('x').over(Window.partitionBy('k').orderBy('t').rowsBetween(-2, Window.currentRow))`.
 * Aggregates (sum, avg, min, max, count, …) take `.over(spec)` too.
 */
import { PlanError } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import type { WindowFrame, WindowOnlyFn, WindowSpecExpr } from '../../planner/window.js';
import { Column, toExpr, type ColumnLike } from './column.js';
import { exprOf } from './verbs/columns.js';
import { sortKeysOf } from './verbs/rows.js';

/** A frame bound: a row/value offset, or one of `Window.unboundedPreceding`, `currentRow`, `unboundedFollowing`. */
export type FrameBound = number;

function bound(b: FrameBound, side: 'start' | 'end', what: string): number | null {
  if (typeof b !== 'number' || Number.isNaN(b))
    throw new PlanError(
      'BAD_FRAME',
      `${what}: the frame ${side} must be a number or a Window constant, got ${String(b)}`,
    );
  if (side === 'start' && b <= Window.unboundedPreceding) return null;
  if (side === 'end' && b >= Window.unboundedFollowing) return null;
  if (!Number.isFinite(b))
    throw new PlanError(
      'BAD_FRAME',
      `${what}: an unbounded frame ${side} must be Window.unbounded${side === 'start' ? 'Preceding' : 'Following'}`,
    );
  return b;
}

/** A window spec: partition keys, order and frame. Immutable: each method returns a new spec. */
export class WindowSpec {
  constructor(readonly spec: WindowSpecExpr) {
    Object.freeze(this);
  }
  partitionBy(...cols: (string | Column)[]): WindowSpec {
    return new WindowSpec({ ...this.spec, partitionBy: cols.map(exprOf) });
  }
  /** Ascending, nulls first, unless a column says `.desc()` (nulls last) or `.ascNullsLast()` etc. */
  orderBy(...cols: (string | Column)[]): WindowSpec {
    return new WindowSpec({ ...this.spec, orderBy: sortKeysOf(cols) });
  }
  /** A frame of rows relative to the current one: `rowsBetween(-1, 1)`, `rowsBetween(Window.unboundedPreceding, Window.currentRow)`. */
  rowsBetween(start: FrameBound, end: FrameBound): WindowSpec {
    return this.frame('rows', start, end);
  }
  /** A frame of order-key values relative to the current row's: `rangeBetween(-10, 0)` (one numeric or date key). */
  rangeBetween(start: FrameBound, end: FrameBound): WindowSpec {
    return this.frame('range', start, end);
  }
  private frame(unit: WindowFrame['unit'], start: FrameBound, end: FrameBound): WindowSpec {
    const what = `${unit}Between(${start}, ${end})`;
    const frame: WindowFrame = { unit, lower: bound(start, 'start', what), upper: bound(end, 'end', what) };
    return new WindowSpec({ ...this.spec, frame });
  }
}

const EMPTY: WindowSpecExpr = { partitionBy: [], orderBy: [], frame: null };

/** Spark's `Window`: the entry points of a spec and the frame constants. */
export const Window = {
  unboundedPreceding: Number.NEGATIVE_INFINITY,
  unboundedFollowing: Number.POSITIVE_INFINITY,
  currentRow: 0,
  partitionBy: (...cols: (string | Column)[]): WindowSpec => new WindowSpec(EMPTY).partitionBy(...cols),
  orderBy: (...cols: (string | Column)[]): WindowSpec => new WindowSpec(EMPTY).orderBy(...cols),
  rowsBetween: (start: FrameBound, end: FrameBound): WindowSpec => new WindowSpec(EMPTY).rowsBetween(start, end),
  rangeBetween: (start: FrameBound, end: FrameBound): WindowSpec => new WindowSpec(EMPTY).rangeBetween(start, end),
} as const;

const c = (v: string | Column) => (typeof v === 'string' ? E.col(v) : v.expr);
const fn = (name: WindowOnlyFn, args: readonly E.Expr[]) => new Column(E.windowCall(name, args, null));

/** 1, 2, 3… within the window partition, in its order. */
export const row_number = () => fn('row_number', []);
/** Rank with gaps: peers (equal order keys) share the rank of the first. */
export const rank = () => fn('rank', []);
/** Rank without gaps. */
export const dense_rank = () => fn('dense_rank', []);
/** (rank - 1) / (rows in partition - 1), 0 for a single row. */
export const percent_rank = () => fn('percent_rank', []);
/** Rows up to and including the current row's last peer, over the partition's rows. */
export const cume_dist = () => fn('cume_dist', []);
/** The bucket (1..n) of the row when the partition is split into n nearly equal ordered buckets. */
export const ntile = (n: number) => fn('ntile', [E.lit(n)]);
/** The value `offset` rows before, or `defaultValue` (null) past the partition's start. */
export const lag = (x: string | Column, offset = 1, defaultValue: ColumnLike = null) =>
  fn('lag', [c(x), E.lit(offset), toExpr(defaultValue)]);
/** The value `offset` rows after, or `defaultValue` (null) past the partition's end. */
export const lead = (x: string | Column, offset = 1, defaultValue: ColumnLike = null) =>
  fn('lead', [c(x), E.lit(offset), toExpr(defaultValue)]);
/** The value at the frame's first row (null values included). */
export const first_value = (x: string | Column) => fn('first_value', [c(x)]);
/** The value at the frame's last row. */
export const last_value = (x: string | Column) => fn('last_value', [c(x)]);
/** The value at the frame's n-th row (1-based), null when the frame is shorter. */
export const nth_value = (x: string | Column, n: number) => fn('nth_value', [c(x), E.lit(n)]);

export {
  row_number as rowNumber,
  dense_rank as denseRank,
  percent_rank as percentRank,
  cume_dist as cumeDist,
  first_value as firstValue,
  last_value as lastValue,
  nth_value as nthValue,
};
