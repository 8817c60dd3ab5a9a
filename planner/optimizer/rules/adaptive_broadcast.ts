/**
 * adaptive_broadcast: a shuffled join one of whose sides has a size the planner cannot know —
 * it passes a filter over an aggregate (HAVING) or a semi/anti join — while the other side is
 * read straight from files, gets a broadcast form (`Stage.adaptive`, planner/stages.ts). The file
 * side waits for the uncertain side; when that side's shuffle output turns out small, the driver
 * broadcasts it into the file side's scan and the file side is never shuffled (TPC-H Q18: the 57
 * big orders are broadcast into the lineitem scan instead of shuffling 6 M lineitem rows). A
 * side estimated over the broadcast threshold but within NEAR_THRESHOLD_FACTOR of it (or whose
 * unfiltered input passes broadcast_selection's hard cap) is uncertain too: its real size decides
 * (TPC-H Q5 at SF 10: a year of orders, estimated just over 10 MB, is broadcast into the lineitem
 * scan). A side's estimate counts the inner joins with broadcast dimensions in it
 * (estimateJoinedBytes: TPC-H Q3 at SF 10, orders read at an estimated 70 MB but joined with one
 * market segment's customers, writes 29 MB and is broadcast into the lineitem scan, which is then
 * never shuffled). The side is broadcast only when its real shuffle output is at most the
 * threshold (an uncertain side) or NEAR_THRESHOLD_FACTOR times it (a near side: 40 MiB by default;
 * Q5's year of orders writes ~18 MB at SF 10): each task of the file side loads at most that much
 * more. A choice of the physical planner (physicalJoin.ts); the driver decides at run time
 * (scheduler.ts).
 */
import type { PlanNode } from '../../plan.js';
import { planChildren } from '../../plan.js';
import type { PhysicalRule, RuleContext } from '../rule.js';
import {
  DEFAULT_BROADCAST_THRESHOLD,
  estimateBytes,
  estimateJoinedBytes,
  fitsBroadcast,
} from './broadcast_selection.js';

/** A side estimated at most this many times the threshold is broadcast if its output proves at most as much. */
export const NEAR_THRESHOLD_FACTOR = 4;
/** … when the side it is broadcast into is estimated at least this many times bigger. */
const NEAR_PROBE_FACTOR = 8;

export const adaptiveBroadcast = {
  name: 'adaptive_broadcast',
  phase: 'plan',
  description: 'broadcast a join side once its stage ran and proved small, instead of shuffling the other side',
} as const satisfies PhysicalRule;

/** Whether the rows a subtree yields are beyond the planner's estimates (a HAVING filter, a semi/anti join). */
export function uncertainSize(node: PlanNode): boolean {
  const overAggregate = (n: PlanNode): boolean =>
    n.kind === 'Aggregate' || (n.kind === 'Project' && overAggregate(n.input));
  if (node.kind === 'Filter' && overAggregate(node.input)) return true;
  if (node.kind === 'Join' && (node.type === 'left_semi' || node.type === 'left_anti')) return true;
  return planChildren(node).some(uncertainSize);
}

/**
 * The most shuffle output (bytes) a join side may prove to have and still be broadcast, or 0
 * when its size is not left to run time: the threshold for a side beyond the estimates;
 * NEAR_THRESHOLD_FACTOR times it for a side estimated not far over the threshold (or read over it
 * but reduced by its joins) while the file side it would be broadcast into is estimated far bigger (every task of that side builds the
 * broadcast side's hash table: worth it only against a big probe).
 */
export function adaptiveBytes(side: PlanNode, fileSide: PlanNode, ctx: RuleContext): number {
  const threshold = ctx.broadcastThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
  if (uncertainSize(side)) return threshold;
  if (fitsBroadcast(estimateBytes(side, ctx), ctx)) return 0;
  // What the join's sides would shuffle: reduced by the dimensions they are joined with.
  const e = estimateJoinedBytes(side, ctx).estimate;
  if (e > NEAR_THRESHOLD_FACTOR * threshold) return 0;
  return estimateJoinedBytes(fileSide, ctx).estimate >= NEAR_PROBE_FACTOR * e ? NEAR_THRESHOLD_FACTOR * threshold : 0;
}
