/**
 * Row verbs: filter/where, limit, orderBy.
 */
import type { PlanNode, SortKey } from '../../../planner/plan.js';
import { filter as filterNode, limit as limitNode, sort } from '../../../planner/plan.js';
import { PlanError } from '../../../planner/errors.js';
import { Column } from '../column.js';
import { exprOf } from './columns.js';

/**
 * Keep the rows where a condition holds (null counts as false).
 * @example filter(plan, col('l_shipdate').leq(date('1998-09-02')))
 */
export function filter(input: PlanNode, condition: Column): PlanNode {
  if (!(condition instanceof Column))
    throw new PlanError('BAD_ARGUMENT', 'filter() takes a Column condition, e.g. col("x").gt(1)');
  return filterNode(input, condition.expr);
}

/** The first n rows. @example limit(plan, 10) */
export function limit(input: PlanNode, n: number): PlanNode {
  if (!Number.isInteger(n) || n < 0) throw new PlanError('BAD_LIMIT', `limit must be a non-negative integer, got ${n}`);
  return limitNode(input, n);
}

/**
 * Order by columns: ascending by default (nulls first), `col(x).desc()` for descending (nulls last).
 * @example orderBy(plan, ['l_returnflag', col('revenue').desc()])
 */
export function orderBy(input: PlanNode, cols: readonly (string | Column)[]): PlanNode {
  return sort(input, sortKeysOf(cols));
}

/** Sort keys of columns: ascending (nulls first) unless a column says `.desc()` etc. Also Window.orderBy's. */
export function sortKeysOf(cols: readonly (string | Column)[]): SortKey[] {
  return cols.map((c) => {
    const order = c instanceof Column ? c.sortOrder : null;
    return { expr: exprOf(c), desc: order?.desc ?? false, nullsFirst: order?.nullsFirst ?? true };
  });
}
