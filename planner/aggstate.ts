/**
 * The partial-aggregation state layout: which columns each aggregate call ships through the
 * shuffle, as its registry entry declares them (aggregates.ts). Shared by the planner (schemas)
 * and the operators (where each call's state columns start).
 */
import { type AggSig, aggregateSpec, NO_SIG, type StateField } from './aggregates.js';
import { InternalError } from './errors.js';
import type { AggCall } from './stages.js';
import type { DataType, Field, Schema } from './types.js';
import { field } from './types.js';

/** Whether every call has a partial state, so the aggregation can split into partial + final. */
export function splitsIntoPartial(calls: readonly AggCall[]): boolean {
  return calls.every((c) => aggregateSpec(c.fn).state !== null);
}

export function stateFields(c: AggCall): Field[] {
  const state = aggregateSpec(c.fn).state;
  if (!state)
    throw new InternalError('NO_PARTIAL_STATE', `${c.fn} has no partial state; it is aggregated in one phase`, {
      aggregate: c.fn,
    });
  const typeOf = (t: StateField['type']): DataType =>
    typeof t === 'function'
      ? t(c.argType, callSig(c))
      : t === 'arg'
        ? (c.argType ?? 'float64')
        : t === 'result'
          ? c.outType
          : t;
  return state.map((s) => field(`${c.name}#${s.suffix}`, typeOf(s.type)));
}

/** A call's further argument types and options, as registry entries read them. */
export const callSig = (c: AggCall): AggSig =>
  c.more?.length || c.options ? { more: c.moreTypes ?? [], options: c.options ?? {} } : NO_SIG;

export function stateSchema(calls: readonly AggCall[]): Schema {
  return calls.flatMap(stateFields);
}
