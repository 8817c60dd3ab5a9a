/**
 * Aggregation verbs: groupBy(...).agg(...) and global agg(...).
 */
import * as E from '../../../planner/expr.js';
import type { PlanNode } from '../../../planner/plan.js';
import { aggregate } from '../../../planner/plan.js';
import type { Column } from '../column.js';
import { exprOf } from './columns.js';

/**
 * Aggregate rows per group of keys (no keys: one row for the whole input).
 * @example agg(plan, ['l_returnflag'], [sum('l_quantity').alias('sum_qty')])
 */
export function agg(input: PlanNode, keys: readonly (string | Column)[], aggs: readonly Column[]): PlanNode {
  return aggregate(
    input,
    keys.map(exprOf),
    aggs.map((a) => a.expr),
  );
}

/** count(*) per group, named `count` as in Spark. */
export function countRows(input: PlanNode, keys: readonly (string | Column)[]): PlanNode {
  return aggregate(input, keys.map(exprOf), [E.alias(E.agg('count', null), 'count')]);
}
