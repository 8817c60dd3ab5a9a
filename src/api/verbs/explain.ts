/**
 * The text of `explain()`: the rules, and the logical, optimized and staged plans of the driver's own planning
 * function (`planQuery`), one node per line — the staged plan shown is the plan that runs.
 */
import { explainLogical, explainRules, explainStages } from '../../../planner/explain.js';
import type { QueryPlan } from '../../runtime/planJob.js';

/** @example explainText(await session.plan(df.plan)) */
export function explainText(q: QueryPlan): string {
  return [
    '== Rules ==',
    explainRules(q.disabledRules),
    '== Logical Plan ==',
    explainLogical(q.analyzed),
    '== Optimized Plan ==',
    explainLogical(q.optimized),
    '== Staged Plan ==',
    explainStages(q.plan),
  ].join('\n');
}
