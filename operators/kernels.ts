/**
 * Per-batch kernels over typed arrays: arithmetic, comparison, boolean logic (three-valued),
 * null tests. Each loops over raw arrays with the operator chosen outside the loop.
 */
import type { BinaryOp } from '../planner/expr.js';
import { compareNumbers as numberOrder } from '../planner/order.js';
import type { DataType, DecimalType } from '../planner/types.js';
import { asDecimal, decimalParts, isBytes, isDecimal, isSmallNumber, storageType } from '../planner/types.js';
import {
  decimalArray,
  decimalVecOfDoubles,
  divRound,
  EXACT_LIMIT,
  fits,
  longsFromDoubles,
  pow10,
  pow10Double,
  rescale,
  vecDoubles,
} from './decimal.js';
import type { Operand } from './scalar.js';
import { isScalar } from './scalar.js';
import { castOperand, narrowVec } from './cast.js';
import type { BytesVec, DecimalVec, Vec } from './vector.js';
import { isBytesVec, isDecimalVec, isOpaqueVec, isValid, newValidity, setValid } from './vector.js';

type NumArray = Int32Array | Float64Array | Uint8Array;

/** AND of two validities (null = all valid). A null scalar makes everything null. */
function mergeValidity(a: Operand, b: Operand, n: number): Uint8Array | null {
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
  if (o.type === 'int64' || isDecimalVec(o) || isBytesVec(o) || isOpaqueVec(o))
    throw new TypeError(`number kernel on a ${o.type} column`);
  return o.values;
}

function longs(o: Operand): BigInt64Array | bigint {
  if (isScalar(o)) return (o.value as bigint | null) ?? 0n;
  if (o.type !== 'int64') throw new TypeError(`int64 kernel on a ${o.type} column`);
  return o.values;
}

/** An int64 operand next to a 32-bit or double computation, in that computation's type. */
function narrowed(o: Operand, to: DataType, n: number): Operand {
  // A float32 result adds float32 operands: an integer is rounded to a float first, as Spark's cast does.
  if (to === 'float32') return castOperand(o, 'float32', n);
  if (o.type === 'int64' || isDecimal(o.type)) return castOperand(o, to === 'float64' ? 'float64' : 'int32', n);
  return o;
}

/**
 * A decimal or integer operand as unscaled values (a column, or one value) with its scale; the
 * column's BigInts (`longsOf`) are read only by the BigInt path.
 */
function unscaled(o: Operand, n: number): { vec: DecimalVec | null; value: bigint; scale: number } {
  const t = asDecimal(o.type)!;
  const d = castOperand(o, t, n);
  const scale = decimalParts(t).scale;
  if (isScalar(d)) return { vec: null, value: (d.value as bigint | null) ?? 0n, scale };
  return { vec: d as DecimalVec, value: 0n, scale };
}

type Unscaled = ReturnType<typeof unscaled>;

const longsOf = (u: Unscaled): ArrayLike<bigint> | null => u.vec?.values ?? null;

/** One side of a fast decimal kernel: unscaled values as exact doubles (a column or one value) and the largest magnitude. */
export interface ExactSide {
  readonly col: Float64Array | null;
  readonly value: number;
  readonly max: number;
}

/** An unscaled operand as exact doubles, or null when it is wide (BigInts) or some value is 2^52 or more. */
function exactSide(u: Unscaled, n: number): ExactSide | null {
  if (u.vec === null) {
    const a = u.value < 0n ? -u.value : u.value;
    return a < BigInt(EXACT_LIMIT) ? { col: null, value: Number(u.value), max: Number(a) } : null;
  }
  const known = vecDoubles(u.vec, n);
  return known && { col: known.doubles, value: 0, max: known.max };
}

/**
 * A decimal or integer operand (a column or one value) as exact doubles with its scale, as the
 * fast kernels read it; null when it is wide, some value is 2^52 or more, or it holds nulls
 * (`validity` is the caller's to merge: this reads the values only).
 */
export function exactOperand(o: Operand, n: number): (ExactSide & { readonly scale: number }) | null {
  if ((isScalar(o) && o.value === null) || !asDecimal(o.type as DataType)) return null;
  const u = unscaled(o, n);
  const side = exactSide(u, n);
  return side && { ...side, scale: u.scale };
}

/**
 * The proof of one fast + - * step: x·kx ± y·ky (or x·y) is exact and within the result's
 * precision for operands at scales `sx`, `sy` bounded by `mx`, `my`, and the result's scale needs
 * no rounding (+ -: the larger scale; *: the sum of scales — Spark's types unless precision passed
 * 38). `max` bounds the results (below 2^53); null when the step is not provably exact.
 */
export interface ExactStep {
  readonly op: '+' | '-' | '*';
  readonly kx: number;
  readonly ky: number;
  readonly max: number;
}

export function exactStep(
  op: '+' | '-' | '*',
  sx: number,
  mx: number,
  sy: number,
  my: number,
  outType: DecimalType,
): ExactStep | null {
  const { precision, scale } = decimalParts(outType);
  const limit = Math.min(2 ** 53, precision < 22 ? pow10Double(precision) : Number.POSITIVE_INFINITY);
  if (op === '*') return scale !== sx + sy || mx * my >= limit ? null : { op, kx: 1, ky: 1, max: mx * my };
  const common = Math.max(sx, sy);
  if (scale !== common || common > 22) return null;
  const kx = pow10Double(common - sx);
  const ky = pow10Double(common - sy);
  return mx * kx + my * ky >= limit ? null : { op, kx, ky, max: mx * kx + my * ky };
}

/** Runs a proven step over n rows into `out` (each side a column or, when its column is null, one value). */
export function exactLoop(step: ExactStep, fx: ExactSide, fy: ExactSide, out: Float64Array, n: number): void {
  const { col: X, value: xv } = fx;
  const { col: Y, value: yv } = fy;
  if (step.op === '*') {
    if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! * Y[i]!;
    else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! * yv;
    else if (Y) for (let i = 0; i < n; i++) out[i] = xv * Y[i]!;
    else out.fill(xv * yv, 0, n);
    return;
  }
  const { kx, ky } = step;
  const sign = step.op === '+' ? 1 : -1;
  if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! * kx + sign * (Y[i]! * ky);
  else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! * kx + sign * (yv * ky);
  else if (Y) for (let i = 0; i < n; i++) out[i] = xv * kx + sign * (Y[i]! * ky);
  else out.fill(xv * kx + sign * (yv * ky), 0, n);
}

/**
 * Results given as exact doubles (`bound` ≥ every magnitude, below 2^53): a column of them whose
 * int64 values are built when read, or built now when some may reach 2^52.
 */
function fromDoubles(type: DecimalType, out: Float64Array, n: number, bound: number, validity: Uint8Array | null): Vec {
  if (bound < EXACT_LIMIT) return decimalVecOfDoubles(type, out, bound, validity);
  return { type, values: longsFromDoubles(out, n), validity };
}

/**
 * + - * of decimals without BigInts (`exactStep` proves every result exact): the unscaled
 * results as exact doubles, or null for the BigInt path.
 */
function fastDecimal(
  op: '+' | '-' | '*',
  x: Unscaled,
  y: Unscaled,
  outType: DecimalType,
  n: number,
  validity: Uint8Array | null,
): Vec | null {
  const fx = exactSide(x, n);
  const fy = fx && exactSide(y, n);
  if (!fx || !fy) return null;
  const step = exactStep(op, x.scale, fx.max, y.scale, fy.max, outType);
  if (!step) return null;
  const out = new Float64Array(n);
  exactLoop(step, fx, fy, out, n);
  return fromDoubles(outType, out, n, step.max, validity);
}

/**
 * Decimal + - * / % with Spark's result type (the analyzer's `outType`): exact on unscaled
 * BigInts, the result rounded HALF_UP to its scale; a result with more digits than its
 * precision, or a division by zero, is NULL (Spark's non-ANSI mode). + - * take `fastDecimal`
 * when it can prove the results exact.
 */
function arithmeticDecimal(
  op: '+' | '-' | '*' | '/' | '%',
  a: Operand,
  b: Operand,
  outType: DecimalType,
  n: number,
): Vec {
  const { precision, scale } = decimalParts(outType);
  const x = unscaled(a, n);
  const y = unscaled(b, n);
  const merged = mergeValidity(a, b, n);
  if (op === '+' || op === '-' || op === '*') {
    const fast = fastDecimal(op, x, y, outType, n, merged);
    if (fast) return fast;
  }
  const validity = merged ? merged.slice() : newValidity(n);
  let nulls = merged !== null;
  const out = decimalArray(outType, n);
  const common = Math.max(x.scale, y.scale);
  const xc = longsOf(x);
  const yc = longsOf(y);
  // Each operation on (p, q), the operands at their own scales, gives the result at `scale`.
  const f: (p: bigint, q: bigint) => bigint | null =
    op === '+' || op === '-'
      ? (p, q) => {
          const l = rescale(p, x.scale, common);
          const r = rescale(q, y.scale, common);
          return rescale(op === '+' ? l + r : l - r, common, scale);
        }
      : op === '*'
        ? (p, q) => rescale(p * q, x.scale + y.scale, scale)
        : op === '/'
          ? (p, q) => {
              if (q === 0n) return null;
              const shift = scale + y.scale - x.scale; // (p / 10^sx) / (q / 10^sy) at 10^scale
              return shift >= 0 ? divRound(p * pow10(shift), q) : divRound(p, q * pow10(-shift));
            }
          : (p, q) => {
              if (q === 0n) return null;
              return rescale(rescale(p, x.scale, common) % rescale(q, y.scale, common), common, scale);
            };
  for (let i = 0; i < n; i++) {
    if (!isValid(validity, i)) continue;
    const v = f(xc ? xc[i]! : x.value, yc ? yc[i]! : y.value);
    if (v === null || !fits(v, precision)) {
      setValid(validity, i, false);
      nulls = true;
    } else out[i] = v;
  }
  return { type: outType, values: out, validity: nulls ? validity : null };
}

/** Comparison of decimals (with each other or with integers): exactly, at the larger scale. */
function compareDecimals(op: CompareOp, a: Operand, b: Operand, n: number, out: Uint8Array): void {
  const x = unscaled(a, n);
  const y = unscaled(b, n);
  const common = Math.max(x.scale, y.scale);
  // Fast path: both sides as exact doubles at the common scale (all below 2^53), compared as numbers.
  const fx = common <= 22 ? exactSide(x, n) : null;
  const fy = fx && exactSide(y, n);
  if (fx && fy) {
    const kx = pow10Double(common - x.scale);
    const ky = pow10Double(common - y.scale);
    if (fx.max * kx < 2 ** 53 && fy.max * ky < 2 ** 53) {
      const side = (f: ExactSide, k: number): Float64Array | number => {
        if (!f.col) return f.value * k;
        if (k === 1) return f.col;
        const scaled = new Float64Array(n); // the column's doubles are shared (remembered): scale a copy
        for (let i = 0; i < n; i++) scaled[i] = f.col[i]! * k;
        return scaled;
      };
      compareNumbers(op, side(fx, kx), side(fy, ky), n, out);
      return;
    }
  }
  const xs = pow10(common - x.scale);
  const ys = pow10(common - y.scale);
  const xc = longsOf(x);
  const yc = longsOf(y);
  if (xc && !yc && xs === 1n) {
    const yv = y.value * ys;
    const X = xc;
    for (let i = 0; i < n; i++) out[i] = cmpScalar(op, X[i]!, yv) ? 1 : 0;
    return;
  }
  for (let i = 0; i < n; i++) {
    const l = (xc ? xc[i]! : x.value) * xs;
    const r = (yc ? yc[i]! : y.value) * ys;
    out[i] = cmpScalar(op, l, r) ? 1 : 0;
  }
}

function allocFor(type: DataType, n: number): NumArray {
  return type === 'int32' || type === 'date'
    ? new Int32Array(n)
    : type === 'bool'
      ? new Uint8Array(n)
      : new Float64Array(n);
}

/**
 * + - * / % over numbers (and dates ± days). int32 (int16, int8) results wrap around as in Spark's non-ANSI
 * mode (the Int32Array keeps the low 32 bits; * uses Math.imul to stay exact). Division and
 * remainder by zero are NULL, as in Spark.
 */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: Operand, b: Operand, outType: DataType, n: number): Vec {
  if (outType === 'int64') return arithmetic64(op, castOperand(a, 'int64', n), castOperand(b, 'int64', n), n);
  if (isDecimal(outType)) return arithmeticDecimal(op, a, b, outType, n);
  a = narrowed(a, outType, n);
  b = narrowed(b, outType, n);
  const x = numbers(a);
  const y = numbers(b);
  const store = storageType(outType);
  const out = allocFor(store, n);
  let validity = mergeValidity(a, b, n);
  const X = typeof x === 'number' ? null : x;
  const Y = typeof y === 'number' ? null : y;
  const xv = typeof x === 'number' ? x : 0;
  const yv = typeof y === 'number' ? y : 0;
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
      if (store === 'int32') {
        if (X && Y) for (let i = 0; i < n; i++) out[i] = Math.imul(X[i]!, Y[i]!);
        else if (X) for (let i = 0; i < n; i++) out[i] = Math.imul(X[i]!, yv);
        else if (Y) for (let i = 0; i < n; i++) out[i] = Math.imul(xv, Y[i]!);
        else out.fill(Math.imul(xv, yv));
      } else if (X && Y) for (let i = 0; i < n; i++) out[i] = X[i]! * Y[i]!;
      else if (X) for (let i = 0; i < n; i++) out[i] = X[i]! * yv;
      else if (Y) for (let i = 0; i < n; i++) out[i] = xv * Y[i]!;
      else out.fill(xv * yv);
      break;
    case '/':
    case '%': {
      let v: Uint8Array | null = null;
      const div = op === '/';
      for (let i = 0; i < n; i++) {
        const q = Y ? Y[i]! : yv;
        if (q === 0) {
          v ??= validity ? validity.slice() : newValidity(n);
          setValid(v, i, false);
          continue;
        }
        const p = X ? X[i]! : xv;
        out[i] = div ? p / q : p % q;
      }
      if (v) validity = v;
      break;
    }
  }
  const v = { type: store, values: out, validity } as Vec;
  // int8/int16 results wrap to their width and float32 results round to single precision, as in Spark.
  return isSmallNumber(outType) ? narrowVec(v, outType, n) : v;
}

/**
 * int64 + - * % wrap to 64 bits as Java longs do (Spark's non-ANSI mode); % takes the dividend's
 * sign and is NULL for a zero divisor.
 */
function arithmetic64(op: '+' | '-' | '*' | '/' | '%', a: Operand, b: Operand, n: number): Vec {
  const x = longs(a);
  const y = longs(b);
  let validity = mergeValidity(a, b, n);
  const out = new BigInt64Array(n);
  const X = typeof x === 'bigint' ? null : x;
  const Y = typeof y === 'bigint' ? null : y;
  const xv = typeof x === 'bigint' ? x : 0n;
  const yv = typeof y === 'bigint' ? y : 0n;
  switch (op) {
    case '+':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! + Y[i]!);
      else if (X) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! + yv);
      else if (Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, xv + Y[i]!);
      else out.fill(BigInt.asIntN(64, xv + yv));
      break;
    case '-':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! - Y[i]!);
      else if (X) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! - yv);
      else if (Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, xv - Y[i]!);
      else out.fill(BigInt.asIntN(64, xv - yv));
      break;
    case '*':
      if (X && Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! * Y[i]!);
      else if (X) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, X[i]! * yv);
      else if (Y) for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, xv * Y[i]!);
      else out.fill(BigInt.asIntN(64, xv * yv));
      break;
    case '/':
    case '%': {
      // Integral '/' only reaches here through constant folding of '%'-like paths; Spark's '/' is a double.
      let v: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const q = Y ? Y[i]! : yv;
        if (q === 0n) {
          v ??= validity ? validity.slice() : newValidity(n);
          setValid(v, i, false);
          continue;
        }
        const p = X ? X[i]! : xv;
        out[i] = BigInt.asIntN(64, op === '/' ? p / q : p % q);
      }
      if (v) validity = v;
      break;
    }
  }
  return { type: 'int64', values: out, validity };
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Comparison; NULL on either side gives NULL. Strings compare byte-wise, the rest as numbers. */
export function compare(op: CompareOp, a: Operand, b: Operand, n: number): Vec {
  const out = new Uint8Array(n);
  if ((isScalar(a) && a.value === null) || (isScalar(b) && b.value === null))
    return { type: 'bool', values: out, validity: newValidity(n, false) };
  const validity = mergeValidity(a, b, n);
  if (isBytes(a.type)) compareStrings(op, a, b, n, out);
  else if (isDecimal(a.type) || isDecimal(b.type)) {
    // A decimal against a double compares as doubles (Spark); against a decimal or an integer, exactly.
    if (a.type === 'float64' || b.type === 'float64')
      return compare(op, narrowed(a, 'float64', n), narrowed(b, 'float64', n), n);
    compareDecimals(op, a, b, n, out);
  } else if (a.type === 'int64' || b.type === 'int64') {
    // A long against a double compares as doubles (Spark); against any integer, exactly as longs.
    if (a.type === 'float64' || b.type === 'float64')
      return compare(op, narrowed(a, 'float64', n), narrowed(b, 'float64', n), n);
    compareLongs(op, longs(castOperand(a, 'int64', n)), longs(castOperand(b, 'int64', n)), n, out);
  } else if (hasNaN(a, n) || hasNaN(b, n)) compareWithNaN(op, numbers(a), numbers(b), n, out);
  else compareNumbers(op, numbers(a), numbers(b), n, out);
  return { type: 'bool', values: out, validity };
}

function compareLongs(
  op: CompareOp,
  x: BigInt64Array | bigint,
  y: BigInt64Array | bigint,
  n: number,
  out: Uint8Array,
): void {
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    out.fill(cmpScalar(op, x, y) ? 1 : 0);
    return;
  }
  if (typeof x === 'bigint') {
    compareLongs(FLIPPED[op], y, x, n, out);
    return;
  }
  const X = x;
  if (typeof y === 'bigint') {
    switch (op) {
      case '=':
        for (let i = 0; i < n; i++) out[i] = X[i] === y ? 1 : 0;
        break;
      case '!=':
        for (let i = 0; i < n; i++) out[i] = X[i] !== y ? 1 : 0;
        break;
      case '<':
        for (let i = 0; i < n; i++) out[i] = X[i]! < y ? 1 : 0;
        break;
      case '<=':
        for (let i = 0; i < n; i++) out[i] = X[i]! <= y ? 1 : 0;
        break;
      case '>':
        for (let i = 0; i < n; i++) out[i] = X[i]! > y ? 1 : 0;
        break;
      case '>=':
        for (let i = 0; i < n; i++) out[i] = X[i]! >= y ? 1 : 0;
        break;
    }
    return;
  }
  const Y = y;
  for (let i = 0; i < n; i++) out[i] = cmpScalar(op, X[i]!, Y[i]!) ? 1 : 0;
}

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function hasNaN(o: Operand, n: number): boolean {
  if (isScalar(o)) return o.value !== o.value;
  if (o.type !== 'float64') return false;
  const v = o.values;
  for (let i = 0; i < n; i++) if (v[i] !== v[i]) return true;
  return false;
}

function compareWithNaN(op: CompareOp, x: NumArray | number, y: NumArray | number, n: number, out: Uint8Array): void {
  const X = typeof x === 'number' ? null : x;
  const Y = typeof y === 'number' ? null : y;
  const xv = typeof x === 'number' ? x : 0;
  const yv = typeof y === 'number' ? y : 0;
  for (let i = 0; i < n; i++) out[i] = cmpScalar(op, numberOrder(X ? X[i]! : xv, Y ? Y[i]! : yv), 0) ? 1 : 0;
}

function compareNumbers(op: CompareOp, x: NumArray | number, y: NumArray | number, n: number, out: Uint8Array): void {
  if (typeof x === 'number' && typeof y === 'number') {
    out.fill(cmpScalar(op, x, y) ? 1 : 0);
    return;
  }
  if (typeof x === 'number') {
    compareNumbers(FLIPPED[op], y, x, n, out); // swap to column-vs-scalar
    return;
  }
  const X = x;
  if (typeof y === 'number') {
    switch (op) {
      case '=':
        for (let i = 0; i < n; i++) out[i] = X[i] === y ? 1 : 0;
        break;
      case '!=':
        for (let i = 0; i < n; i++) out[i] = X[i] !== y ? 1 : 0;
        break;
      case '<':
        for (let i = 0; i < n; i++) out[i] = X[i]! < y ? 1 : 0;
        break;
      case '<=':
        for (let i = 0; i < n; i++) out[i] = X[i]! <= y ? 1 : 0;
        break;
      case '>':
        for (let i = 0; i < n; i++) out[i] = X[i]! > y ? 1 : 0;
        break;
      case '>=':
        for (let i = 0; i < n; i++) out[i] = X[i]! >= y ? 1 : 0;
        break;
    }
    return;
  }
  const Y = y;
  switch (op) {
    case '=':
      for (let i = 0; i < n; i++) out[i] = X[i] === Y[i] ? 1 : 0;
      break;
    case '!=':
      for (let i = 0; i < n; i++) out[i] = X[i] !== Y[i] ? 1 : 0;
      break;
    case '<':
      for (let i = 0; i < n; i++) out[i] = X[i]! < Y[i]! ? 1 : 0;
      break;
    case '<=':
      for (let i = 0; i < n; i++) out[i] = X[i]! <= Y[i]! ? 1 : 0;
      break;
    case '>':
      for (let i = 0; i < n; i++) out[i] = X[i]! > Y[i]! ? 1 : 0;
      break;
    case '>=':
      for (let i = 0; i < n; i++) out[i] = X[i]! >= Y[i]! ? 1 : 0;
      break;
  }
}

function cmpScalar<T extends number | bigint>(op: CompareOp, x: T, y: T): boolean {
  switch (op) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

/** Byte-wise comparison of UTF-8 strings (= code point order). */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const m = Math.min(la, lb);
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
      : {
          data: (o as BytesVec).data,
          offsets: (o as BytesVec).offsets,
        };
  const A = side(a);
  const B = side(b);
  const eqOnly = op === '=' || op === '!=';
  if (eqOnly && (A.offsets === null) !== (B.offsets === null)) {
    const col = A.offsets ? A : B;
    equalsConstant(col.data, col.offsets!, A.offsets ? B.data : A.data, op === '!=', n, out);
    return;
  }
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

/**
 * `x IN (c1, c2, ...)` of a string column against non-null string constants, in one pass: the
 * general path makes a compare and an OR of bool vectors per item (TPC-H Q22: substring(c_phone,
 * 1, 2) against 7 codes was 13 passes over 150 K rows, in each of two scans). Null where x is
 * null, as the ORed compares give.
 */
export function inStrings(x: BytesVec, items: readonly Uint8Array[], n: number): Vec {
  const out = new Uint8Array(n);
  const { data, offsets } = x;
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const len = offsets[i + 1]! - s;
    for (let j = 0; j < items.length; j++) {
      const c = items[j]!;
      if (c.length !== len) continue;
      let k = 0;
      while (k < len && data[s + k] === c[k]) k++;
      if (k === len) {
        out[i] = 1;
        break;
      }
    }
  }
  return { type: 'bool', values: out, validity: x.validity };
}

/** The hot case of string filters (`= 'MAIL'`, `isin(...)`): a column against one constant. */
function equalsConstant(
  data: Uint8Array,
  offsets: Int32Array,
  c: Uint8Array,
  negated: boolean,
  n: number,
  out: Uint8Array,
): void {
  const len = c.length;
  const hit = negated ? 0 : 1;
  const miss = 1 - hit;
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    if (offsets[i + 1]! - s !== len) {
      out[i] = miss;
      continue;
    }
    let k = 0;
    while (k < len && data[s + k] === c[k]) k++;
    out[i] = k === len ? hit : miss;
  }
}

/** Three-valued AND / OR: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE, otherwise NULL wins. */
export function logical(op: 'and' | 'or', a: Operand, b: Operand, n: number): Operand {
  if (isScalar(a) && !isScalar(b)) return logical(op, b, a, n);
  if (isScalar(a) && isScalar(b)) {
    const [x, y] = [a.value, b.value];
    const dom = op === 'and' ? 0 : 1;
    return {
      scalar: true,
      type: 'bool',
      value: x === dom || y === dom ? dom : x === null || y === null ? null : 1 - dom,
    };
  }
  const dominant = op === 'and' ? 0 : 1;
  if (isScalar(b)) {
    if (b.value === dominant) return b; // FALSE AND x, TRUE OR x
    if (b.value !== null) return a; // TRUE AND x, FALSE OR x
    // x AND NULL: FALSE where x is FALSE, else NULL (dually for OR).
    const x = a as Extract<Vec, { type: 'bool' }>;
    const validity = newValidity(n, false);
    for (let i = 0; i < n; i++) if (x.values[i] === dominant && isValid(x.validity, i)) setValid(validity, i, true);
    return { type: 'bool', values: x.values, validity };
  }
  const x = a as Extract<Vec, { type: 'bool' }>;
  const y = b as Extract<Vec, { type: 'bool' }>;
  const X = x.values;
  const Y = y.values;
  const out = new Uint8Array(n);
  if (op === 'and') for (let i = 0; i < n; i++) out[i] = X[i]! & Y[i]!;
  else for (let i = 0; i < n; i++) out[i] = X[i]! | Y[i]!;
  if (!x.validity && !y.validity) return { type: 'bool', values: out, validity: null };
  // A row is NULL when one side is NULL and the other is not the dominant value.
  const validity = newValidity(n);
  for (let i = 0; i < n; i++) {
    const xn = !isValid(x.validity, i);
    const yn = !isValid(y.validity, i);
    if ((xn || yn) && !((!xn && X[i] === dominant) || (!yn && Y[i] === dominant))) setValid(validity, i, false);
  }
  return { type: 'bool', values: out, validity };
}

export function negateBool(a: Vec & { type: 'bool' }): Vec {
  const out = new Uint8Array(a.values.length);
  for (let i = 0; i < out.length; i++) out[i] = a.values[i] ? 0 : 1;
  return { type: 'bool', values: out, validity: a.validity };
}

/** IS [NOT] NULL: never NULL itself. */
export function nullTest(a: Operand, negated: boolean, n: number): Operand {
  if (isScalar(a)) return { scalar: true, type: 'bool', value: (a.value === null) !== negated ? 1 : 0 };
  const out = new Uint8Array(n);
  const v = a.validity;
  if (!v) return { scalar: true, type: 'bool', value: negated ? 1 : 0 };
  for (let i = 0; i < n; i++) out[i] = isValid(v, i) === negated ? 1 : 0;
  return { type: 'bool', values: out, validity: null };
}

/** Rows where a predicate is true (null counts as false): a selection vector. */
export function selectionOf(pred: Operand, n: number): Int32Array | null {
  if (isScalar(pred)) return pred.value === 1 ? null : new Int32Array(0);
  const sel = new Int32Array(n);
  const k = selectInto(pred as Extract<Vec, { type: 'bool' }>, n, sel);
  return k === n ? null : sel.subarray(0, k);
}

/** The rows of the first `n` where `v` is true (not null), written into `out`; returns how many. */
export function selectInto(v: Extract<Vec, { type: 'bool' }>, n: number, out: Int32Array): number {
  let k = 0;
  const bits = v.values;
  if (v.validity) {
    for (let i = 0; i < n; i++) if (bits[i] && isValid(v.validity, i)) out[k++] = i;
  } else {
    for (let i = 0; i < n; i++) if (bits[i]) out[k++] = i;
  }
  return k;
}

export const isArithmetic = (op: BinaryOp): op is '+' | '-' | '*' | '/' | '%' =>
  op === '+' || op === '-' || op === '*' || op === '/' || op === '%';
export const isComparison = (op: BinaryOp): op is CompareOp =>
  op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
