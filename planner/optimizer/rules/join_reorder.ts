/**
 * join_reorder: in a tree of inner joins, a small filtered input (a dimension whose scan keeps
 * few rows, estimated as broadcast_selection does) whose equality conditions all reach one other
 * input is joined to that input first, so the reduction happens before the big joins instead of
 * after them. TPC-H Q7: the two nations, filtered to FRANCE and GERMANY, are joined to supplier
 * and to customer before lineitem meets them, so 92% of the lineitem rows drop at the first join
 * instead of at the last. The other inputs keep their order (left-deep, each condition at the
 * first join where its columns are all there) and a projection restores the column order.
 * An input whose equalities reach several inputs joins the biggest of them first (TPC-H Q10: the
 * quarter's orders meet lineitem before customer), when it is clearly the biggest.
 * Trees with hints, repeated column names or a step without an equality are left as they are.
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { binary, col, referencedColumns } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import { join, planChildren, project, withPlanChildren } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';
import { DEFAULT_BROADCAST_THRESHOLD, estimateBytes } from './broadcast_selection.js';
import { conjuncts } from './predicate_pushdown.js';

type InnerJoin = PlanNode & { kind: 'Join' };

const isInner = (n: PlanNode): n is InnerJoin => n.kind === 'Join' && n.type === 'inner' && n.on !== null;

/** The inputs and conditions of a maximal tree of inner joins, inputs left to right. */
function flatten(n: PlanNode, leaves: PlanNode[], conds: Expr[]): boolean {
  if (!isInner(n)) {
    leaves.push(n);
    return true;
  }
  if (n.hint !== null) return false;
  conds.push(...conjuncts(n.on!));
  return flatten(n.left, leaves, conds) && flatten(n.right, leaves, conds);
}

const andAll = (es: readonly Expr[]): Expr | null => (es.length ? es.reduce((a, b) => binary('and', a, b)) : null);

/** Whether an input reads filtered rows (a filter in it, or a scan with pushed-down filters). */
function filtered(n: PlanNode): boolean {
  if (n.kind === 'Filter' || (n.kind === 'Scan' && n.filters.length > 0)) return true;
  return planChildren(n).some(filtered);
}

function reorderTree(root: InnerJoin, ctx: RuleContext): PlanNode {
  const leaves: PlanNode[] = [];
  const pool: Expr[] = [];
  if (!flatten(root, leaves, pool) || leaves.length < 3) return root;
  const names = leaves.map((l) => schemaOf(l, ctx.catalog).map((f) => f.name));
  const all = names.flat();
  if (new Set(all).size !== all.length) return root;
  // group[i]: the input that now holds original input i (a small input joins its target's).
  const group = leaves.map((_, i) => i);
  const owner = (c: string) => group[names.findIndex((ns) => ns.includes(c))]!;
  const leavesOf = (e: Expr) => new Set([...referencedColumns(e)].map(owner));
  const threshold = ctx.broadcastThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
  // Attach each small filtered input to the one input its equalities reach.
  const inputs: (PlanNode | null)[] = [...leaves];
  const cols = names.map((ns) => new Set(ns));
  let moved = false;
  for (let d = 0; d < leaves.length; d++) {
    const dim = leaves[d]!;
    // Only an input as it came (nothing attached to it, not attached itself).
    if (inputs[d] !== dim || group.some((g, i) => g === d && i !== d)) continue;
    if (!filtered(dim) || estimateBytes(dim, ctx).estimate > threshold) continue;
    const mine = pool.filter((e) => leavesOf(e).has(d));
    const equalities = mine.filter((e) => e.kind === 'binary' && e.op === '=' && leavesOf(e).size === 2);
    const targets = new Set(equalities.flatMap((e) => [...leavesOf(e)].filter((i) => i !== d)));
    if (!targets.size) continue;
    // Reaching several inputs, it reduces the biggest first (TPC-H Q10: the quarter's orders
    // meet lineitem before customer); the equalities to the others stay for later joins.
    const size = (i: number) => estimateBytes(inputs[i]!, ctx).raw;
    const byBig = [...targets].sort((a, b) => size(b) - size(a));
    if (byBig.length > 1 && !(size(byBig[0]!) > 2 * size(byBig[1]!))) continue;
    const x = byBig[0]!;
    if (Math.max(x, d) === 1) continue; // the first two inputs already meet first
    const onTarget = equalities.filter((e) => leavesOf(e).has(x));
    inputs[x] = join(inputs[x]!, dim, 'inner', andAll(onTarget));
    for (const c of cols[d]!) cols[x]!.add(c);
    inputs[d] = null;
    group[d] = x;
    for (const e of onTarget) pool.splice(pool.indexOf(e), 1);
    moved = true;
  }
  if (!moved) return root;
  // Left-deep in the remaining order; each condition at the first join that has its columns.
  const rest = inputs.flatMap((n, i) => (n ? [{ n, cols: cols[i]! }] : []));
  let acc = rest[0]!.n;
  const have = new Set(rest[0]!.cols);
  for (const { n, cols: c } of rest.slice(1)) {
    for (const x of c) have.add(x);
    const here = pool.filter((e) => [...referencedColumns(e)].every((r) => have.has(r)));
    if (!here.some((e) => e.kind === 'binary' && e.op === '=')) return root;
    for (const e of here) pool.splice(pool.indexOf(e), 1);
    acc = join(acc, n, 'inner', andAll(here));
  }
  if (pool.length) return root;
  return project(
    acc,
    all.map((c) => col(c)),
  );
}

export const joinReorder: Rule = {
  name: 'join_reorder',
  apply(root, ctx) {
    // Top-down: a tree of inner joins is reordered whole; its inputs are visited on their own.
    const visit = (n: PlanNode): PlanNode => {
      if (isInner(n)) {
        const leaves: PlanNode[] = [];
        if (flatten(n, leaves, [])) {
          const done = reorderTree(n, ctx);
          if (done !== n) return transformInputs(done, new Set(leaves), visit);
        }
      }
      return transformChildren(n, visit);
    };
    return visit(root);
  },
};

/** Visit the direct children of a node. */
function transformChildren(n: PlanNode, f: (p: PlanNode) => PlanNode): PlanNode {
  const kids = planChildren(n);
  const mapped = kids.map(f);
  return mapped.every((m, k) => m === kids[k]) ? n : withPlanChildren(n, mapped);
}

/** Visit the original inputs wherever they ended up in a reordered tree. */
function transformInputs(n: PlanNode, inputs: ReadonlySet<PlanNode>, f: (p: PlanNode) => PlanNode): PlanNode {
  if (inputs.has(n)) return f(n);
  const kids = planChildren(n);
  return kids.length
    ? withPlanChildren(
        n,
        kids.map((k) => transformInputs(k, inputs, f)),
      )
    : n;
}
