/**
 * join_condition_pushdown: a conjunct of a join condition that reads one side only becomes a
 * filter of that side, where the join type allows it (FILTERABLE: the right side of a left or
 * anti join, either side of an inner or semi join): a row failing it can match no row of the
 * other side. TPC-H Q13's `NOT o_comment LIKE '%special%requests%'` in the left join's condition
 * is then evaluated in the orders scan, and the comments never cross the shuffle. The condition
 * keeps its other conjuncts (at least one: a condition never disappears). Runs before the
 * second predicate_pushdown, which moves the new filters into the scans.
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { binary, referencedColumns } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import { filter, transformPlan } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';
import { FILTERABLE, plain } from './join_disjunction_filters.js';
import { conjuncts } from './predicate_pushdown.js';

const andAll = (es: readonly Expr[]): Expr => es.reduce((a, b) => binary('and', a, b));

/** Whether a conjunct reads columns of `side` only (none of whose names the other side shares). */
function only(c: Expr, side: ReadonlySet<string>, other: ReadonlySet<string>): boolean {
  const refs = [...referencedColumns(c)];
  return refs.length > 0 && refs.every((r) => side.has(r) && !other.has(r)) && plain(c);
}

function pushSides(node: PlanNode & { kind: 'Join' }, ctx: RuleContext): PlanNode {
  const can = FILTERABLE[node.type];
  if (!node.on || (!can.left && !can.right)) return node;
  const left = new Set(schemaOf(node.left, ctx.catalog).map((f) => f.name));
  const right = new Set(schemaOf(node.right, ctx.catalog).map((f) => f.name));
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const kept: Expr[] = [];
  for (const c of conjuncts(node.on)) {
    if (can.left && only(c, left, right)) toLeft.push(c);
    else if (can.right && only(c, right, left)) toRight.push(c);
    else kept.push(c);
  }
  if ((!toLeft.length && !toRight.length) || !kept.length) return node;
  return {
    ...node,
    on: andAll(kept),
    left: toLeft.length ? filter(node.left, andAll(toLeft)) : node.left,
    right: toRight.length ? filter(node.right, andAll(toRight)) : node.right,
  };
}

export const joinConditionPushdown: Rule = {
  name: 'join_condition_pushdown',
  apply(root, ctx) {
    return transformPlan(root, (n) => (n.kind === 'Join' ? pushSides(n, ctx) : n));
  },
};
