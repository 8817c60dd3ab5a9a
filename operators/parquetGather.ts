/**
 * Gathers of the page decoder (parquetPages.ts): rows of a dictionary or a column by index, one
 * loop per storage type; strings of one width (flags, codes) without reading their offsets; a
 * column of present values spread over its rows with nulls between.
 */
import { takeDecimalDoubles } from './decimal.js';
import type { Vec } from './vector.js';
import { owning } from './ownedColumns.js';
import { columnArray } from './spareArrays.js';
import { isDecimalVec, newValidity, setValid, take, vecFromValues, vecLength } from './vector.js';

/**
 * Rows `idx` of `v` (a dictionary and its codes, or a column and a selection), one loop per
 * storage type (the generic `take` is polymorphic over array types, and slow here).
 */
export function gather(v: Vec, idx: Int32Array): Vec {
  const n = idx.length;
  let validity: Uint8Array | null = null;
  if (v.validity) {
    const src = v.validity;
    validity = newValidity(n);
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      if ((src[i >> 3]! & (1 << (i & 7))) === 0) validity[k >> 3]! &= ~(1 << (k & 7));
    }
  }
  switch (v.type) {
    case 'int32':
    case 'date': {
      const values = gatherInt32(v.values, idx);
      return owning({ type: v.type, values, validity }, values);
    }
    case 'float64': {
      const values = gatherFloat64(v.values, idx);
      return owning({ type: v.type, values, validity }, values);
    }
    case 'int64': {
      const values = gatherInt64(v.values, idx);
      return owning({ type: v.type, values, validity }, values);
    }
    case 'string':
    case 'binary': {
      const { offsets, data, own } = gatherBytes(v.offsets, v.data, idx);
      return owning({ offsets, data, type: v.type, validity }, ...own);
    }
    default:
      if (isDecimalVec(v)) {
        let doubles: Float64Array | null = null;
        const d = takeDecimalDoubles(v, idx, validity, (from) => (doubles = gatherFloat64(from, idx)));
        if (d) return doubles ? owning(d, doubles) : d;
      }
      return { ...take(v, idx), validity } as Vec;
  }
}

function gatherInt32(src: Int32Array, idx: Int32Array): Int32Array {
  const out = columnArray(Int32Array, idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = src[idx[k]!]!;
  return out;
}

function gatherFloat64(src: Float64Array, idx: Int32Array): Float64Array {
  const out = columnArray(Float64Array, idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = src[idx[k]!]!;
  return out;
}

function gatherInt64(src: BigInt64Array, idx: Int32Array): BigInt64Array {
  // As two int32 words per value: no BigInt per row.
  const from = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
  const out = columnArray(BigInt64Array, idx.length);
  const to = new Int32Array(out.buffer, 0, 2 * idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]! * 2;
    to[2 * k] = from[i]!;
    to[2 * k + 1] = from[i + 1]!;
  }
  return out;
}

/** Rows `idx` of strings: their offsets and bytes, and those of the two arrays that are fresh (`own`: not shared). */
function gatherBytes(
  so: Int32Array,
  src: Uint8Array,
  idx: Int32Array,
): { offsets: Int32Array; data: Uint8Array; own: Uint8Array[] } {
  const n = idx.length;
  const width = so.length - 1 <= n ? uniformWidth(so) : -1;
  if (width >= 0) {
    const fixed = gatherFixed(so[0]!, width, src, idx);
    return { ...fixed, own: [fixed.data] };
  }
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    total += so[i + 1]! - so[i]!;
    offsets[k + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    const s = so[i]!;
    const e = so[i + 1]!;
    const o = offsets[k]!;
    if (e - s <= 32) for (let j = 0; j < e - s; j++) data[o + j] = src[s + j]!;
    else data.set(src.subarray(s, e), o);
  }
  return { offsets, data, own: [data] };
}

/** The dictionary with a null appended (the code of null rows). */
export function withNullEntry(dict: Vec): Vec {
  const n = vecLength(dict);
  const sel = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) sel[i] = i;
  sel[n] = 0;
  const grown = n ? take(dict, sel) : vecFromValues(dict.type, [null]);
  const validity = newValidity(n + 1);
  setValid(validity, n, false);
  return { ...grown, validity } as Vec;
}

/** Values of the present rows spread over all rows, nulls between. */
export function spread(v: Vec, present: Uint8Array, rows: number): Vec {
  if (vecLength(v) === 0) return vecFromValues(v.type, new Array<null>(rows).fill(null));
  const sel = new Int32Array(rows);
  const validity = newValidity(rows);
  for (let i = 0, k = 0; i < rows; i++) {
    if (present[i]) sel[i] = k++;
    else setValid(validity, i, false);
  }
  return { ...take(v, sel), validity } as Vec;
}

/** The byte length every value of `so` has, or -1 when they differ. */
function uniformWidth(so: Int32Array): number {
  const n = so.length - 1;
  if (n < 1) return -1;
  const width = so[1]! - so[0]!;
  for (let i = 1; i < n; i++) if (so[i + 1]! - so[i]! !== width) return -1;
  return width;
}

/** Widths whose offsets are shared (`widthOffsets`): flags and short codes. */
const SHARED_WIDTHS = 16;
/** Offsets k * width (k = 0, 1, …), by width: one array each, grown as longer columns come. */
const sharedOffsets: Int32Array[] = [];

/**
 * The offsets of `n` values all `width` bytes long: 0, width, 2 * width, …. For short widths a
 * view of one array shared by every such column (as vectors are never written once built): a
 * column of flags (Q1's l_returnflag, l_linestatus) costs its bytes, not 4 more per row.
 */
export function widthOffsets(width: number, n: number): Int32Array {
  let o = width <= SHARED_WIDTHS ? sharedOffsets[width] : undefined;
  if (!o || o.length < n + 1) {
    o = new Int32Array(Math.max(n + 1, o ? 2 * o.length : 0));
    for (let k = 1; k < o.length; k++) o[k] = k * width;
    if (width <= SHARED_WIDTHS) sharedOffsets[width] = o;
  }
  return o.length === n + 1 ? o : o.subarray(0, n + 1);
}

/**
 * Rows `idx` of values all `width` bytes long, stored from `start` in `src` (a dictionary of
 * flags or codes): offsets without reading the source's, bytes copied without a loop per value
 * when they are single bytes.
 */
function gatherFixed(start: number, width: number, src: Uint8Array, idx: Int32Array) {
  const n = idx.length;
  const offsets = widthOffsets(width, n);
  const data = columnArray(Uint8Array, n * width);
  copyFixed(data, start, width, src, idx);
  return { offsets, data };
}

/**
 * The copy loops of `gatherFixed`, in their own function: inside it, V8 compiled `gatherFixed` on
 * stack (OSR) before its return had ever run, and that cached code deoptimized on every later
 * call (Q1: ~75 deopts a run).
 */
function copyFixed(data: Uint8Array, start: number, width: number, src: Uint8Array, idx: Int32Array): void {
  const n = idx.length;
  if (width === 1) for (let k = 0; k < n; k++) data[k] = src[start + idx[k]!]!;
  else
    for (let k = 0, o = 0; k < n; k++, o += width) {
      const s = start + idx[k]! * width;
      for (let j = 0; j < width; j++) data[o + j] = src[s + j]!;
    }
}
