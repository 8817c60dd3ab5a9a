/**
 * The text of `explain()`: the rules, and the logical, optimized and staged plans of the driver's own planning
 * function (`planQuery`), one node per line — the staged plan shown is the plan that runs. A
 * cached relation no job has written yet (`df.cache()` before an action) is listed first, as
 * Spark's InMemoryRelation over its plan: the plans below compute it, and the next action writes
 * it; once written, the plans show its ArrowScan instead.
 */
import { explainLogical, explainRules, explainStages } from '../../../planner/explain.js';
import type { QueryPlan } from '../../runtime/planJob.js';
import type { PendingCache } from '../cache.js';

/** @example explainText(await session.plan(df.plan), session.pendingCaches(df.plan)) */
export function explainText(q: QueryPlan, pending: readonly PendingCache[] = []): string {
  const cached = pending.length
    ? [
        '== Cached Relations ==',
        ...pending.map(
          (c) =>
            `InMemoryRelation (not yet materialized; the next action writes it, later ones read it): level=${c.level} path=${c.path}\n${explainLogical(c.plan, 1)}`,
        ),
      ]
    : [];
  return [
    ...cached,
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
