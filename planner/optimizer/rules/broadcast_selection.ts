/**
 * broadcast_selection: a join whose smaller side is estimated under the broadcast threshold
 * (by the compressed bytes of the columns its scans read — an upper bound, as Spark's default
 * estimate) gets a broadcast hint for that side, when the join type allows it.
 */
import { collectScans, type PlanNode } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';

export const DEFAULT_BROADCAST_THRESHOLD = 10 * 1024 * 1024;

/** Upper bound of the bytes a subtree reads. Unknown sizes count as infinite. */
export function estimateBytes(node: PlanNode, ctx: RuleContext): number {
  let total = 0;
  for (const s of collectScans(node)) {
    const cols = ctx.columnBytes?.get(s.path);
    if (!cols) return Infinity;
    const names = s.columns ?? Object.keys(cols);
    total += names.reduce((a, c) => a + (cols[c] ?? 0), 0);
  }
  return total;
}

export const broadcastSelection: Rule = {
  name: 'broadcast_selection',
  rewrite(node, ctx) {
    if (node.kind !== 'Join' || node.hint !== null || node.type === 'full') return node;
    const threshold = ctx.broadcastThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
    const right = estimateBytes(node.right, ctx);
    const left = estimateBytes(node.left, ctx);
    const canRight = node.type !== 'right';
    const canLeft = node.type === 'inner' || node.type === 'right' || node.type === 'cross';
    if (canRight && right <= threshold && (right <= left || !canLeft)) return { ...node, hint: 'right' };
    if (canLeft && left <= threshold) return { ...node, hint: 'left' };
    return node;
  },
};
