/**
 * Grouping-set functions, as Spark's: usable in the aggregates of rollup(...), cube(...) and
 * SQL's GROUP BY ROLLUP / CUBE / GROUPING SETS (src/api/verbs/grouping.ts binds them per set).
 */
import * as E from '../../planner/expr.js';
import { Column } from './column.js';

const c = (v: string | Column): E.Expr => (typeof v === 'string' ? E.col(v) : v.expr);

/**
 * 1 where the row rolls `column` up (its NULL stands for "all"), 0 where the row groups by it;
 * an int8 (Spark's tinyint), as Spark's grouping().
 * @example df.rollup('a', 'b').agg(sum('x'), grouping('b'))
 */
export const grouping = (column: string | Column): Column => new Column(E.call('grouping', [c(column)]));

/**
 * The grouping level as a bit vector (int64, Spark's bigint): bit 1 for each grouping column rolled up, the first
 * column the most significant; with columns, over those columns only, in that order.
 * @example df.cube('a', 'b').agg(grouping_id(), count()) // 0 for (a, b), 1 for (a), 2 for (b), 3 for ()
 */
export const grouping_id = (...columns: (string | Column)[]): Column =>
  new Column(E.call('grouping_id', columns.map(c)));
/** Alias of `grouping_id`, in this library's camelCase. */
export const groupingId = grouping_id;
