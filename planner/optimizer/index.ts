/**
 * The optimizer: runs the rules in order, each to a fixpoint over the tree, and checks after
 * every rule that the plan's output schema did not change (naming the rule when it did).
 * Rules can be switched off by name.
 */
import { schemaOf, type Catalog } from '../analyzer.js';
import { InternalError, PlanError } from '../errors.js';
import type { PlanNode } from '../plan.js';
import { transformPlan } from '../plan.js';
import { PHYSICAL_RULES } from './physicalRules.js';
import type { Rule, RuleContext } from './rule.js';
import { aggregateOfGroups } from './rules/aggregate_of_groups.js';
import { broadcastSelection } from './rules/broadcast_selection.js';
import { constantFolding } from './rules/constant_folding.js';
import { joinConditionPushdown } from './rules/join_condition_pushdown.js';
import { joinAggregateWindow } from './rules/join_aggregate_window.js';
import { joinDisjunctionFilters } from './rules/join_disjunction_filters.js';
import { joinReorder } from './rules/join_reorder.js';
import { predicatePushdown } from './rules/predicate_pushdown.js';
import { projectionPushdown } from './rules/projection_pushdown.js';
import { semiJoinPushdown } from './rules/semi_join_pushdown.js';
import { semiJoinReduction } from './rules/semi_join_reduction.js';

/**
 * In order. predicate_pushdown runs twice: first to move filters into join conditions, then to
 * move the filters join_condition_pushdown and join_disjunction_filters take out of or derive
 * from those conditions into the scans.
 */
export const RULES: readonly Rule[] = [
  constantFolding,
  aggregateOfGroups,
  predicatePushdown,
  joinAggregateWindow,
  joinConditionPushdown,
  joinDisjunctionFilters,
  predicatePushdown,
  semiJoinPushdown,
  joinReorder,
  projectionPushdown,
  semiJoinReduction,
  broadcastSelection,
];

/** Every rule that can be switched off by name: the logical rules, then the physical ones. */
const RULE_NAMES: readonly string[] = [...new Set([...RULES.map((r) => r.name), ...PHYSICAL_RULES.map((r) => r.name)])];

/** Names switched off must name rules (a typo would silently switch nothing off). */
export function checkRuleNames(disabledRules: readonly string[] = []): void {
  const unknown = disabledRules.filter((n) => !RULE_NAMES.includes(n));
  if (unknown.length)
    throw new PlanError(
      'UNKNOWN_RULE',
      `unknown optimizer rule(s) ${unknown.join(', ')}; rules are ${RULE_NAMES.join(', ')}`,
      { rules: unknown, validRules: RULE_NAMES },
    );
}

export interface OptimizeOptions {
  /** Names of rules to skip. */
  readonly disabledRules?: readonly string[];
  readonly columnBytes?: RuleContext['columnBytes'];
  readonly columnRanges?: RuleContext['columnRanges'];
  readonly broadcastThreshold?: number;
}

function applyRule(rule: Rule, root: PlanNode, ctx: RuleContext): PlanNode {
  if (rule.apply) return rule.apply(root, ctx);
  let current = root;
  for (let i = 0; i < 32; i++) {
    const next = transformPlan(current, (n) => rule.rewrite!(n, ctx));
    if (sameJson(next, current)) return next;
    current = next;
  }
  return current;
}

/**
 * Whether two plans serialize to the same JSON, without serializing them: subtrees a rewrite
 * kept are the same objects, and a difference ends the walk.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || hasToJson(a) || hasToJson(b))
    return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], y[i])) return false;
    return true;
  }
  // Key order matters to JSON.stringify: the keys with defined values, in order.
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) =>
    Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function');
  const kx = keys(x);
  const ky = keys(y);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i] || !sameJson(x[kx[i]!], y[kx[i]!])) return false;
  return true;
}

const hasToJson = (o: object) => typeof (o as { toJSON?: unknown }).toJSON === 'function';

export function optimize(
  root: PlanNode,
  catalog: Catalog,
  opts: OptimizeOptions = {},
  rules: readonly Rule[] = RULES,
): PlanNode {
  checkRuleNames(opts.disabledRules);
  const ctx: RuleContext = {
    catalog,
    columnBytes: opts.columnBytes,
    columnRanges: opts.columnRanges,
    broadcastThreshold: opts.broadcastThreshold,
  };
  const before = JSON.stringify(schemaOf(root, catalog));
  let plan = root;
  for (const rule of rules) {
    if (opts.disabledRules?.includes(rule.name)) continue;
    plan = applyRule(rule, plan, ctx);
    const after = JSON.stringify(schemaOf(plan, catalog));
    if (after !== before)
      throw new InternalError(
        'RULE_CHANGED_SCHEMA',
        `optimizer rule '${rule.name}' changed the plan's schema from ${before} to ${after}`,
        { rule: rule.name },
      );
  }
  return plan;
}
