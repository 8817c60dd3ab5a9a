/**
 * The registry of physical rules: every rule that acts while the optimized plan becomes stages
 * and tasks, by name. Switched off by name with the same `disabledRules` option as the logical
 * rules (optimizer/index.ts), and listed by explain.
 */
import type { Stage } from '../stages.js';
import type { PhysicalRule } from './rule.js';
import { adaptiveBroadcast } from './rules/adaptive_broadcast.js';
import { adaptiveSemiJoinReduction } from './rules/adaptive_semi_join_reduction.js';
import { adaptiveSort } from './rules/adaptive_sort.js';
import { aggregateScanFilters } from './rules/aggregate_scan_filters.js';
import { inlineBroadcastScans } from './rules/inline_broadcast_scans.js';
import { partialAggregation } from './rules/partial_aggregation.js';
import { reuseExchange } from './rules/reuse_exchange.js';
import { rowGroupPruning } from './rules/row_group_pruning.js';
import { runtimeFilter } from './rules/runtime_filter.js';

/** In the order they apply (stage rewrites run in this order). */
export const PHYSICAL_RULES = [
  partialAggregation,
  adaptiveBroadcast,
  adaptiveSemiJoinReduction,
  adaptiveSort,
  aggregateScanFilters,
  reuseExchange,
  rowGroupPruning,
  inlineBroadcastScans,
  runtimeFilter,
] as const satisfies readonly PhysicalRule[];

export type PhysicalRuleName = (typeof PHYSICAL_RULES)[number]['name'];

/** Whether a physical rule runs, given the names switched off. */
export function physicalRuleOn(name: PhysicalRuleName, disabledRules: readonly string[] = []): boolean {
  return !disabledRules.includes(name);
}

/** The stage-rewriting rules that run, in order. */
export function stageRules(disabledRules: readonly string[] = []): ((stage: Stage) => Stage)[] {
  return PHYSICAL_RULES.flatMap((r: PhysicalRule) =>
    r.phase === 'stage' && !disabledRules.includes(r.name) ? [r.rewriteStage] : [],
  );
}
