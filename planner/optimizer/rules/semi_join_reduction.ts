/**
 * semi_join_reduction: a semi or anti join whose left side is small (estimated under the
 * broadcast threshold) and whose right side is not would shuffle all of the right side, since
 * only the right side of a semi join can be its build side. The right side is first reduced by
 * a broadcast semi join against the left side's join keys: a right row whose keys no left row
 * has can match nothing, so dropping it changes neither join. TPC-H Q4: the 58 K orders of the
 * quarter are broadcast into the lineitem scan, which then shuffles ~150 K late line items
 * instead of 3.8 M (and the outer join, whose right side is now of uncertain size, may broadcast
 * it back into the orders scan: adaptive_broadcast). The keys come from a copy of the left
 * side, or of a part of it holding every key it can yield (a filter over a join, as TPC-H Q22's
 * balance test, is dropped: a superset of the keys is still a correct reduction). Runs after
 * projection_pushdown (the copy reads only the keys and its filters' columns) and before
 * broadcast_selection (which broadcasts the keys).
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { binary, referencedColumns } from '../../expr.js';
import { splitJoinCondition } from '../../joinkeys.js';
import type { PlanNode } from '../../plan.js';
import { join, planChildren, project, transformPlan } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';
import { estimateBytes, fitsBroadcast } from './broadcast_selection.js';
import { plain } from './join_disjunction_filters.js';
import { prune } from './projection_pushdown.js';

const andAll = (es: readonly Expr[]): Expr => es.reduce((a, b) => binary('and', a, b));

/**
 * A plan yielding every value the columns `keys` take in `node` (perhaps more), from scans,
 * filters and projections only; null when there is none (user code, aggregates, samples …).
 */
function keySource(node: PlanNode, keys: ReadonlySet<string>, ctx: RuleContext): PlanNode | null {
  switch (node.kind) {
    case 'Scan':
      return node;
    case 'Filter': {
      const input = keySource(node.input, keys, ctx);
      if (!input) return null;
      // The filter only narrows: keep it over an unchanged input, drop it over a superset.
      return input === node.input && plain(node.predicate) ? node : input;
    }
    case 'Project': {
      const input = keySource(node.input, keys, ctx);
      return input === node.input && node.exprs.every(plain) ? node : null;
    }
    case 'Join': {
      // Rows of an inner / left / semi / anti join carry left-side values the left side has.
      if (!['inner', 'cross', 'left', 'left_semi', 'left_anti'].includes(node.type)) return null;
      const left = new Set(schemaOf(node.left, ctx.catalog).map((f) => f.name));
      return [...keys].every((k) => left.has(k)) ? keySource(node.left, keys, ctx) : null;
    }
    default:
      return null;
  }
}

/** Whether a plan drops rows somewhere (a filter, a scan's filters, a semi join). */
function filtered(n: PlanNode): boolean {
  if (n.kind === 'Filter' || (n.kind === 'Scan' && n.filters.length > 0)) return true;
  if (n.kind === 'Join' && n.type === 'left_semi') return true;
  return planChildren(n).some(filtered);
}

function reduce(node: PlanNode & { kind: 'Join' }, ctx: RuleContext): PlanNode {
  if ((node.type !== 'left_semi' && node.type !== 'left_anti') || node.hint !== null || !node.on) return node;
  const ls = schemaOf(node.left, ctx.catalog);
  const rs = schemaOf(node.right, ctx.catalog);
  const { leftKeys, rightKeys } = splitJoinCondition(node.on, ls, rs);
  const isCol = (e: Expr) => e.kind === 'col' && e.index === undefined;
  if (!leftKeys.length || !leftKeys.every(isCol) || !rightKeys.every(isCol)) return node;
  const rightNames = new Set(rs.map((f) => f.name));
  const keyNames = new Set(leftKeys.flatMap((k) => [...referencedColumns(k)]));
  if ([...keyNames].some((k) => rightNames.has(k))) return node;
  const source = keySource(node.left, keyNames, ctx);
  // Keys of an unfiltered input (every supplier) would reduce nothing.
  if (!source || !filtered(source)) return node;
  // A projection of plain columns under the keys' projection adds nothing.
  const under = source.kind === 'Project' && source.exprs.every((e) => isCol(e)) ? source.input : source;
  const keys = prune(project(under, leftKeys), null, ctx);
  if (!fitsBroadcast(estimateBytes(keys, ctx), ctx) || fitsBroadcast(estimateBytes(node.right, ctx), ctx)) return node;
  const on = andAll(leftKeys.map((k, i) => binary('=', rightKeys[i]!, k)));
  return { ...node, right: join(node.right, keys, 'left_semi', on) };
}

export const semiJoinReduction: Rule = {
  name: 'semi_join_reduction',
  apply(root, ctx) {
    return transformPlan(root, (n) => (n.kind === 'Join' ? reduce(n, ctx) : n));
  },
};
