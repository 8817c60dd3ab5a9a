/**
 * The partial-aggregation state layout: which columns each aggregate call ships through the
 * shuffle. Shared by the planner (schemas) and the operators (encode/decode of states).
 */
import type { AggCall } from './stages.js';
import type { Field, Schema } from './types.js';
import { field } from './types.js';

export function stateFields(c: AggCall): Field[] {
  switch (c.fn) {
    case 'count':
      return [field(`${c.name}#count`, 'int64')];
    case 'sum':
    case 'avg':
      return [field(`${c.name}#sum`, 'float64'), field(`${c.name}#count`, 'int64')];
    case 'min':
    case 'max':
      return [field(`${c.name}#${c.fn}`, c.argType ?? 'float64')];
    case 'first':
      return [field(`${c.name}#first`, c.argType ?? 'float64'), field(`${c.name}#seen`, 'int64')];
    case 'count_distinct':
      throw new Error('count(DISTINCT) has no partial state');
  }
}

export function stateSchema(calls: readonly AggCall[]): Schema {
  return calls.flatMap(stateFields);
}
