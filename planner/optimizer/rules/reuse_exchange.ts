/**
 * reuse_exchange: stages that compute the same rows — the same source, operators and output,
 * reading the same stages — run once, and every reader of the copies reads the first (Spark's
 * ReuseExchange). A query that uses one subtree twice plans it twice: TPC-H Q15's revenue view
 * feeds both the maximum and the join, and its lineitem scan and partial aggregate ran twice.
 * Applied after the stage rules (the copies are rewritten alike); stages are renumbered in
 * order, so every stage still reads only stages before it. An adaptive join's deferred stage is
 * never merged (it may be skipped while another reader still needs it).
 */
import { mapStageRefs, type Stage } from '../../stages.js';
import type { PhysicalRule } from '../rule.js';

export const reuseExchange = {
  name: 'reuse_exchange',
  phase: 'plan',
  description: 'run once the stages that compute the same rows (a subtree the query uses twice)',
} as const satisfies PhysicalRule;

/** The stages with copies merged into their first occurrence, renumbered; the result stage's new id. */
export function reuseExchanges(
  stages: readonly Stage[],
  resultStage: number,
): { stages: Stage[]; resultStage: number } {
  const deferred = new Set(stages.flatMap((s) => (s.adaptive?.kind === 'join' ? [s.adaptive.deferredStage] : [])));
  const newId = new Map<number, number>();
  const seen = new Map<string, number>();
  const out: Stage[] = [];
  for (const s of stages) {
    // Stages are in dependency order: everything s reads already has its new id (but s itself, which a
    // stage deferred on itself names: such a stage is never merged, so its id is the next one).
    const renamed = mapStageRefs(s, (id) => (id === s.id ? out.length : newId.get(id)!));
    const key = JSON.stringify({ ...renamed, id: 0 });
    const same = seen.get(key);
    if (same !== undefined && !deferred.has(s.id) && s.id !== resultStage) {
      newId.set(s.id, same);
      continue;
    }
    const id = out.length;
    newId.set(s.id, id);
    out.push({ ...renamed, id });
    if (!deferred.has(s.id)) seen.set(key, id);
  }
  return { stages: out, resultStage: newId.get(resultStage)! };
}
