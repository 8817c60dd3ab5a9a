/**
 * Aggregate functions beyond sum/avg/min/max/count, as in `org.apache.spark.sql.functions`:
 * statistics, sketches, first/last and collections. Each works in `groupBy(…).agg`, a global
 * `agg`, and over a window (`stddev('x').over(w)`). Registry: planner/aggregatesMore.ts.
 */
import type { AggFn, AggOptions } from '../../planner/aggregates.js';
import { DEFAULT_ACCURACY } from '../../planner/aggregatesMore.js';
import * as E from '../../planner/expr.js';
import { Column } from './column.js';

type ColumnArg = string | Column;
const expr = (v: ColumnArg) => (typeof v === 'string' ? E.col(v) : v.expr);
const call = (fn: AggFn, v: ColumnArg, more: readonly ColumnArg[] = [], options: AggOptions = {}) =>
  new Column(E.agg(fn, expr(v), more.map(expr), options));

/** Sample standard deviation (NULL over fewer than two values). @example stddev('price') */
export const stddev = (v: ColumnArg) => call('stddev', v);
/** Sample standard deviation. @example stddev_samp('price') */
export const stddev_samp = (v: ColumnArg) => call('stddev_samp', v);
/** Population standard deviation. @example stddev_pop('price') */
export const stddev_pop = (v: ColumnArg) => call('stddev_pop', v);
/** Sample variance (NULL over fewer than two values). @example variance('price') */
export const variance = (v: ColumnArg) => call('variance', v);
/** Sample variance. @example var_samp('price') */
export const var_samp = (v: ColumnArg) => call('var_samp', v);
/** Population variance. @example var_pop('price') */
export const var_pop = (v: ColumnArg) => call('var_pop', v);
/** Pearson correlation over rows where both are non-null. @example corr('x', 'y') */
export const corr = (x: ColumnArg, y: ColumnArg) => call('corr', x, [y]);
/** Sample covariance. @example covar_samp('x', 'y') */
export const covar_samp = (x: ColumnArg, y: ColumnArg) => call('covar_samp', x, [y]);
/** Population covariance. @example covar_pop('x', 'y') */
export const covar_pop = (x: ColumnArg, y: ColumnArg) => call('covar_pop', x, [y]);

/**
 * Approximate count of distinct non-null values (HyperLogLog), within relative standard
 * deviation `rsd` (default 0.05). @example approx_count_distinct('user', 0.01)
 */
export const approx_count_distinct = (v: ColumnArg, rsd?: number) =>
  call('approx_count_distinct', v, [], rsd === undefined ? {} : { rsd });

/**
 * An input value at (about) the given percentage of the sorted values — rank ceil(p·n), off by at
 * most about n/accuracy per level of its sketch, exact while a group has fewer than `accuracy`
 * values. An array of percentages gives an array. @example percentile_approx('price', [0.25, 0.5, 0.75])
 */
export const percentile_approx = (
  v: ColumnArg,
  percentage: number | readonly number[],
  accuracy: number = DEFAULT_ACCURACY,
) =>
  call('percentile_approx', v, [], {
    percentages: typeof percentage === 'number' ? [percentage] : [...percentage],
    ...(typeof percentage === 'number' ? {} : { array: true }),
    accuracy,
  });
/** The exact median (Spark's percentile 0.5: the middle values interpolated), a double. @example median('price') */
export const median = (v: ColumnArg) => call('median', v);

/** The first value in the group (or frame); with ignoreNulls the first non-null. @example first('x', true) */
export const first = (v: ColumnArg, ignoreNulls = false) => call('first', v, [], ignoreNulls ? { ignoreNulls } : {});
/** The last value in the group (or frame); with ignoreNulls the last non-null. @example last('x') */
export const last = (v: ColumnArg, ignoreNulls = false) => call('last', v, [], ignoreNulls ? { ignoreNulls } : {});
/** Some value of the group (the first seen). @example any_value('name') */
export const any_value = (v: ColumnArg, ignoreNulls = false) =>
  call('any_value', v, [], ignoreNulls ? { ignoreNulls } : {});

/** The non-null values as a list, in input order (an empty list over none). @example collect_list('item') */
export const collect_list = (v: ColumnArg) => call('collect_list', v);
/** The distinct non-null values as a list (no promised order). @example collect_set('item') */
export const collect_set = (v: ColumnArg) => call('collect_set', v);

/** The one-column aggregates `agg({ x: 'stddev' })` names (beside sum, avg, mean, min, max, count). */
export const DICT_MORE_AGGREGATES = {
  stddev,
  stddev_samp,
  stddev_pop,
  std: stddev,
  variance,
  var_samp,
  var_pop,
  median,
  approx_count_distinct: (v: ColumnArg) => approx_count_distinct(v),
  first: (v: ColumnArg) => first(v),
  last: (v: ColumnArg) => last(v),
  any_value: (v: ColumnArg) => any_value(v),
  collect_list,
  collect_set,
} as const;
