/**
 * The rule interfaces. A logical rule rewrites one plan node that matches its pattern; the
 * optimizer owns the recursion (bottom-up over the tree) and checks the output schema after
 * each rule. A physical rule acts while the plan becomes stages and tasks; it is named and
 * switched off by name like a logical one.
 */
import type { Catalog } from '../analyzer.js';
import type { PlanNode } from '../plan.js';
import type { Stage } from '../stages.js';

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

/**
 * A physical rule. `plan` rules are a choice the physical planner makes at one place
 * (physical.ts asks `rules.on(name)`); `stage` rules rewrite every planned stage, in registry
 * order; `tasks` rules act when scans are split into tasks.
 */
export type PhysicalRule =
  | { readonly name: string; readonly phase: 'plan' | 'tasks'; readonly description: string }
  | {
      readonly name: string;
      readonly phase: 'stage';
      readonly description: string;
      readonly rewriteStage: (stage: Stage) => Stage;
    };
