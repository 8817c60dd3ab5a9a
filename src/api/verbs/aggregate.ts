/**
 * Aggregation verbs: groupBy(...).agg(...), global agg(...), and the dispatch of rollup / cube /
 * pivot aggregations (./grouping.ts, ./pivot.ts).
 */
import * as E from '../../../planner/expr.js';
import type { PlanNode } from '../../../planner/plan.js';
import { aggregate } from '../../../planner/plan.js';
import type { Column } from '../column.js';
import { exprOf } from './columns.js';
import { groupingSetsAgg, usesGrouping } from './grouping.js';
import { type PivotSpec, pivotAgg } from './pivot.js';
import { PlanError } from '../../../planner/errors.js';

/**
 * Aggregate rows per group of keys (no keys: one row for the whole input).
 * @example agg(plan, ['l_returnflag'], [sum('l_quantity').alias('sum_qty')])
 */
export function agg(input: PlanNode, keys: readonly (string | Column)[], aggs: readonly Column[]): PlanNode {
  for (const a of aggs)
    if (usesGrouping(a.expr))
      throw new PlanError(
        'GROUPING_WITHOUT_GROUPING_SETS',
        `${E.exprToString(a.expr)}: grouping() and grouping_id() need rollup(...), cube(...) or GROUPING SETS`,
      );
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

/** How a GroupedData groups: by its keys, by grouping sets of them (rollup, cube), or pivoted. */
export type GroupShape =
  | { readonly kind: 'groupBy' }
  | { readonly kind: 'sets'; readonly sets: readonly (readonly number[])[] }
  | { readonly kind: 'pivot'; readonly pivot: PivotSpec };

/** The aggregation of a GroupedData of any shape. */
export function groupedAgg(
  input: PlanNode,
  keys: readonly (string | Column)[],
  shape: GroupShape,
  aggs: readonly Column[],
): PlanNode {
  switch (shape.kind) {
    case 'groupBy':
      return agg(input, keys, aggs);
    case 'sets':
      return groupingSetsAgg(input, keys, shape.sets, aggs);
    case 'pivot':
      return pivotAgg(input, keys, shape.pivot, aggs);
    default:
      return E.assertNever(shape);
  }
}
