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
 * The left rows read are those of the left side's exchange, or of the stage it only filters
 * (keySourceStage: a superset of its keys, known a round sooner). TPC-H Q21: the ~75 K line items
 * of late Saudi suppliers' orders reduce both lineitem copies of its EXISTS / NOT EXISTS (6 M and
 * 3.8 M rows, shuffled whole) to their orders' line items, both in one round.
 * Rule semi_join_reduction does this before planning when the left side's keys are estimated
 * small; this rule lets the left side's real size decide. The left side is planned first, so
 * stage ids stay in dependency order.
 */
import type { Expr } from '../../expr.js';
import { transformExpr, walkExpr } from '../../expr.js';
import type { Fragment } from '../../physical.js';
import type { PlanNode } from '../../plan.js';
import { type Partitioning, partitionCount, type Stage } from '../../stages.js';
import type { PhysicalRule, RuleContext } from '../rule.js';
import { adaptiveBytes, NEAR_THRESHOLD_FACTOR, uncertainSize } from './adaptive_broadcast.js';
import {
  DEFAULT_BROADCAST_THRESHOLD,
  estimateBytes,
  estimateJoinedBytes,
  fitsBroadcast,
} from './broadcast_selection.js';
import { pure, uniqueNames } from './runtime_filter.js';

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

/**
 * The stage whose output holds every key the left side can yield, and fewer rows: the left side's
 * own exchange, or — when the left side only drops rows of one hash-shuffled stage, keeping its key
 * columns (filters, semi and anti joins, projections passing them through) — that stage, which
 * runs a round sooner (TPC-H Q21: the NOT EXISTS copy is reduced by the late Saudi line items, as
 * the EXISTS copy is, not by the EXISTS join's output, so both copies are scanned in one round).
 * Never a stage that may be skipped (an adaptive join's deferred side) or an adaptive join's stage.
 */
export function keySourceStage(
  stages: readonly Stage[],
  left: Fragment,
  keys: readonly Expr[],
  exchange: number,
): { stage: number; partitions: number } {
  const own = stages[exchange]!;
  const whole = {
    stage: exchange,
    partitions: partitionCount((own.output as { partitioning: Partitioning }).partitioning),
  };
  const src = left.source;
  if (left.adaptive || left.sort || src.kind !== 'shuffle' || src.stages.length !== 1) return whole;
  if (!keys.every((k) => k.kind === 'col' && k.index === undefined)) return whole;
  const names = keys.map((k) => (k as { name: string }).name);
  let live = new Set(names);
  for (const op of left.ops) {
    if (op.op === 'Filter' && pure(op.predicate)) continue;
    if (op.op === 'HashJoin' && (op.type === 'left_semi' || op.type === 'left_anti')) continue;
    if (op.op === 'Project') {
      live = new Set(
        op.exprs.flatMap((e, i) =>
          e.kind === 'col' && e.index === undefined && e.name === op.schema[i]!.name && live.has(e.name)
            ? [e.name]
            : [],
        ),
      );
      continue;
    }
    return whole;
  }
  const from = stages[src.stages[0]!]!;
  const fromNames = uniqueNames(from.schema.map((f) => f.name));
  const deferred = stages.some(
    (s) => s.adaptive?.kind === 'join' && s.adaptive.deferredStage === from.id && s.id !== from.id,
  );
  if (
    names.some((n) => !live.has(n) || !fromNames.has(n)) ||
    deferred ||
    from.adaptive?.kind === 'sort' ||
    from.output.kind !== 'shuffle' ||
    from.output.partitioning.kind !== 'hash'
  )
    return whole;
  return { stage: from.id, partitions: from.output.partitioning.n };
}
