/**
 * Column: an immutable wrapper around an expression node, with Spark's Column methods.
 * Every method returns a new frozen Column; arguments may be Columns or plain values.
 */
import type { BinaryOp, Expr } from '../../planner/expr.js';
import * as E from '../../planner/expr.js';
import { Interval } from './interval.js';
import type { DataType } from '../../planner/types.js';
import { DATA_TYPES, isDataType } from '../../planner/types.js';
import { PlanError } from '../../planner/errors.js';
import type { WindowSpecExpr } from '../../planner/window.js';

export type ColumnLike = Column | string | number | bigint | boolean | Date | Uint8Array | null;

export interface SortOrder {
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** A literal or column as an expression (plain values become literals). */
export function toExpr(v: ColumnLike | Column): Expr {
  if (v instanceof Column) return v.expr;
  return literal(v);
}

/**
 * A literal expression. NaN and ±Infinity have no JSON form, so they travel as a cast of their
 * name ('NaN', 'Infinity', '-Infinity'), which plans can carry to executors intact. A BigInt is
 * an int64 literal, carried as its decimal text so every digit survives; a Uint8Array is a
 * binary literal, carried as base64.
 */
export function literal(v: string | number | bigint | boolean | Date | Uint8Array | null): Expr {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new RangeError('an invalid Date is not a literal');
    return E.lit(v.toISOString(), 'timestamp[us, UTC]'); // an instant, as Spark's lit(datetime)
  }
  if (v instanceof Uint8Array)
    return E.lit(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'), 'binary');
  if (typeof v === 'number' && !Number.isFinite(v)) return E.cast(E.lit(String(v)), 'float64');
  if (typeof v === 'bigint') {
    if (BigInt.asIntN(64, v) !== v) throw new RangeError(`literal ${v} is outside the int64 range`);
    return E.lit(String(v), 'int64');
  }
  return E.lit(v);
}

export class Column {
  constructor(
    readonly expr: Expr,
    readonly sortOrder: SortOrder | null = null,
  ) {
    if (new.target === Column) Object.freeze(this);
  }

  private bin(op: BinaryOp, other: ColumnLike): Column {
    return new Column(E.binary(op, this.expr, toExpr(other)));
  }

  /** Addition; with an `interval(...)`, timestamp (or date) arithmetic. @example col('ts').plus(interval({ hours: 1 })) */
  plus(o: ColumnLike | Interval): Column {
    return o instanceof Interval ? this.addInterval(o) : this.bin('+', o);
  }
  minus(o: ColumnLike | Interval): Column {
    return o instanceof Interval ? this.addInterval(o.negate()) : this.bin('-', o);
  }
  private addInterval(i: Interval): Column {
    const micros =
      Number.isSafeInteger(i.micros) && Math.abs(i.micros) < 2 ** 31
        ? E.lit(i.micros)
        : E.lit(String(i.micros), 'int64');
    return new Column(E.call('add_interval', [this.expr, E.lit(i.months), E.lit(i.days), micros]));
  }
  multiply(o: ColumnLike): Column {
    return this.bin('*', o);
  }
  divide(o: ColumnLike): Column {
    return this.bin('/', o);
  }
  mod(o: ColumnLike): Column {
    return this.bin('%', o);
  }
  equalTo(o: ColumnLike): Column {
    return this.bin('=', o);
  }
  notEqual(o: ColumnLike): Column {
    return this.bin('!=', o);
  }
  lt(o: ColumnLike): Column {
    return this.bin('<', o);
  }
  leq(o: ColumnLike): Column {
    return this.bin('<=', o);
  }
  gt(o: ColumnLike): Column {
    return this.bin('>', o);
  }
  geq(o: ColumnLike): Column {
    return this.bin('>=', o);
  }
  and(o: ColumnLike): Column {
    return this.bin('and', o);
  }
  or(o: ColumnLike): Column {
    return this.bin('or', o);
  }
  /**
   * Null-safe equality (Spark's <=>): true when both are null, false when only one is.
   * @example col('a').eqNullSafe(col('b'))
   */
  eqNullSafe(o: ColumnLike): Column {
    const a = this.expr;
    const b = toExpr(o);
    return new Column(
      E.caseWhen(
        [
          { when: E.isNull(a), then: E.isNull(b) },
          { when: E.isNull(b), then: E.lit(false) },
        ],
        E.binary('=', a, b),
      ),
    );
  }
  /** Short aliases. */
  eq(o: ColumnLike): Column {
    return this.equalTo(o);
  }
  ne(o: ColumnLike): Column {
    return this.notEqual(o);
  }
  not(): Column {
    return new Column(E.not(this.expr));
  }
  negate(): Column {
    return new Column(E.neg(this.expr));
  }

  between(lo: ColumnLike, hi: ColumnLike): Column {
    return this.geq(lo).and(this.leq(hi));
  }
  /** In a list of values (or one array of them); a NULL in the list makes a non-match NULL. @example col('x').isin(1, 2) */
  isin(...values: (ColumnLike | readonly ColumnLike[])[]): Column {
    return new Column(E.inList(this.expr, values.flat().map(toExpr)));
  }
  isNull(): Column {
    return new Column(E.isNull(this.expr));
  }
  isNotNull(): Column {
    return new Column(E.isNull(this.expr, true));
  }
  /** Whether a number is NaN: false for NULL and for integers (Spark's isnan). @example col('x').isNaN() */
  isNaN(): Column {
    return new Column(E.call('isnan', [this.expr]));
  }

  /**
   * This window function or aggregate over a window. @example sum('x').over(Window.partitionBy('k').orderBy('t'))
   * @example row_number().over(Window.partitionBy('k').orderBy(col('t').desc()))
   */
  over(window: { readonly spec: WindowSpecExpr }): Column {
    const e = this.expr;
    if (e.kind === 'window') return new Column(E.windowCall(e.fn, e.args, window.spec, e.options));
    if (e.kind === 'agg')
      return new Column(E.windowCall(e.fn, e.arg ? [e.arg, ...(e.more ?? [])] : [], window.spec, e.options));
    throw new PlanError(
      'NOT_A_WINDOW_FUNCTION',
      `over() applies to a window function (row_number, rank, lag, …) or an aggregate (sum, avg, …), not to ${E.exprToString(e)}`,
      { expression: E.exprToString(e) },
    );
  }

  alias(name: string): Column {
    return new Column(E.alias(this.expr.kind === 'alias' ? this.expr.input : this.expr, name));
  }
  as(name: string): Column {
    return this.alias(name);
  }
  /**
   * Cast to a type: 'int32', 'int64', 'float64', 'string', 'date', 'bool', 'decimal(p,s)',
   * 'timestamp[unit]' / 'timestamp[unit, zone]' / 'time[unit]' — and Spark's 'timestamp' (an
   * instant, microseconds) and 'timestamp_ntz' (a wall clock). @example col('x').cast('decimal(10,2)')
   */
  cast(type: DataType | 'timestamp' | 'timestamp_ntz'): Column {
    const to = type === 'timestamp' ? 'timestamp[us, UTC]' : type === 'timestamp_ntz' ? 'timestamp[us]' : type;
    if (!isDataType(to))
      throw new PlanError(
        'BAD_TYPE',
        `cannot cast to '${to}': not a data type (${DATA_TYPES.join(', ')}, decimal(p,s) with 1 ≤ p ≤ 38, 0 ≤ s ≤ p, timestamp[unit], timestamp[unit, zone], time[unit], timestamp, timestamp_ntz)`,
        { type: to },
      );
    return new Column(E.cast(this.expr, to));
  }

  like(pattern: string): Column {
    return new Column(E.call('like', [this.expr, E.lit(pattern)]));
  }
  /**
   * Whether a Java regular expression matches somewhere in the value (Spark's rlike; see
   * docs/functions.md for how patterns run on JS RegExp). @example col('s').rlike('^[0-9]+$')
   */
  rlike(pattern: string | Column): Column {
    return new Column(E.call('rlike', [this.expr, toExpr(pattern)]));
  }
  startsWith(prefix: ColumnLike): Column {
    return new Column(E.call('starts_with', [this.expr, toExpr(prefix)]));
  }
  endsWith(suffix: ColumnLike): Column {
    return new Column(E.call('ends_with', [this.expr, toExpr(suffix)]));
  }
  contains(part: ColumnLike): Column {
    return new Column(E.call('contains', [this.expr, toExpr(part)]));
  }
  /** Characters from a 1-based start (0 is 1; negative counts from the end). @example col('s').substr(1, 3) */
  substr(start: number | Column, length: number | Column): Column {
    return new Column(E.call('substring', [this.expr, toExpr(start), toExpr(length)]));
  }

  asc(): Column {
    return new Column(this.expr, { desc: false, nullsFirst: true });
  }
  desc(): Column {
    return new Column(this.expr, { desc: true, nullsFirst: false });
  }
  ascNullsLast(): Column {
    return new Column(this.expr, { desc: false, nullsFirst: false });
  }
  descNullsFirst(): Column {
    return new Column(this.expr, { desc: true, nullsFirst: true });
  }
  ascNullsFirst(): Column {
    return this.asc();
  }
  descNullsLast(): Column {
    return this.desc();
  }

  toString(): string {
    return E.exprToString(this.expr);
  }
}
