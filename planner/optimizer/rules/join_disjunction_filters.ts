/**
 * join_disjunction_filters: a join condition holding a disjunction of conjunctions, as TPC-H
 * Q19's `(p1 ∧ l1) ∨ (p2 ∧ l2) ∨ (p3 ∧ l3)` or Q7's nation pairs, gives each side a filter of
 * its own: the OR, over the branches, of the branch's conjuncts that read only that side
 * (`l1 ∨ l2 ∨ l3` for lineitem). A pair of rows can only match when one branch is true, so the
 * derived filter is true for both of its rows (three-valued logic too: a branch that is true has
 * every conjunct true). The condition itself is kept. Conjuncts every branch shares are pulled
 * out as conjuncts of their own (`(a ∧ x) ∨ (b ∧ x)` → `x ∧ (a ∨ b)`), so a scan evaluates the
 * cheap shared test first. Runs after predicate_pushdown has moved filters into join
 * conditions; the second predicate_pushdown pass moves the derived filters into the scans.
 * One pass (not to a fixpoint): a derived filter is never derived again.
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { binary, referencedColumns, walkExpr } from '../../expr.js';
import type { JoinType, PlanNode } from '../../plan.js';
import { filter, transformPlan } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';
import { conjuncts } from './predicate_pushdown.js';

const disjuncts = (e: Expr): Expr[] =>
  e.kind === 'binary' && e.op === 'or' ? [...disjuncts(e.left), ...disjuncts(e.right)] : [e];

const same = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Which sides may be filtered by a condition of the join without changing its result. */
export const FILTERABLE: Record<JoinType, { readonly left: boolean; readonly right: boolean }> = {
  inner: { left: true, right: true },
  cross: { left: true, right: true },
  left_semi: { left: true, right: true },
  left_anti: { left: false, right: true },
  left: { left: false, right: true },
  right: { left: true, right: false },
  full: { left: false, right: false },
};

/** No user code, no aggregate, no column pinned by position (names shared by both sides). */
export function plain(e: Expr): boolean {
  let ok = true;
  walkExpr(e, (x) => {
    if (x.kind === 'udf' || x.kind === 'agg' || (x.kind === 'col' && x.index !== undefined)) ok = false;
  });
  return ok;
}

const andAll = (es: readonly Expr[]): Expr => es.reduce((a, b) => binary('and', a, b));
const orAll = (es: readonly Expr[]): Expr => es.reduce((a, b) => binary('or', a, b));

/**
 * The conjuncts one side gets from a disjunction, or none when some branch has nothing that
 * reads only that side (that branch could match any row of it).
 */
export function sideConjuncts(or: Expr, side: ReadonlySet<string>, other: ReadonlySet<string>): Expr[] {
  const branches = disjuncts(or);
  if (branches.length < 2) return [];
  const own = (c: Expr) => {
    const refs = [...referencedColumns(c)];
    return refs.length > 0 && refs.every((r) => side.has(r)) && !refs.every((r) => other.has(r)) && plain(c);
  };
  const perBranch = branches.map((b) => conjuncts(b).filter(own));
  if (perBranch.some((cs) => !cs.length)) return [];
  const shared = perBranch[0]!.filter((c) => perBranch.every((cs) => cs.some((d) => same(c, d))));
  const rest = perBranch.map((cs) => cs.filter((c) => !shared.some((s) => same(c, s))));
  return rest.some((cs) => !cs.length) ? shared : [...shared, orAll(rest.map(andAll))];
}

function deriveSides(node: PlanNode & { kind: 'Join' }, ctx: RuleContext): PlanNode {
  const can = FILTERABLE[node.type];
  if (!node.on || (!can.left && !can.right)) return node;
  const ors = conjuncts(node.on).filter((c) => c.kind === 'binary' && c.op === 'or');
  if (!ors.length) return node;
  const left = new Set(schemaOf(node.left, ctx.catalog).map((f) => f.name));
  const right = new Set(schemaOf(node.right, ctx.catalog).map((f) => f.name));
  const toLeft = can.left ? ors.flatMap((o) => sideConjuncts(o, left, right)) : [];
  const toRight = can.right ? ors.flatMap((o) => sideConjuncts(o, right, left)) : [];
  if (!toLeft.length && !toRight.length) return node;
  return {
    ...node,
    left: toLeft.length ? filter(node.left, andAll(toLeft)) : node.left,
    right: toRight.length ? filter(node.right, andAll(toRight)) : node.right,
  };
}

export const joinDisjunctionFilters: Rule = {
  name: 'join_disjunction_filters',
  apply(root, ctx) {
    return transformPlan(root, (n) => (n.kind === 'Join' ? deriveSides(n, ctx) : n));
  },
};
