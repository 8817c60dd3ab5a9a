/**
 * The optimizer rule interface. A rule rewrites one plan node that matches its pattern; the
 * optimizer owns the recursion (bottom-up over the tree) and checks the output schema after
 * each rule.
 */
import type { Catalog } from '../analyzer.js';
import type { PlanNode } from '../plan.js';

export interface RuleContext {
  readonly catalog: Catalog;
  /** Compressed bytes per column of each dataset (for size-based decisions). */
  readonly columnBytes?: ReadonlyMap<string, Readonly<Record<string, number>>>;
  readonly broadcastThreshold?: number;
  /** Numeric min/max per column of each dataset (for selectivity estimates). */
  readonly columnRanges?: ReadonlyMap<string, Readonly<Record<string, { min: number; max: number }>>>;
}

export interface Rule {
  readonly name: string;
  /** Rewrite a node (its children already rewritten), or return it unchanged. */
  readonly rewrite?: (node: PlanNode, ctx: RuleContext) => PlanNode;
  /** Whole-tree rules (top-down information such as required columns). */
  readonly apply?: (root: PlanNode, ctx: RuleContext) => PlanNode;
}
