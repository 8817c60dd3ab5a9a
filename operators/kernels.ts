/**
 * Per-batch kernels over typed arrays: arithmetic, comparison, boolean logic (three-valued),
 * null tests. Each loops over raw arrays with the operator chosen outside the loop.
 */
import type { BinaryOp } from '../planner/expr.js';
import type { DataType } from '../planner/types.js';
import type { Operand } from './scalar.js';
import { isScalar } from './scalar.js';
import type { Vec } from './vector.js';
import { isValid, newValidity, setValid } from './vector.js';

type NumArray = Int32Array | Float64Array | Uint8Array;

/** AND of two validities (null = all valid). A null scalar makes everything null. */
export function mergeValidity(a: Operand, b: Operand, n: number): Uint8Array | null {
  const va = validityOf(a, n);
  const vb = validityOf(b, n);
  if (!va) return vb;
  if (!vb) return va;
  const out = new Uint8Array(va.length);
  for (let i = 0; i < out.length; i++) out[i] = va[i]! & vb[i]!;
  return out;
}

function validityOf(o: Operand, n: number): Uint8Array | null {
  if (isScalar(o)) return o.value === null ? newValidity(n, false) : null;
  return o.validity;
}

function numbers(o: Operand): NumArray | number {
  if (isScalar(o)) return (o.value as number) ?? 0;
  if (o.type === 'string') throw new TypeError('numeric kernel on a string column');
  return o.values;
}

export function allocFor(type: DataType, n: number): NumArray {
  return type === 'int32' || type === 'date' ? new Int32Array(n) : type === 'bool' ? new Uint8Array(n) : new Float64Array(n);
}

export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: Operand, b: Operand, outType: DataType, n: number): Vec {
  const x = numbers(a);
  const y = numbers(b);
  const out = allocFor(outType, n);
  let validity = mergeValidity(a, b, n);
  const xs = typeof x === 'number';
  const ys = typeof y === 'number';
  const X = xs ? null : (x as NumArray);
  const Y = ys ? null : (y as NumArray);
  const xv = xs ? (x as number) : 0;
  const yv = ys ? (y as number) : 0;
  switch (op) {
    case '+':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! + Y[i]!;
      else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! + yv;
      else if (Y) for (let i = 0; i < n; i++) out[i] = xv + Y[i]!;
      else out.fill(xv + yv);
      break;
    case '-':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! - Y[i]!;
      else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! - yv;
      else if (Y) for (let i = 0; i < n; i++) out[i] = xv - Y[i]!;
      else out.fill(xv - yv);
      break;
    case '*':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! * Y[i]!;
      else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! * yv;
      else if (Y) for (let i = 0; i < n; i++) out[i] = xv * Y[i]!;
      else out.fill(xv * yv);
      break;
    case '/':
    case '%': {
      // Division by zero is null, as in Spark.
      const v = validity ? validity.slice() : newValidity(n);
      let zero = false;
      for (let i = 0; i < n; i++) {
        const p = X ? X[i]! : xv;
        const q = Y ? Y[i]! : yv;
        if (q === 0) {
          setValid(v, i, false);
          zero = true;
          continue;
        }
        out[i] = op === '/' ? p / q : p % q;
      }
      if (zero || validity) validity = v;
      break;
    }
  }
  if (outType === 'int64') for (let i = 0; i < n; i++) out[i] = Math.trunc(out[i]!);
  return { type: outType, values: out, validity } as Vec;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export function compare(op: CompareOp, a: Operand, b: Operand, n: number): Vec {
  const validity = mergeValidity(a, b, n);
  const out = new Uint8Array(n);
  const aStr = isScalar(a) ? a.type === 'string' : a.type === 'string';
  if (aStr) compareStrings(op, a, b, n, out);
  else compareNumbers(op, numbers(a), numbers(b), n, out);
  return { type: 'bool', values: out, validity };
}

function compareNumbers(op: CompareOp, x: NumArray | number, y: NumArray | number, n: number, out: Uint8Array): void {
  if (typeof x === 'number' && typeof y === 'number') {
    out.fill(cmpScalar(op, x, y) ? 1 : 0);
    return;
  }
  if (typeof x === 'number') {
    // swap to column-vs-scalar
    const flipped: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
    return compareNumbers(flipped[op], y, x, n, out);
  }
  const X = x;
  if (typeof y === 'number') {
    switch (op) {
      case '=': for (let i = 0; i < n; i++) out[i] = X[i] === y ? 1 : 0; break;
      case '!=': for (let i = 0; i < n; i++) out[i] = X[i] !== y ? 1 : 0; break;
      case '<': for (let i = 0; i < n; i++) out[i] = X[i]! < y ? 1 : 0; break;
      case '<=': for (let i = 0; i < n; i++) out[i] = X[i]! <= y ? 1 : 0; break;
      case '>': for (let i = 0; i < n; i++) out[i] = X[i]! > y ? 1 : 0; break;
      case '>=': for (let i = 0; i < n; i++) out[i] = X[i]! >= y ? 1 : 0; break;
    }
    return;
  }
  const Y = y;
  switch (op) {
    case '=': for (let i = 0; i < n; i++) out[i] = X[i] === Y[i] ? 1 : 0; break;
    case '!=': for (let i = 0; i < n; i++) out[i] = X[i] !== Y[i] ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) out[i] = X[i]! < Y[i]! ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) out[i] = X[i]! <= Y[i]! ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) out[i] = X[i]! > Y[i]! ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) out[i] = X[i]! >= Y[i]! ? 1 : 0; break;
  }
}

function cmpScalar(op: CompareOp, x: number, y: number): boolean {
  switch (op) {
    case '=': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
}

/** Byte-wise comparison of UTF-8 strings (= code point order). */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

function compareStrings(op: CompareOp, a: Operand, b: Operand, n: number, out: Uint8Array): void {
  const empty = new Uint8Array(0);
  const side = (o: Operand) =>
    isScalar(o)
      ? { data: (o.value as Uint8Array | null) ?? empty, offsets: null as Int32Array | null }
      : { data: (o as Extract<Vec, { type: 'string' }>).data, offsets: (o as Extract<Vec, { type: 'string' }>).offsets };
  const A = side(a);
  const B = side(b);
  const eqOnly = op === '=' || op === '!=';
  for (let i = 0; i < n; i++) {
    const as = A.offsets ? A.offsets[i]! : 0;
    const ae = A.offsets ? A.offsets[i + 1]! : A.data.length;
    const bs = B.offsets ? B.offsets[i]! : 0;
    const be = B.offsets ? B.offsets[i + 1]! : B.data.length;
    if (eqOnly && ae - as !== be - bs) {
      out[i] = op === '!=' ? 1 : 0;
      continue;
    }
    const c = compareBytes(A.data, as, ae, B.data, bs, be);
    out[i] = cmpScalar(op, c, 0) ? 1 : 0;
  }
}

/** Three-valued AND / OR. */
export function logical(op: 'and' | 'or', a: Operand, b: Operand, n: number): Vec {
  const get = (o: Operand) => (isScalar(o) ? { v: null as Uint8Array | null, s: o.value as number | null, valid: null as Uint8Array | null } : { v: (o as Extract<Vec, { type: 'bool' }>).values, s: 0, valid: o.validity });
  const A = get(a);
  const B = get(b);
  const out = new Uint8Array(n);
  let validity: Uint8Array | null = null;
  const anyNull = A.valid || B.valid || (A.v === null && A.s === null) || (B.v === null && B.s === null);
  if (anyNull) validity = newValidity(n);
  for (let i = 0; i < n; i++) {
    const an = A.v ? !isValid(A.valid, i) : A.s === null;
    const bn = B.v ? !isValid(B.valid, i) : B.s === null;
    const av = A.v ? A.v[i]! : (A.s ?? 0);
    const bv = B.v ? B.v[i]! : (B.s ?? 0);
    if (op === 'and') {
      if ((!an && av === 0) || (!bn && bv === 0)) out[i] = 0;
      else if (an || bn) setValid(validity!, i, false);
      else out[i] = 1;
    } else {
      if ((!an && av === 1) || (!bn && bv === 1)) out[i] = 1;
      else if (an || bn) setValid(validity!, i, false);
      else out[i] = 0;
    }
  }
  return { type: 'bool', values: out, validity };
}

export function negateBool(a: Vec & { type: 'bool' }): Vec {
  const out = new Uint8Array(a.values.length);
  for (let i = 0; i < out.length; i++) out[i] = a.values[i] ? 0 : 1;
  return { type: 'bool', values: out, validity: a.validity };
}

export function nullTest(a: Operand, negated: boolean, n: number): Vec {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const isNull = isScalar(a) ? a.value === null : !isValid(a.validity, i);
    out[i] = isNull !== negated ? 1 : 0;
  }
  return { type: 'bool', values: out, validity: null };
}

/** Rows where a predicate is true (null counts as false): a selection vector. */
export function selectionOf(pred: Operand, n: number): Int32Array | null {
  if (isScalar(pred)) return pred.value === 1 ? null : new Int32Array(0);
  const v = pred as Extract<Vec, { type: 'bool' }>;
  const sel = new Int32Array(n);
  let k = 0;
  const bits = v.values;
  if (v.validity) {
    for (let i = 0; i < n; i++) if (bits[i] && isValid(v.validity, i)) sel[k++] = i;
  } else {
    for (let i = 0; i < n; i++) if (bits[i]) sel[k++] = i;
  }
  return k === n ? null : sel.subarray(0, k);
}

export const isArithmetic = (op: BinaryOp): op is '+' | '-' | '*' | '/' | '%' => op === '+' || op === '-' || op === '*' || op === '/' || op === '%';
export const isComparison = (op: BinaryOp): op is CompareOp => op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
