/**
 * List columns (`list<T>` of a primitive T): the one representation of arrays the engine computes
 * with — collect_list / collect_set results, and any function that makes or reads arrays (split,
 * size, array_contains). A list column is an opaque vector (operators/opaque.ts moves its rows in
 * every operator; collect() returns JS arrays, Parquet writes a LIST, printSchema shows
 * `list<T>`) whose Arrow data is a `List` with one child field `element` holding every row's
 * elements back to back, delimited by Int32 offsets (row i is elements[offsets[i], offsets[i+1])).
 *
 * Build one with `listVec(elementType, elements, offsets, validity)` from an engine column of the
 * elements; read one with `listParts(vec)` (offsets and the elements as an engine column).
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../planner/errors.js';
import type { DataType, OpaqueType } from '../planner/types.js';
import { listElementType } from '../planner/listFunctions.js';
import { arrowData, vecFromArrowData } from './arrow.js';
import type { Operand } from './scalar.js';
import { isScalar, materialize } from './scalar.js';
import type { Kernel } from './strings.js';
import type { OpaqueVec, Vec } from './vector.js';
import { isValid, newValidity, opaqueVec, setValid, valueAt, vecLength } from './vector.js';

export { listElementType } from '../planner/listFunctions.js';

/** The type name of a list of `element`s: `list<int32>`. */
export const listType = (element: DataType): OpaqueType => `list<${element}>`;

/**
 * A list column of `offsets.length - 1` rows over `elements` (an engine column of type
 * `element`): row i holds elements[offsets[i] .. offsets[i + 1]); `validity` marks NULL rows
 * (null: none).
 */
export function listVec(element: DataType, elements: Vec, offsets: Int32Array, validity: Uint8Array | null): OpaqueVec {
  const n = offsets.length - 1;
  const child = arrowData(elements, vecLength(elements), element);
  const type = new arrow.List(new arrow.Field('element', child.type, true));
  let nullCount = 0;
  if (validity) for (let i = 0; i < n; i++) if (!((validity[i >> 3]! >> (i & 7)) & 1)) nullCount++;
  const data = arrow.makeData({
    type,
    length: n,
    nullCount,
    nullBitmap: nullCount ? validity! : undefined,
    valueOffsets: offsets,
    child,
  } as never);
  return opaqueVec(listType(element), data as arrow.Data);
}

/** A list column's offsets (from 0, one per row plus one) and its elements as an engine column. */
export function listParts(v: Vec): { offsets: Int32Array; elements: Vec; element: DataType } {
  const element = listElementType(v.type);
  if (!element || !('arrow' in v) || v.arrow.typeId !== arrow.Type.List)
    throw new InternalError('NOT_A_LIST', `expected a list column, got ${v.type}`, { type: v.type });
  const d = v.arrow;
  const raw = d.valueOffsets as Int32Array;
  // Arrow JS: valueOffsets start at the data's first row (opaque.ts).
  const base = raw[0] ?? 0;
  const offsets = new Int32Array(d.length + 1);
  for (let i = 0; i <= d.length; i++) offsets[i] = raw[i]! - base;
  const child = d.children[0]!;
  const elements = vecFromArrowData(child.slice(base, offsets[d.length]!), element);
  return { offsets, elements, element };
}

/** A list operand's parts, or null for the NULL literal (every row NULL). */
function listOperand(o: Operand, n: number): ReturnType<typeof listParts> | null {
  if (isScalar(o)) return null;
  const v = materialize(o, n);
  return listParts(v);
}

/** size(list): the element count; -1 for a NULL list (Spark's default). */
const size: Kernel = (args, n) => {
  const out = new Int32Array(n).fill(-1);
  const l = listOperand(args[0]!, n);
  if (l) {
    const v = args[0] as Vec;
    for (let i = 0; i < n; i++) if (isValid(v.validity, i)) out[i] = l.offsets[i + 1]! - l.offsets[i]!;
  }
  return { type: 'int32', values: out, validity: null };
};

/**
 * array_contains(list, value): true when an element equals the value (numbers of any width
 * compare by value); NULL for a NULL list or value, or when not found and the list holds a NULL.
 */
const arrayContains: Kernel = (args, n) => {
  const out = new Uint8Array(n);
  const validity = newValidity(n, false);
  const l = listOperand(args[0]!, n);
  const value = materialize(args[1]!, n);
  if (l) {
    const v = args[0] as Vec;
    for (let i = 0; i < n; i++) {
      if (!isValid(v.validity, i) || !isValid(value.validity, i)) continue;
      const x = valueAt(value, i);
      let found = false;
      let sawNull = false;
      for (let j = l.offsets[i]!; j < l.offsets[i + 1]! && !found; j++) {
        const e = valueAt(l.elements, j);
        if (e === null) sawNull = true;
        // biome-ignore lint/suspicious/noDoubleEquals: 5n == 5 and '1.50' == 1.5 (int64 and decimal elements)
        else if (e == x) found = true;
      }
      if (found || !sawNull) {
        out[i] = found ? 1 : 0;
        setValid(validity, i, true);
      }
    }
  }
  return { type: 'bool', values: out, validity };
};

/** The kernels of planner/listFunctions.ts. */
export const LIST_KERNELS = { size, array_contains: arrayContains } satisfies Record<string, Kernel>;
