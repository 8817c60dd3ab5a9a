/**
 * Exact decimals as unscaled integers: a `decimal(p,s)` value v stands for v / 10^s. Columns of
 * up to 18 digits hold them in a BigInt64Array; wider ones in an array of BigInts, or in a
 * BigInt64Array when a kernel knows every value fits in 64 bits (readers read both as BigInts;
 * code that allocates for a wide type allocates BigInts). Rescaling rounds HALF_UP (Spark's
 * rounding); a value with more than p digits does not fit its type, which Spark's non-ANSI mode
 * turns into NULL.
 *
 * Fast path (`exactDoubles`, `longsFromDoubles`): short values are read through the two 32-bit
 * words of the BigInt64Array as integer-valued doubles, exact below 2^52 in magnitude, so kernels
 * and accumulators add, multiply and compare them with double arithmetic and no BigInt at all;
 * they prove beforehand (from the inputs' largest magnitude) that every result stays below 2^53,
 * and otherwise take the BigInt path.
 *
 * Columns those kernels compute, and columns gathered from ones whose doubles are known (a
 * dictionary, a filter's selection), start as their doubles alone (`decimalVecOfDoubles`): the
 * int64 values are built on the first read of `values` (hashing, sorting, shuffling, output),
 * so an intermediate result that only feeds the next kernel or a sum never gets them.
 * `vecDoubles` reads a column's doubles without building them.
 */
import type { DecimalType } from '../planner/types.js';
import { decimalParts, MAX_SHORT_DECIMAL } from '../planner/types.js';
import type { DecimalVec } from './vector.js';

/** The unscaled values of a decimal column. */
export type DecimalArray = BigInt64Array | bigint[];

const POW10: bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));

/** 10^k as a BigInt (0 ≤ k < 80). */
export function pow10(k: number): bigint {
  return POW10[k]!;
}

const TWO32 = 4294967296;
/** Magnitude bound of the fast path's inputs and running sums: 2^52 (results of one + stay below 2^53). */
export const EXACT_LIMIT = 2 ** 52;

/**
 * The unscaled values of a BigInt64Array as doubles (into `out`), read through their 32-bit
 * words; returns the largest magnitude, or Infinity when some value is 2^52 or more (then `out`
 * is incomplete and the caller takes the BigInt path). Slots under nulls are read like others.
 */
export function exactDoubles(values: BigInt64Array, n: number, out: Float64Array): number {
  const w = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const hi = w[2 * i + 1]!;
    if (hi >= 0x100000 || hi < -0x100000 || (hi === -0x100000 && w[2 * i] === 0)) return Number.POSITIVE_INFINITY;
    const x = hi * TWO32 + (w[2 * i]! >>> 0);
    out[i] = x;
    const a = x < 0 ? -x : x;
    if (a > max) max = a;
  }
  return max;
}

/** Exact doubles of an int64 array and an upper bound of their magnitudes (below 2^52). */
export interface ExactDoubles {
  readonly doubles: Float64Array;
  readonly max: number;
}

/** int64 arrays whose exact doubles are known (made by a fast kernel or the decoder), or known not to exist (null). */
const SHADOWS = new WeakMap<BigInt64Array, ExactDoubles | null>();

/** Remembers the exact doubles of `values` (all below 2^52, `max` bounding their magnitudes). */
export function rememberDoubles(values: BigInt64Array, doubles: Float64Array, max: number): void {
  if (max < EXACT_LIMIT) SHADOWS.set(values, { doubles, max });
}

/**
 * The unscaled values of a BigInt64Array as exact doubles, or null when some value is 2^52 or
 * more: remembered per array, so a column read by several kernels and aggregates is converted once.
 */
export function doublesOf(values: BigInt64Array, n: number): ExactDoubles | null {
  const known = SHADOWS.get(values);
  if (known !== undefined && (known === null || known.doubles.length >= n)) return known;
  const doubles = new Float64Array(n);
  const max = exactDoubles(values, n, doubles);
  const found = max < EXACT_LIMIT ? { doubles, max } : null;
  if (n === values.length) SHADOWS.set(values, found);
  return found;
}

/**
 * n unscaled values given as little-endian 32-bit words, `stride` words a value (1: INT32, 2:
 * INT64, 4: Decimal128 whose low 64 bits hold the whole value), as int64 values with their
 * exact doubles built in the same pass (remembered when every value is below 2^52). No BigInt
 * per value. With stride 2 the result shares `words`' memory.
 */
export function longsFromWords(words: Int32Array, n: number, stride: 1 | 2 | 4): BigInt64Array {
  const shared = stride === 2 && words.byteOffset % 8 === 0;
  const out = shared ? new BigInt64Array(words.buffer, words.byteOffset, n) : new BigInt64Array(n);
  const to = shared ? words : new Int32Array(out.buffer);
  const doubles = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[stride * i]!;
    const hi = stride === 1 ? lo >> 31 : words[stride * i + 1]!;
    if (!shared) {
      to[2 * i] = lo;
      to[2 * i + 1] = hi;
    }
    const x = hi * TWO32 + (lo >>> 0);
    doubles[i] = x;
    const a = x < 0 ? -x : x;
    if (a > max) max = a;
  }
  // max ≥ 2^52 (possibly rounded) leaves the array without doubles: readers take the BigInt path.
  rememberDoubles(out, doubles, max);
  return out;
}

/**
 * n unscaled values stored little-endian from `bytes[pos]` (`stride` 1: INT32, 2: INT64, at any
 * alignment) as exact doubles into `out` at `at`; returns their largest magnitude, 2^52 or more
 * when some value is (then the doubles are not exact and the caller reads int64 values instead).
 */
export function doublesFromBytes(
  bytes: Uint8Array,
  pos: number,
  n: number,
  stride: 1 | 2,
  out: Float64Array,
  at: number,
): number {
  // Words through a DataView (one unaligned load each, where byte loads and shifts took four):
  // a 20,000-value INT64 page 250-320 -> 63-110 us, INT32 110-120 -> 82 us.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let max = 0;
  if (stride === 1)
    for (let i = 0, p = pos; i < n; i++, p += 4) {
      const x = view.getInt32(p, true);
      out[at + i] = x;
      const a = x < 0 ? -x : x;
      if (a > max) max = a;
    }
  else
    for (let i = 0, p = pos; i < n; i++, p += 8) {
      const x = view.getInt32(p + 4, true) * TWO32 + view.getUint32(p, true);
      out[at + i] = x;
      const a = x < 0 ? -x : x;
      if (a > max) max = a;
    }
  return max;
}

/** Decimal columns whose int64 values may not be built yet: their exact doubles. */
const LAZY = new WeakMap<object, ExactDoubles>();

/**
 * A decimal column of n = doubles.length values given as exact doubles (integers, every
 * magnitude ≤ max < 2^52): its `values` (int64) are built on first read and remembered with
 * these doubles.
 */
export function decimalVecOfDoubles(
  type: DecimalType,
  doubles: Float64Array,
  max: number,
  validity: Uint8Array | null,
): DecimalVec {
  if (!(max < EXACT_LIMIT)) throw new RangeError(`decimal doubles up to ${max} are not exact`);
  let longs: BigInt64Array | null = null;
  const v = { type } as { type: DecimalType; values: BigInt64Array; validity: Uint8Array | null };
  Object.defineProperty(v, 'values', {
    enumerable: true,
    get(): BigInt64Array {
      if (!longs) {
        longs = longsFromDoubles(doubles, doubles.length);
        rememberDoubles(longs, doubles, max);
      }
      return longs;
    },
  });
  v.validity = validity;
  LAZY.set(v, { doubles, max });
  return v;
}

/**
 * The exact doubles of a short decimal column (without building its int64 values when they are
 * not built yet), computed from its values when unknown; null when it holds BigInts or some
 * value is 2^52 or more.
 */
export function vecDoubles(v: DecimalVec, n: number): ExactDoubles | null {
  const lazy = LAZY.get(v);
  if (lazy) return lazy;
  return v.values instanceof BigInt64Array ? doublesOf(v.values, n) : null;
}

/** The exact doubles of a short decimal column when already known (lazy, or remembered with its values); never computed here. */
export function knownDoubles(v: DecimalVec): ExactDoubles | null {
  return LAZY.get(v) ?? (v.values instanceof BigInt64Array ? (SHADOWS.get(v.values) ?? null) : null);
}

/** The number of values of a decimal column (without building lazy int64 values). */
export function decimalLength(v: DecimalVec): number {
  return LAZY.get(v)?.doubles.length ?? v.values.length;
}

/**
 * Rows `idx` of a decimal column whose doubles are known (or cheap: a column no longer than the
 * gather, such as a dictionary), as a column of gathered doubles (its int64 values built only
 * when read); null when its doubles are not at hand (then gather its values). `gather` takes
 * the rows from the doubles when the caller has a better way (runs of rows copied as blocks).
 */
export function takeDecimalDoubles(
  v: DecimalVec,
  idx: Int32Array,
  validity: Uint8Array | null,
  gather: (doubles: Float64Array) => Float64Array = (from) => gatherDoubles(from, idx),
): DecimalVec | null {
  let known = LAZY.get(v) ?? null;
  if (!known && v.values instanceof BigInt64Array)
    known = (v.values.length <= idx.length ? doublesOf(v.values, v.values.length) : SHADOWS.get(v.values)) ?? null;
  if (!known) return null;
  return decimalVecOfDoubles(v.type, gather(known.doubles), known.max, validity);
}

function gatherDoubles(from: Float64Array, idx: Int32Array): Float64Array {
  const d = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) d[k] = from[idx[k]!]!;
  return d;
}

/**
 * Decimal columns (n values in all) concatenated as their exact doubles when every one's are
 * known (lazy columns, remembered int64 arrays), the int64 values built only when read; null
 * otherwise (then concatenate their values).
 */
export function concatDecimalDoubles(
  type: DecimalType,
  vs: readonly DecimalVec[],
  n: number,
  validity: Uint8Array | null,
): DecimalVec | null {
  const parts: ExactDoubles[] = [];
  for (const v of vs) {
    const known = LAZY.get(v) ?? (v.values instanceof BigInt64Array ? SHADOWS.get(v.values) : null);
    if (!known) return null;
    parts.push(known);
  }
  const d = new Float64Array(n);
  let at = 0;
  let max = 0;
  vs.forEach((v, k) => {
    const m = decimalLength(v);
    d.set(parts[k]!.doubles.subarray(0, m), at);
    at += m;
    max = Math.max(max, parts[k]!.max);
  });
  return decimalVecOfDoubles(type, d, max, validity);
}

/** Integer-valued doubles below 2^53 in magnitude as int64 values, written word by word (no BigInts). */
export function longsFromDoubles(src: Float64Array, n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  const w = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    const hi = Math.floor(x / TWO32);
    w[2 * i] = (x - hi * TWO32) | 0;
    w[2 * i + 1] = hi;
  }
  return out;
}

/** 10^k as a double (exact for k ≤ 22). */
export function pow10Double(k: number): number {
  return 10 ** k;
}

/** Storage for n values of a decimal type (zeros). */
export function decimalArray(t: DecimalType, n: number): DecimalArray {
  return decimalParts(t).precision <= MAX_SHORT_DECIMAL ? new BigInt64Array(n) : new Array<bigint>(n).fill(0n);
}

/** Whether an unscaled value has at most `precision` digits. */
export function fits(v: bigint, precision: number): boolean {
  const bound = POW10[precision]!;
  return v < bound && v > -bound;
}

/** v / 10^k rounded HALF_UP (halves away from zero). */
export function divRound(v: bigint, d: bigint): bigint {
  const q = v / d;
  const r = v - q * d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const dd = d < 0n ? -d : d;
  if (twice < dd) return q;
  return v < 0n !== d < 0n ? q - 1n : q + 1n;
}

/** An unscaled value moved from scale `from` to scale `to` (HALF_UP when digits are dropped). */
export function rescale(v: bigint, from: number, to: number): bigint {
  if (to === from) return v;
  if (to > from) return v * POW10[to - from]!;
  return divRound(v, POW10[from - to]!);
}

/** The text of an unscaled value at a scale, with exactly `scale` fraction digits (Spark's form: 12.30). */
export function formatDecimal(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString();
  if (scale === 0) return neg ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return neg ? `-${text}` : text;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Decimal text (`12.5`, `-0.001`, `1e3`, surrounding spaces allowed) as an unscaled value at
 * `scale`, rounded HALF_UP; null when it is not a number.
 */
export function parseDecimal(text: string, scale: number): bigint | null {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (Math.abs(exp) > 1000) return null;
  const digits = BigInt(`${m[2] || '0'}${frac}`);
  const v = rescaleAny(digits, frac.length - exp, scale);
  return m[1] === '-' ? -v : v;
}

/** rescale for any source scale, negative included (an exponent moves the point right). */
function rescaleAny(v: bigint, from: number, to: number): bigint {
  if (from < 0) return v * 10n ** BigInt(to - from);
  if (to >= from) return v * 10n ** BigInt(to - from);
  return divRound(v, 10n ** BigInt(from - to));
}

/** A double as an unscaled decimal at `scale`, from its exact binary value, HALF_UP (Spark's BigDecimal(double)). */
export function decimalFromDouble(x: number, scale: number): bigint | null {
  if (!Number.isFinite(x)) return null;
  if (Math.abs(x) < 1e21) return parseDecimal(x.toFixed(Math.min(scale, 100)), scale);
  return BigInt(x) * pow10(scale); // |x| ≥ 1e21 is an integer
}

/** An unscaled decimal as the nearest double. */
export function decimalToDouble(v: bigint, scale: number): number {
  return scale === 0 ? Number(v) : Number(`${v}e-${scale}`);
}

/** A JS value (decimal text, number, or a BigInt taken as an integer) as an unscaled decimal; null if not numeric. */
export function toUnscaled(x: unknown, scale: number): bigint | null {
  if (typeof x === 'bigint') return x * pow10(scale);
  if (typeof x === 'number') return decimalFromDouble(x, scale);
  if (typeof x === 'string') return parseDecimal(x, scale);
  return null;
}
