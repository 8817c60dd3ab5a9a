/**
 * semi_join_pushdown: a semi or anti join over an inner join whose condition reads (besides its
 * right side's columns) columns of one input of the inner join only moves into that input, when
 * the other input reads unfiltered rows: then the inner join cannot have dropped many of the
 * key side's rows, and the semi join filters them before they are joined and shuffled, not
 * after. TPC-H Q18: the orders of the 57 big order keys are kept before they meet customer, so
 * neither orders nor customer is shuffled whole (the semi join's right side, of a size known only
 * at run time, is broadcast into the orders scan: adaptive_broadcast). A row of the inner join
 * survives the semi (anti) join exactly when its key side's part has (has no) match, so the result
 * is the same. With a filtered other input (TPC-H Q21: one nation's suppliers, the shipped orders)
 * the join stays where it is: there the inner join reduces first.
 */
import { schemaOf } from '../../analyzer.js';
import { referencedColumns } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import type { Rule } from '../rule.js';
import { plain } from './join_disjunction_filters.js';
import { filtered } from './semi_join_reduction.js';

export const semiJoinPushdown: Rule = {
  name: 'semi_join_pushdown',
  rewrite(node, ctx) {
    if (node.kind !== 'Join' || (node.type !== 'left_semi' && node.type !== 'left_anti') || node.hint !== null)
      return node;
    const inner = node.left;
    if (inner.kind !== 'Join' || inner.type !== 'inner' || !node.on || !plain(node.on)) return node;
    const names = (n: PlanNode) => new Set(schemaOf(n, ctx.catalog).map((f) => f.name));
    const [ln, rn, sn] = [names(inner.left), names(inner.right), names(node.right)];
    const used = [...referencedColumns(node.on)].filter((c) => !sn.has(c));
    // A name on both sides of the semi join could resolve to another column once moved.
    if (used.length === 0 || [...ln, ...rn].some((c) => sn.has(c))) return node;
    for (const side of ['left', 'right'] as const) {
      const [mine, theirs] = side === 'left' ? [ln, rn] : [rn, ln];
      const other = inner[side === 'left' ? 'right' : 'left'];
      // Every column read resolves to this side only, and to the same column as before.
      if (!used.every((c) => mine.has(c) && !theirs.has(c))) continue;
      if (filtered(other)) continue;
      return { ...inner, [side]: { ...node, left: inner[side] } };
    }
    return node;
  },
};
