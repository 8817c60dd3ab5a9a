/**
 * The join verb: on column names (a "using" join: the key appears once), or on a Column
 * condition; inner, left, right, full, left_semi, left_anti and cross, as in Spark.
 */
import * as E from '../../../planner/expr.js';
import { PlanError } from '../../../planner/errors.js';
import type { JoinType, PlanNode } from '../../../planner/plan.js';
import { dropColumns, join as joinNode, rename, withColumns } from '../../../planner/plan.js';
import { Column } from '../column.js';

export type JoinHow =
  | JoinType
  | 'left_outer' | 'leftouter' | 'right_outer' | 'rightouter' | 'outer' | 'full_outer' | 'fullouter'
  | 'semi' | 'leftsemi' | 'anti' | 'leftanti';

const HOW: Readonly<Record<JoinHow, JoinType>> = {
  inner: 'inner', cross: 'cross',
  left: 'left', left_outer: 'left', leftouter: 'left',
  right: 'right', right_outer: 'right', rightouter: 'right',
  full: 'full', outer: 'full', full_outer: 'full', fullouter: 'full',
  left_semi: 'left_semi', semi: 'left_semi', leftsemi: 'left_semi',
  left_anti: 'left_anti', anti: 'left_anti', leftanti: 'left_anti',
};

export function joinType(how: string): JoinType {
  const t = HOW[how as JoinHow];
  if (!t) throw new PlanError('BAD_JOIN_TYPE', `unknown join type '${how}'; use one of ${Object.keys(HOW).join(', ')}`, { how });
  return t;
}

const RIGHT = '__right_';

/**
 * Join two plans.
 * @example join(orders, lineitem, col('o_orderkey').equalTo(col('l_orderkey')), 'inner', null)
 * @example join(a, b, ['id'], 'left', 'right')  // using-join on `id`, broadcasting b
 */
export function join(left: PlanNode, right: PlanNode, on: string | readonly string[] | Column | null, how: string, hint: 'left' | 'right' | null): PlanNode {
  const type = joinType(how);
  if (on === null || on instanceof Column) return joinNode(left, right, on === null ? 'cross' : type, on?.expr ?? null, hint);
  const keys = typeof on === 'string' ? [on] : [...on];
  if (!keys.length) throw new PlanError('BAD_JOIN', 'a join on column names needs at least one name');
  // Using-join: rename the right side's keys, join on equality, keep one key column.
  const renamed = keys.reduce<PlanNode>((p, k) => rename(p, k, `${RIGHT}${k}`), right);
  const cond = keys.map((k) => E.binary('=', E.col(k), E.col(`${RIGHT}${k}`))).reduce((a, b) => E.binary('and', a, b));
  let out = joinNode(left, renamed, type, cond, hint);
  if (type === 'left_semi' || type === 'left_anti') return out;
  if (type === 'right') out = withColumns(out, keys.map((k) => ({ name: k, expr: E.col(`${RIGHT}${k}`) })));
  if (type === 'full') out = withColumns(out, keys.map((k) => ({ name: k, expr: E.call('coalesce', [E.col(k), E.col(`${RIGHT}${k}`)]) })));
  return dropColumns(out, keys.map((k) => `${RIGHT}${k}`));
}
