/**
 * adaptive_broadcast: a shuffled join one of whose sides has a size the planner cannot know —
 * it passes a filter over an aggregate (HAVING) or a semi/anti join — while the other side is
 * read straight from files, gets a broadcast form (`Stage.adaptive`, planner/stages.ts). The file
 * side waits for the uncertain side; when that side's shuffle output turns out small, the driver
 * broadcasts it into the file side's scan and the file side is never shuffled (TPC-H Q18: the 57
 * big orders are broadcast into the lineitem scan instead of shuffling 6 M lineitem rows). A
 * choice of the physical planner (physicalJoin.ts); the driver decides at run time (scheduler.ts).
 */
import type { PlanNode } from '../../plan.js';
import { planChildren } from '../../plan.js';
import type { PhysicalRule } from '../rule.js';

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
