/**
 * partial_aggregation: aggregate inside each map task before the hash shuffle (partial →
 * shuffle → final), so the shuffle carries one row per group per task instead of every row.
 * A choice of the physical planner; when disabled, or when some call has no partial state in the
 * aggregate registry (count(DISTINCT)), raw rows are shuffled and aggregated once.
 */
import type { PhysicalRule } from '../rule.js';

export const partialAggregation = {
  name: 'partial_aggregation',
  phase: 'plan',
  description: 'aggregate in each map task before the shuffle (partial → final)',
} as const satisfies PhysicalRule;
