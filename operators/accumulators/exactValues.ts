/**
 * Values held exactly by the quantile aggregates (sketch.ts, quantiles.ts): a number or a BigInt
 * in the column's storage representation — doubles and int32s (dates as days) as numbers, int64s,
 * timestamps (counts of their unit) and decimals (unscaled) as numbers while below 2^53, BigInts
 * beyond. JS compares a number with a BigInt by value, so mixed arrays sort exactly. Also: their
 * binary encoding for partial states, a column of them, and an exact ratio rounded once to a double.
 */
import type { DataType } from '../../planner/types.js';
import { isDecimal, storageType } from '../../planner/types.js';
import { decimalArray, doublesOf, vecDoubles } from '../decimal.js';
import type { Vec } from '../vector.js';
import { isDecimalVec, newValidity, setValid } from '../vector.js';

export type Exact = number | bigint;

/** Ascending by value; NaN last (Spark orders NaN above every double). */
export function compareExact(a: Exact, b: Exact): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const na = a !== a;
  const nb = b !== b;
  return na === nb ? 0 : na ? 1 : -1;
}

/** A column's values (n rows) as exact numbers where they fit, else its BigInts; null for the NULL literal. */
export function exactValues(v: Vec, n: number): ArrayLike<Exact> | null {
  if (isDecimalVec(v)) return vecDoubles(v, n)?.doubles ?? v.values;
  const values = (v as { values?: ArrayLike<Exact> }).values;
  if (!values) return null;
  if (values instanceof BigInt64Array) return doublesOf(values, n)?.doubles ?? values;
  return values;
}

const TAG_DOUBLES = 0;
const TAG_INT64 = 1;
const TAG_INT128 = 2;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `header` (small non-negative integers) and `values` as bytes: a tag word (0: doubles, 1: int64,
 * 2: int128 as low then high word), the header's length and words, then the values — doubles when
 * every value is a number, else the narrowest integer width that holds them all.
 */
export function encodeExact(header: readonly number[], values: readonly Exact[]): Uint8Array {
  let tag = TAG_DOUBLES;
  for (const x of values)
    if (typeof x === 'bigint') {
      if (x < INT64_MIN || x > INT64_MAX) {
        tag = TAG_INT128;
        break;
      }
      tag = TAG_INT64;
    }
  const lead = 2 + header.length;
  const width = tag === TAG_INT128 ? 2 : 1;
  const buf = new ArrayBuffer(8 * (lead + width * values.length));
  const head = new Float64Array(buf, 0, lead);
  head[0] = tag;
  head[1] = header.length;
  head.set(header, 2);
  if (tag === TAG_DOUBLES) new Float64Array(buf, 8 * lead).set(values as readonly number[]);
  else {
    const w = new BigInt64Array(buf, 8 * lead);
    values.forEach((x, i) => {
      const b = BigInt(x);
      if (width === 1) w[i] = b;
      else {
        w[2 * i] = BigInt.asIntN(64, b);
        w[2 * i + 1] = b >> 64n;
      }
    });
  }
  return new Uint8Array(buf);
}

/** The header and values of encodeExact's bytes. */
export function decodeExact(bytes: Uint8Array): { header: number[]; values: Exact[] } {
  const buf = bytes.slice().buffer;
  const d = new Float64Array(buf);
  const tag = d[0]!;
  const lead = 2 + d[1]!;
  const header = Array.from(d.subarray(2, lead));
  if (tag === TAG_DOUBLES) return { header, values: Array.from(d.subarray(lead)) };
  const w = new BigInt64Array(buf, 8 * lead);
  if (tag === TAG_INT64) return { header, values: Array.from(w) };
  const values: Exact[] = new Array(w.length / 2);
  for (let i = 0; i < values.length; i++) values[i] = (w[2 * i + 1]! << 64n) + BigInt.asUintN(64, w[2 * i]!);
  return { header, values };
}

/** Exact values (null = NULL) as a column of `type`, in its storage representation. */
export function exactColumn(type: DataType, xs: readonly (Exact | null)[]): Vec {
  const n = xs.length;
  let validity: Uint8Array | null = null;
  for (let i = 0; i < n; i++)
    if (xs[i] === null) {
      validity ??= newValidity(n);
      setValid(validity, i, false);
    }
  const st = storageType(type);
  if (isDecimal(st)) {
    const out = decimalArray(st, n);
    for (let i = 0; i < n; i++) out[i] = BigInt(xs[i] ?? 0);
    return { type: st, values: out, validity };
  }
  if (st === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(xs[i] ?? 0);
    return { type: st, values: out, validity };
  }
  if (st === 'int32' || st === 'date')
    return { type: st, values: Int32Array.from(xs, (x) => Number(x ?? 0)), validity };
  return { type: 'float64', values: Float64Array.from(xs, (x) => Number(x ?? 0)), validity };
}

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/** p / q (q > 0) rounded once to the nearest double (ties to even): 66+ quotient bits and a sticky bit. */
export function ratioToDouble(p: bigint, q: bigint): number {
  if (p === 0n) return 0;
  const neg = p < 0n;
  const a = neg ? -p : p;
  const k = 66 + bitLength(q) - bitLength(a);
  const num = k > 0 ? a << BigInt(k) : a;
  const den = k < 0 ? q << BigInt(-k) : q;
  let quo = num / den;
  if (num % den !== 0n) quo |= 1n;
  const x = Number(quo) * 2 ** -k;
  return neg ? -x : x;
}
