/**
 * Signatures of the scalar functions over list columns (`list<T>`, operators/lists.ts): Spark's
 * `size` and `array_contains`. A list column is otherwise opaque; these are the functions that may
 * read one (planner/opaqueUse.ts lets a list column be their first argument).
 */
import type { FunctionSignature } from './functions.js';
import type { DataType } from './types.js';
import { isNumeric } from './types.js';

/** The type name of a list of `element`s: `list<int32>`. */
export const listType = (element: DataType): DataType => `list<${element}>` as DataType;

/** The element type of a `list<T>` type, or null for other types. */
export function listElementType(t: string): DataType | null {
  const m = /^list<(.+)>$/.exec(t);
  return m ? (m[1] as DataType) : null;
}

/** Whether a value of type `v` can be looked for among elements of type `e` (same type, or both numbers). */
const comparable = (e: DataType, v: DataType | 'null') =>
  v === 'null' || v === e || (isNumeric(e) && isNumeric(v as DataType));

export const LIST_FUNCTIONS = {
  /** The number of elements; -1 for a NULL list (Spark's default, spark.sql.legacy.sizeOfNull). */
  size: {
    minArgs: 1,
    maxArgs: 1,
    result: ([a]) => (a === 'null' || listElementType(a!) ? 'int32' : 'a list'),
  },
  /** Whether the list holds the value: NULL for a NULL list or value, or when not found and the list holds a NULL. */
  array_contains: {
    minArgs: 2,
    maxArgs: 2,
    result: ([a, v]) => {
      const e = a === 'null' ? 'null' : listElementType(a!);
      return e === 'null' || (e && comparable(e, v!)) ? 'bool' : 'a list and a value of its element type';
    },
  },
} as const satisfies Record<string, FunctionSignature>;

/** Functions whose first argument may be a list column. */
export const isListFunction = (fn: string): boolean => Object.hasOwn(LIST_FUNCTIONS, fn);
