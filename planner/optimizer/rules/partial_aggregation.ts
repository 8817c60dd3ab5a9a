/**
 * partial_aggregation: aggregate inside each map task before the hash shuffle (partial →
 * shuffle → final), so the shuffle carries one row per group per task instead of every row.
 * Applied by the physical planner; when disabled, raw rows are shuffled and aggregated once.
 * count(DISTINCT) always aggregates in one phase.
 */
import type { AggCall } from '../../stages.js';

export const PARTIAL_AGGREGATION = 'partial_aggregation';

export function usePartialAggregation(calls: readonly AggCall[], disabledRules: readonly string[]): boolean {
  return !disabledRules.includes(PARTIAL_AGGREGATION) && !calls.some((c) => c.fn === 'count_distinct');
}
