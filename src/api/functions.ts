/**
 * Column functions, as in `org.apache.spark.sql.functions`: column references, literals, dates,
 * aggregates, conditionals, strings and math.
 */
import * as E from '../../planner/expr.js';
import type { AggFn } from '../../planner/expr.js';
import { dateToDays } from '../../planner/types.js';
import { Column, literal, toExpr, type ColumnLike } from './column.js';

const c = (v: string | Column): Column => (typeof v === 'string' ? col(v) : v);

/** A column by name. @example col('l_quantity').gt(10) */
export function col(name: string): Column {
  return new Column(E.col(name));
}

/**
 * A literal. Integers are int32, other numbers float64, BigInts int64 (exact over the whole
 * range), a Uint8Array binary. @example lit(0.05) @example col('id').eq(lit(9007199254740993n))
 * @example col('digest').eq(lit(new Uint8Array([0xca, 0xfe])))
 */
export function lit(value: string | number | bigint | boolean | Date | Uint8Array | null): Column {
  return new Column(literal(value));
}

/** A date literal. @example col('l_shipdate').leq(date('1998-09-02')) */
export function date(iso: string): Column {
  dateToDays(iso);
  return new Column(E.lit(iso, 'date'));
}

export * from './timeFunctions.js';
export * from './groupingFunctions.js';
export { interval, Interval, type IntervalParts } from './interval.js';

const aggregate = (fn: AggFn, v: string | Column | null) => new Column(E.agg(fn, v === null ? null : c(v).expr));

export const sum = (v: string | Column) => aggregate('sum', v);
export const avg = (v: string | Column) => aggregate('avg', v);
export const mean = avg;
export const min = (v: string | Column) => aggregate('min', v);
export const max = (v: string | Column) => aggregate('max', v);
/** count('*') counts rows; count(col) counts non-null values. */
export const count = (v: string | Column = '*') => aggregate('count', v === '*' ? null : v);
export const countDistinct = (v: string | Column) => aggregate('count_distinct', v);

export * from './aggregates.js';
export * from './listFunctions.js';

/** Days added to a date. */
export const dateAdd = (d: string | Column, days: ColumnLike) =>
  new Column(E.call('date_add', [c(d).expr, toExpr(days)]));
/** Days subtracted from a date. @example dateSub('d', 30) */
export const dateSub = (d: string | Column, days: number | Column) =>
  dateAdd(d, typeof days === 'number' ? -days : days.negate());
export const addMonths = (d: string | Column, months: ColumnLike) =>
  new Column(E.call('add_months', [c(d).expr, toExpr(months)]));
export const year = (d: string | Column) => new Column(E.call('year', [c(d).expr]));
export const month = (d: string | Column) => new Column(E.call('month', [c(d).expr]));
export const dayofmonth = (d: string | Column) => new Column(E.call('day', [c(d).expr]));
export const day = dayofmonth;

export const substring = (s: string | Column, pos: number | Column, len: number | Column) => c(s).substr(pos, len);
export const upper = (s: string | Column) => new Column(E.call('upper', [c(s).expr]));
export const lower = (s: string | Column) => new Column(E.call('lower', [c(s).expr]));
export const trim = (s: string | Column) => new Column(E.call('trim', [c(s).expr]));
export const length = (s: string | Column) => new Column(E.call('length', [c(s).expr]));
export const concat = (...xs: (string | Column)[]) =>
  new Column(
    E.call(
      'concat',
      xs.map((x) => c(x).expr),
    ),
  );
/** A pattern or other string argument: text is a literal, a Column is evaluated per row. */
const text = (v: string | Column): E.Expr => (typeof v === 'string' ? E.lit(v) : v.expr);
const int = (v: number | Column): E.Expr => (typeof v === 'number' ? E.lit(v) : v.expr);

/**
 * Group `idx` (0 = the whole match) of the first match of a Java regular expression, '' when
 * nothing matches. @example regexp_extract('s', '(\\d+)-(\\d+)', 2)
 */
export const regexp_extract = (s: string | Column, pattern: string | Column, idx: number | Column = 1) =>
  new Column(E.call('regexp_extract', [c(s).expr, text(pattern), int(idx)]));
/**
 * Group `idx` (0 = the whole match) of every match, as a `list<string>` column.
 * @example regexp_extract_all('s', '(\\d+)')
 */
export const regexp_extract_all = (s: string | Column, pattern: string | Column, idx: number | Column = 1) =>
  new Column(E.call('regexp_extract_all', [c(s).expr, text(pattern), int(idx)]));
/**
 * Every match replaced; `$1` / `${name}` insert groups, `\$` a dollar sign (Java's syntax), from
 * character `position` (1-based) on. @example regexp_replace('s', '(\\w+)@', '$1 at ')
 */
export const regexp_replace = (
  s: string | Column,
  pattern: string | Column,
  replacement: string | Column,
  position: number | Column = 1,
) => new Column(E.call('regexp_replace', [c(s).expr, text(pattern), text(replacement), int(position)]));
/** Whether a Java regular expression matches somewhere in the string. @example rlike('s', '^a.c$') */
export const rlike = (s: string | Column, pattern: string | Column) => c(s).rlike(pattern);
/**
 * The pieces between matches of a Java regular expression, as a `list<string>` column; at most
 * `limit` pieces when positive (the last holds the rest), else all, trailing empty ones kept.
 * @example split('tags', ',\\s*')
 */
export const split = (s: string | Column, pattern: string | Column, limit: number | Column = -1) =>
  new Column(E.call('split', [c(s).expr, text(pattern), int(limit)]));
/** Spark 3.2's name for rlike. */
export const regexp_like = rlike;
/** Every occurrence of `search` replaced by `replacement` (default: removed). @example replace('s', 'a', 'b') */
export const replace = (s: string | Column, search: string | Column, replacement: string | Column = '') =>
  new Column(E.call('replace', [c(s).expr, text(search), text(replacement)]));
/** Left-padded with `pad` to `len` characters, or cut to them. @example lpad('id', 5, '0') */
export const lpad = (s: string | Column, len: number | Column, pad: string | Column = ' ') =>
  new Column(E.call('lpad', [c(s).expr, int(len), text(pad)]));
/** Right-padded with `pad` to `len` characters, or cut to them. @example rpad('name', 10, '.') */
export const rpad = (s: string | Column, len: number | Column, pad: string | Column = ' ') =>
  new Column(E.call('rpad', [c(s).expr, int(len), text(pad)]));
/** 1-based character position of the first `substr`, 0 when absent. @example instr('s', '@') */
export const instr = (s: string | Column, substr: string | Column) =>
  new Column(E.call('instr', [c(s).expr, text(substr)]));
/**
 * 1-based position of `substr` in the column at or after character `pos` (0 when absent or pos < 1);
 * argument order as Spark's. @example locate('b', 's', 2)
 */
export const locate = (substr: string | Column, s: string | Column, pos: number | Column = 1) =>
  new Column(E.call('locate', [text(substr), c(s).expr, int(pos)]));
/** Lower case with the first letter of each space-separated word upper case. @example initcap('name') */
export const initcap = (s: string | Column) => new Column(E.call('initcap', [c(s).expr]));
/**
 * Each character of `matching` replaced by the one at its place in `replace`, deleted when
 * `replace` is shorter. @example translate('s', 'abc', 'xy')
 */
export const translate = (s: string | Column, matching: string | Column, replace: string | Column) =>
  new Column(E.call('translate', [c(s).expr, text(matching), text(replace)]));
export const abs = (x: string | Column) => new Column(E.call('abs', [c(x).expr]));
export const round = (x: string | Column, scale = 0) => new Column(E.call('round', [c(x).expr, E.lit(scale)]));
export const coalesce = (...xs: (Column | ColumnLike)[]) => new Column(E.call('coalesce', xs.map(toExpr)));
/** The largest non-null argument (null when all are). Strings here name columns. @example greatest('a', 'b') */
export const greatest = (...xs: (string | Column)[]) =>
  new Column(
    E.call(
      'greatest',
      xs.map((x) => c(x).expr),
    ),
  );
/** The smallest non-null argument (null when all are). @example least('a', lit(0)) */
export const least = (...xs: (string | Column)[]) =>
  new Column(
    E.call(
      'least',
      xs.map((x) => c(x).expr),
    ),
  );

/** Logical NOT (NOT NULL is NULL). @example not(col('flag')) */
export const not = (x: string | Column) => c(x).not();
/** True where the value is null. @example isnull('x') */
export const isnull = (x: string | Column) => c(x).isNull();
/** True where the value is not null. @example isnotnull('x') */
export const isnotnull = (x: string | Column) => c(x).isNotNull();
/** Whether a number is NaN: false for NULL and for integers (Spark's isnan). @example isnan('x') */
export const isnan = (x: string | Column) => c(x).isNaN();
/** Arithmetic negation. @example negate('x') */
export const negate = (x: string | Column) => c(x).negate();

/** Conditional: when(cond, value).when(...).otherwise(value). */
export class CaseBuilder extends Column {
  constructor(private readonly branches: readonly { when: E.Expr; then: E.Expr }[]) {
    super(E.caseWhen(branches, null));
    Object.freeze(this);
  }
  when(cond: Column, value: ColumnLike): CaseBuilder {
    return new CaseBuilder([...this.branches, { when: cond.expr, then: toExpr(value) }]);
  }
  otherwise(value: ColumnLike): Column {
    return new Column(E.caseWhen(this.branches, toExpr(value)));
  }
}

export function when(cond: Column, value: ColumnLike): CaseBuilder {
  return new CaseBuilder([{ when: cond.expr, then: toExpr(value) }]);
}
