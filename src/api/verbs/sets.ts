/**
 * Set and row-shape verbs: distinct, dropDuplicates, union/unionByName, intersect, except,
 * dropna, fillna, repartition.
 */
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import {
  distinct as distinctNode,
  dropNa,
  fillNa,
  repartition as repartitionNode,
  setOp,
  union as unionNode,
} from '../../../planner/plan.js';
import type { Column } from '../column.js';
import { exprOf } from './columns.js';

/** Distinct rows, or one row per distinct value of `columns`. @example distinct(plan, ['o_custkey']) */
export function distinct(input: PlanNode, columns: readonly string[] | null): PlanNode {
  return distinctNode(input, columns?.length ? columns : null);
}

/** All rows of all inputs (UNION ALL), by position or by name. @example union([a, b], false) */
export function union(inputs: readonly PlanNode[], byName: boolean): PlanNode {
  return unionNode(inputs, byName);
}

/** Distinct rows in both (intersect) or in the left only (except); nulls compare equal. */
export function setOperation(op: 'intersect' | 'except', left: PlanNode, right: PlanNode): PlanNode {
  return setOp(op, left, right);
}

/** Drop rows with nulls: in any (how='any') or all (how='all') of the columns. @example dropna(plan, 'any', ['a']) */
export function dropna(input: PlanNode, how: 'any' | 'all', subset: readonly string[] | null): PlanNode {
  if (how !== 'any' && how !== 'all')
    throw new PlanError('BAD_ARGUMENT', `dropna how must be 'any' or 'all', got '${how}'`);
  return dropNa(input, how, subset);
}

/** Replace nulls with a value in the columns of a matching type. @example fillna(plan, 0, null) */
export function fillna(input: PlanNode, value: number | string | boolean, subset: readonly string[] | null): PlanNode {
  return fillNa(input, value, subset);
}

/** Redistribute rows into n partitions: by hash of columns, or round-robin. @example repartition(plan, 8, ['k']) */
export function repartition(input: PlanNode, n: number, cols: readonly (string | Column)[]): PlanNode {
  if (!Number.isInteger(n) || n < 1)
    throw new PlanError('BAD_ARGUMENT', `repartition needs a positive number of partitions, got ${n}`);
  return repartitionNode(input, n, cols.map(exprOf));
}
