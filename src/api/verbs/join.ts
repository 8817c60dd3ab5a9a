/**
 * The join verb: on column names (a "using" join: the key appears once), or on a Column
 * condition; inner, left, right, full, left_semi, left_anti and cross, as in Spark.
 */
import { PlanError } from '../../../planner/errors.js';
import type { JoinType, PlanNode } from '../../../planner/plan.js';
import { join as joinNode, usingJoin } from '../../../planner/plan.js';
import { Column } from '../column.js';

export type JoinHow =
  | JoinType
  | 'left_outer'
  | 'leftouter'
  | 'right_outer'
  | 'rightouter'
  | 'outer'
  | 'full_outer'
  | 'fullouter'
  | 'semi'
  | 'leftsemi'
  | 'anti'
  | 'leftanti';

const HOW: Readonly<Record<JoinHow, JoinType>> = {
  inner: 'inner',
  cross: 'cross',
  left: 'left',
  left_outer: 'left',
  leftouter: 'left',
  right: 'right',
  right_outer: 'right',
  rightouter: 'right',
  full: 'full',
  outer: 'full',
  full_outer: 'full',
  fullouter: 'full',
  left_semi: 'left_semi',
  semi: 'left_semi',
  leftsemi: 'left_semi',
  left_anti: 'left_anti',
  anti: 'left_anti',
  leftanti: 'left_anti',
};

function joinType(how: string): JoinType {
  const t = HOW[how as JoinHow];
  if (!t)
    throw new PlanError('BAD_JOIN_TYPE', `unknown join type '${how}'; use one of ${Object.keys(HOW).join(', ')}`, {
      how,
    });
  return t;
}

/**
 * Join two plans.
 * @example join(orders, lineitem, col('o_orderkey').equalTo(col('l_orderkey')), 'inner', null)
 * @example join(a, b, ['id'], 'left', 'right')  // using-join on `id`, broadcasting b
 */
export function join(
  left: PlanNode,
  right: PlanNode,
  on: string | readonly string[] | Column | null,
  how: string,
  hint: 'left' | 'right' | null,
): PlanNode {
  const type = joinType(how);
  if (on === null || on instanceof Column)
    return joinNode(left, right, on === null ? 'cross' : type, on?.expr ?? null, hint);
  const keys = typeof on === 'string' ? [on] : [...on];
  if (!keys.length) throw new PlanError('BAD_JOIN', 'a join on column names needs at least one name');
  if (type === 'cross') throw new PlanError('BAD_JOIN', 'a cross join takes no join columns; use crossJoin(other)');
  return usingJoin(left, right, keys, type, hint);
}
