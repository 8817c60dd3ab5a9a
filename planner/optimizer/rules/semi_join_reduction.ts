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
import { binary, col, referencedColumns } from '../../expr.js';
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
      const has = (n: PlanNode) => {
        const names = new Set(schemaOf(n, ctx.catalog).map((f) => f.name));
        return [...keys].every((k) => names.has(k));
      };
      if (has(node.left)) {
        const input = keySource(node.left, keys, ctx);
        // A semi join over an unchanged input only narrows it: keep the narrowing (Q20's parts).
        return node.type === 'left_semi' && input === node.left ? node : input;
      }
      // ... and an inner join's rows carry right-side values the right side has (Q17's parts).
      return (node.type === 'inner' || node.type === 'cross') && has(node.right)
        ? keySource(node.right, keys, ctx)
        : null;
    }
    default:
      return null;
  }
}

/** Whether a plan drops rows somewhere (a filter, a scan's filters, a semi join). */
export function filtered(n: PlanNode): boolean {
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

/**
 * An inner join of an aggregate on its grouping columns: the aggregate's input is first reduced by
 * the other side's keys (a group whose keys the other side lacks joins nothing, and a group's
 * rows are kept or dropped together). TPC-H Q17: the per-part averages are computed for the
 * ~200 parts of one brand and container, not all 200 K; Q20: the per-(part, supplier) sums for
 * the forest parts' suppliers only.
 */
function reduceAggregate(node: PlanNode & { kind: 'Join' }, ctx: RuleContext): PlanNode {
  if (node.type !== 'inner' || node.hint !== null || !node.on) return node;
  for (const side of ['left', 'right'] as const) {
    const agg = node[side];
    const other = node[side === 'left' ? 'right' : 'left'];
    if (agg.kind !== 'Aggregate') continue;
    const as = schemaOf(agg, ctx.catalog);
    const os = schemaOf(other, ctx.catalog);
    const { leftKeys: aggKeys, rightKeys: otherKeys } = splitJoinCondition(node.on, as, os);
    // The input column each aggregate-side key groups by (a grouping key `c` or `c AS k`).
    const inputCol = (k: Expr): string | null => {
      if (k.kind !== 'col' || k.index !== undefined) return null;
      for (const g of agg.keys) {
        if (g.kind === 'col' && g.index === undefined && g.name === k.name) return g.name;
        if (g.kind === 'alias' && g.name === k.name && g.input.kind === 'col' && g.input.index === undefined)
          return g.input.name;
      }
      return null;
    };
    const pairs = aggKeys.flatMap((k, i) => {
      const c = inputCol(k);
      const o = otherKeys[i]!;
      return c !== null && o.kind === 'col' && o.index === undefined ? [{ c, o, name: o.name }] : [];
    });
    if (!pairs.length) continue;
    // The semi join's two sides must not share a key name.
    const inputNames = new Set(schemaOf(agg.input, ctx.catalog).map((f) => f.name));
    if (pairs.some((p) => inputNames.has(p.name))) continue;
    const names = new Set(pairs.map((p) => p.name));
    const source = keySource(other, names, ctx);
    if (!source || !filtered(source)) continue;
    // The other side itself when it is the source: planned alike, its stage is shared (reuse_exchange).
    const under = source.kind === 'Project' && source.exprs.every(plain) ? source.input : source;
    const keys =
      source === other
        ? other
        : prune(
            project(
              under,
              pairs.map((p) => p.o),
            ),
            null,
            ctx,
          );
    // Worth a semi join when the keys are small (broadcast) and the aggregate reads more than that
    // before its filters (a year of Q20's line items is estimated under it, yet scanned whole).
    const { raw } = estimateBytes(agg.input, ctx);
    if (!fitsBroadcast(estimateBytes(keys, ctx), ctx) || fitsBroadcast({ estimate: raw, raw }, ctx)) continue;
    const on = andAll(pairs.map((p) => binary('=', col(p.c), p.o)));
    const reduced = { ...agg, input: join(agg.input, keys, 'left_semi', on) };
    return { ...node, [side]: reduced };
  }
  return node;
}

export const semiJoinReduction: Rule = {
  name: 'semi_join_reduction',
  apply(root, ctx) {
    return transformPlan(root, (n) => {
      const r = n.kind === 'Join' ? reduce(n, ctx) : n;
      return r.kind === 'Join' ? reduceAggregate(r, ctx) : r;
    });
  },
};
