/**
 * Evaluated operands: a column (`Vec`) or a scalar broadcast over the batch. Kernels take either
 * without materializing scalars; `materialize` expands a scalar when a column is needed.
 */
import { InternalError } from '../planner/errors.js';
import type { VecType } from '../planner/types.js';
import { isDecimal } from '../planner/types.js';
import { decimalArray } from './decimal.js';
import type { Vec } from './vector.js';
import { isBytesVec, isOpaqueVec, isValid, newValidity, vecFromValues } from './vector.js';

export interface Scalar {
  readonly scalar: true;
  readonly type: VecType;
  /** number (also days for dates, 0/1 for bool), bigint for int64 and (unscaled) decimals, string or binary bytes, or null. */
  readonly value: number | bigint | Uint8Array | null;
}

export type Operand = Vec | Scalar;

export const isScalar = (o: Operand): o is Scalar => (o as Scalar).scalar === true;

export function materialize(o: Operand, n: number): Vec {
  if (!isScalar(o)) return o;
  if (o.value === null) {
    const v = vecFromValues(o.type, new Array(n).fill(null));
    return isOpaqueVec(v) ? v : ({ ...v, validity: newValidity(n, false) } as Vec);
  }
  if (o.type === 'string' || o.type === 'binary') {
    const bytes = o.value as Uint8Array;
    const offsets = new Int32Array(n + 1);
    const data = new Uint8Array(bytes.length * n);
    for (let i = 0; i < n; i++) {
      data.set(bytes, i * bytes.length);
      offsets[i + 1] = (i + 1) * bytes.length;
    }
    return { type: o.type, offsets, data, validity: null };
  }
  if (o.type === 'int64')
    return { type: 'int64', values: new BigInt64Array(n).fill(o.value as bigint), validity: null };
  if (isDecimal(o.type))
    return { type: o.type, values: decimalArray(o.type, n).fill(o.value as bigint), validity: null };
  const v = o.value as number;
  switch (o.type) {
    case 'int32':
    case 'date':
      return { type: o.type, values: new Int32Array(n).fill(v), validity: null };
    case 'bool':
      return { type: 'bool', values: new Uint8Array(n).fill(v), validity: null };
    default:
      return { type: 'float64', values: new Float64Array(n).fill(v), validity: null };
  }
}

/** The first row of a column as a scalar (to evaluate a function of scalars once per batch). */
export function firstAsScalar(v: Vec): Scalar {
  if (!isValid(v.validity, 0)) return { scalar: true, type: v.type, value: null };
  if (isBytesVec(v)) return { scalar: true, type: v.type, value: v.data.slice(v.offsets[0]!, v.offsets[1]!) };
  if (isOpaqueVec(v)) throw new InternalError('OPAQUE_SCALAR', `a ${v.type} value is never computed on`);
  return { scalar: true, type: v.type, value: v.values[0]! };
}
