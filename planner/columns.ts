/**
 * Column resolution by name over a schema, shared by the analyzer, the lowering of
 * schema-dependent nodes, the physical planner and the operators.
 */
import { SchemaError, listNames } from './errors.js';
import type { Field, Schema } from './types.js';

/**
 * Find a column by name; unknown or ambiguous names are schema errors naming the valid ones.
 * A positional hint wins when the column there still has that name.
 */
export function resolveColumn(schema: Schema, name: string, at?: number): { index: number; field: Field } {
  if (at !== undefined && schema[at]?.name === name) return { index: at, field: schema[at]! };
  let index = -1;
  for (let i = 0; i < schema.length; i++) {
    if (schema[i]!.name === name) {
      if (index >= 0)
        throw new SchemaError(
          'AMBIGUOUS_COLUMN',
          `column '${name}' is ambiguous: it appears more than once in ${listNames(schema.map((f) => f.name))}; rename one side first`,
          { column: name },
        );
      index = i;
    }
  }
  if (index < 0) {
    throw new SchemaError(
      'COLUMN_NOT_FOUND',
      `column '${name}' does not exist; valid columns are ${listNames(schema.map((f) => f.name))}`,
      {
        column: name,
        validColumns: schema.map((f) => f.name),
      },
    );
  }
  return { index, field: schema[index]! };
}
