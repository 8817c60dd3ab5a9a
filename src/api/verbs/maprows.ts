/**
 * User-code verbs: map, flatMap and mapBatches over functions registered by name. The
 * function must be registered before the plan is built (an unregistered name is a plan error).
 */
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import { registeredFunctions } from '../../runtime/userFunctions.js';

/** @example mapRows(plan, 'tag', 'map') */
export function mapRows(input: PlanNode, name: string, mode: 'map' | 'flatMap' | 'batches'): PlanNode {
  const r = registeredFunctions().get(name);
  const want = mode === 'batches' ? 'batches' : mode;
  if (!r || r.kind !== want) {
    const how = mode === 'map' ? 'mapFunction' : mode === 'flatMap' ? 'flatMapFunction' : 'batchFunction';
    throw new PlanError(
      'UNREGISTERED_FUNCTION',
      `no ${mode} function named '${name}' is registered; register it with ${how}('${name}', fn, schema) in a module the job imports`,
      { function: name },
    );
  }
  return Object.freeze({ kind: 'MapRows', input, name, mode, schema: r.schema });
}
