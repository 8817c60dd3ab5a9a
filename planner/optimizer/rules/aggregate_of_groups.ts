/**
 * aggregate_of_groups: a join of a grouped aggregate with a global (one-row) aggregate of the
 * same rows computes the global one from the groups: the sum (min, max) of all rows is the sum
 * (min, max) of the groups' sums (mins, maxes). Both sides then hold the same grouped aggregate,
 * planned as the same stages, which run once (reuse_exchange). TPC-H Q11: the German stock's
 * total value (the HAVING threshold) is the sum of the per-part values, so partsupp is scanned
 * and joined to the German suppliers once, not twice.
 *
 * A global call qualifies when the grouped side computes the same call as one of its outputs
 * (`sum(x) AS value`); the global side then reads that output (`sum(value)`). Sums of no groups
 * and of no rows are both null, and so are their mins and maxes.
 */
import { agg, col, transformExpr, walkExpr, type Expr } from '../../expr.js';
import { aggregate, type PlanNode, type PlanOf } from '../../plan.js';
import type { Rule } from '../rule.js';

/** Aggregates whose value over all rows is the same aggregate over the groups' values. */
const OF_GROUPS: ReadonlySet<string> = new Set(['sum', 'min', 'max']);

/** The global aggregate computed from the grouped one's outputs, or null when a call cannot be. */
function ofGroups(global: PlanOf<'Aggregate'>, grouped: PlanOf<'Aggregate'>): PlanNode | null {
  if (global.keys.length || !grouped.keys.length) return null;
  if (JSON.stringify(global.input) !== JSON.stringify(grouped.input)) return null;
  // The grouped side's outputs that are a bare call: the call's text -> the output's name.
  const outputs = new Map<string, string>();
  for (const a of grouped.aggs)
    if (a.kind === 'alias' && a.input.kind === 'agg') outputs.set(JSON.stringify(a.input), a.name);
  let ok = true;
  const aggs = global.aggs.map((e) =>
    transformExpr(e, (x) => {
      if (x.kind !== 'agg') return x;
      const name = outputs.get(JSON.stringify(x));
      if (!OF_GROUPS.has(x.fn) || name === undefined || x.more?.length || x.options) {
        ok = false;
        return x;
      }
      return agg(x.fn, col(name));
    }),
  );
  let nested = false;
  for (const e of global.aggs)
    walkExpr(e, (x) => {
      if (x.kind === 'window' || x.kind === 'udf') nested = true;
    });
  return ok && !nested ? aggregate(grouped, [], aggs as Expr[]) : null;
}

export const aggregateOfGroups: Rule = {
  name: 'aggregate_of_groups',
  rewrite(node) {
    if (node.kind !== 'Join' || node.left.kind !== 'Aggregate' || node.right.kind !== 'Aggregate') return node;
    const right = ofGroups(node.right, node.left);
    if (right) return { ...node, right };
    const left = ofGroups(node.left, node.right);
    return left ? { ...node, left } : node;
  },
};
