/**
 * adaptive_semi_join_reduction: a shuffled semi or anti join whose right side is a big file scan
 * (filters and projections over a scan) and whose left side may prove small — it passes a semi
 * join or a HAVING filter, or its estimate with its joins counted is at most the bound — gets a
 * reduced form of the right side's stage (`Stage.adaptive` deferred on itself, planner/stages.ts):
 * the right scan waits for the left side's stage, and when that wrote at most `maxBytes`, the scan
 * first semi-joins its rows with every row of the left side's shuffle output, broadcast (a right
 * row whose keys no left row has can match nothing, so dropping it changes neither a semi nor an
 * anti join, residual or not; a null key matches nothing either way). The join itself is
 * unchanged. The reducing join probes with the scan's own columns, so rule runtime_filter looks
 * the keys up in the scan (and buildRanges.ts narrows the left rows to each task's key range).
 * TPC-H Q21: the ~75 K line items of late Saudi suppliers' orders reduce the two lineitem copies
 * of its EXISTS / NOT EXISTS (6 M and 3.8 M rows, shuffled whole) to their orders' line items.
 * Rule semi_join_reduction does this before planning when the left side's keys are estimated
 * small; this rule lets the left side's real size decide. The left side is planned first, so
 * stage ids stay in dependency order.
 */
import type { Expr } from '../../expr.js';
import { transformExpr, walkExpr } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import type { PhysicalRule, RuleContext } from '../rule.js';
import { adaptiveBytes, NEAR_THRESHOLD_FACTOR, uncertainSize } from './adaptive_broadcast.js';
import {
  DEFAULT_BROADCAST_THRESHOLD,
  estimateBytes,
  estimateJoinedBytes,
  fitsBroadcast,
} from './broadcast_selection.js';
import { pure } from './runtime_filter.js';

export const adaptiveSemiJoinReduction = {
  name: 'adaptive_semi_join_reduction',
  phase: 'plan',
  description: "reduce a semi or anti join's right scan by the left side's keys once the left side proved small",
} as const satisfies PhysicalRule;

/** Whether an expression reads a column by position (it would not resolve in another schema). */
function pinned(e: Expr): boolean {
  let pin = false;
  walkExpr(e, (x) => {
    if (x.kind === 'col' && x.index !== undefined) pin = true;
  });
  return pin;
}

/**
 * The right side's join keys computed from its scan's columns (through its projections), or null
 * when the side is not filters and projections over one file scan or a key is not a pure function
 * of the scan's columns.
 */
export function scanKeys(side: PlanNode, keys: readonly Expr[]): Expr[] | null {
  if (keys.some((k) => !pure(k) || pinned(k))) return null;
  switch (side.kind) {
    case 'Scan':
      return side.format === 'arrow' || side.text ? null : [...keys];
    case 'Filter':
      return scanKeys(side.input, keys);
    case 'Project': {
      const by = new Map<string, Expr>();
      const seen = new Set<string>();
      for (const e of side.exprs) {
        const name = e.kind === 'alias' ? e.name : e.kind === 'col' ? e.name : null;
        if (name === null) continue;
        // A name projected twice resolves to neither.
        if (seen.has(name)) by.delete(name);
        else by.set(name, e.kind === 'alias' ? e.input : e);
        seen.add(name);
      }
      let ok = true;
      const under = keys.map((k) =>
        transformExpr(k, (x) => {
          if (x.kind !== 'col') return x;
          const e = by.get(x.name);
          if (!e) ok = false;
          return e ?? x;
        }),
      );
      return ok ? scanKeys(side.input, under) : null;
    }
    default:
      return null;
  }
}

/**
 * The most shuffle output (bytes) the left side of a semi or anti join may prove to have for its
 * right side to be reduced by it, or 0 when the form is not planned: the right side is not a big
 * file scan (one estimated under the broadcast threshold is cheap to shuffle), adaptive_broadcast
 * plans its own form for the join, or the left side is estimated too big to be worth waiting for.
 * At most NEAR_THRESHOLD_FACTOR times the threshold (every task of the right side reads that much
 * more), and at most what the right side is estimated to read.
 */
export function reductionBytes(left: PlanNode, right: PlanNode, ctx: RuleContext): number {
  const threshold = ctx.broadcastThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
  if (threshold <= 0) return 0;
  const r = estimateBytes(right, ctx);
  if (!Number.isFinite(r.estimate) || fitsBroadcast(r, ctx) || adaptiveBytes(right, left, ctx) > 0) return 0;
  const maxBytes = Math.min(NEAR_THRESHOLD_FACTOR * threshold, Math.floor(r.estimate));
  if (uncertainSize(left)) return maxBytes;
  return estimateJoinedBytes(left, ctx).estimate <= maxBytes ? maxBytes : 0;
}
