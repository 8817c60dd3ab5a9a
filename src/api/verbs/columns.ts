/**
 * Column verbs: select, withColumn, withColumnRenamed, drop. The last three depend on the input
 * schema, so they become plan nodes that the analyzer lowers to a projection.
 */
import type { Expr } from '../../../planner/expr.js';
import * as E from '../../../planner/expr.js';
import type { PlanNode } from '../../../planner/plan.js';
import { dropColumns, project, rename, withColumns } from '../../../planner/plan.js';
import type { Column } from '../column.js';

export const exprOf = (c: string | Column): Expr => (typeof c === 'string' ? E.col(c) : c.expr);

/**
 * Keep or compute columns.
 * @example select(plan, ['a', col('b').plus(1).alias('b1')])
 */
export function select(input: PlanNode, cols: readonly (string | Column)[]): PlanNode {
  return project(input, cols.map(exprOf));
}

/**
 * Add a column, or replace the one with that name in place.
 * @example withColumn(plan, 'revenue', col('price').multiply(col('qty')))
 */
export function withColumn(input: PlanNode, name: string, c: Column): PlanNode {
  return withColumns(input, [{ name, expr: c.expr.kind === 'alias' ? c.expr.input : c.expr }]);
}

/** Rename a column; a missing name is a no-op, as in Spark. @example withColumnRenamed(plan, 'n_name', 'nation') */
export function withColumnRenamed(input: PlanNode, from: string, to: string): PlanNode {
  return rename(input, from, to);
}

/** Drop columns; missing names are ignored, as in Spark. @example drop(plan, ['tmp']) */
export function drop(input: PlanNode, names: readonly string[]): PlanNode {
  return dropColumns(input, names);
}
