/**
 * A build side's rows whose key lies within a scan task's bounds (planner/buildRanges.ts). Each
 * batch's key bounds are found once per batch (the broadcast batches are shared by an executor's
 * tasks): a batch wholly within a task's bounds is kept as it is, one wholly outside is dropped,
 * and only one that straddles them is filtered — so a task's cost follows its batches, not every
 * row of the build side (a build side read in key order straddles at most two). Keys are read from
 * their typed arrays, an int64 as two 32-bit words (little-endian), never a BigInt per row. Null
 * keys may stay either way: they never match.
 */
import type { Batch, Vec } from '../../operators/vector.js';
import { takeBatch } from '../../operators/vector.js';

const WORD = 2 ** 32;

/** A key as (signed high word, unsigned low word); an int32 or date key has high word 0 or -1. */
type Key = readonly [number, number];

const keyOf = (x: number): Key => {
  const h = Math.floor(x / WORD);
  return [h, x - h * WORD];
};
const below = (ah: number, al: number, bh: number, bl: number) => ah < bh || (ah === bh && al < bl);

/** Least and greatest key of a column's n values, null values included (they never match). */
function keyBounds(v: Vec, n: number): readonly [Key, Key] {
  if (v.type === 'int32' || v.type === 'date') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = v.values[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return [keyOf(lo), keyOf(hi)];
  }
  if (v.type !== 'int64') throw new Error(`a ranged build key is int32, date or int64, not ${v.type}`);
  const w = new Int32Array(v.values.buffer, v.values.byteOffset, 2 * n);
  let [lh, ll, hh, hl] = [w[1]!, w[0]! >>> 0, w[1]!, w[0]! >>> 0];
  for (let i = 1; i < n; i++) {
    const h = w[2 * i + 1]!;
    const l = w[2 * i]! >>> 0;
    if (below(h, l, lh, ll)) [lh, ll] = [h, l];
    if (below(hh, hl, h, l)) [hh, hl] = [h, l];
  }
  return [
    [lh, ll],
    [hh, hl],
  ];
}

/** Key bounds by column vector: computed once for the batches every task of an executor reads. */
const boundsCache = new WeakMap<Vec, readonly [Key, Key]>();

/** Indexes of the rows of an int32/date or int64 column within [lo, hi] (safe integers). */
export function selectWithin(v: Vec, n: number, lo: number, hi: number, out: Int32Array): number {
  let k = 0;
  if (v.type === 'int32' || v.type === 'date') {
    const a = v.values;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if (x >= lo && x <= hi) out[k++] = i;
    }
    return k;
  }
  if (v.type !== 'int64') throw new Error(`a ranged build key is int32, date or int64, not ${v.type}`);
  const w = new Int32Array(v.values.buffer, v.values.byteOffset, 2 * n);
  const [lh, ll] = keyOf(lo);
  const [hh, hl] = keyOf(hi);
  for (let i = 0; i < n; i++) {
    const h = w[2 * i + 1]!;
    const l = w[2 * i]! >>> 0;
    if (!below(h, l, lh, ll) && !below(hh, hl, h, l)) out[k++] = i;
  }
  return k;
}

/** The rows of `parts` whose column `key` lies within [lo, hi]. */
export function rowsWithin(parts: readonly Batch[], key: number, lo: number, hi: number): Batch[] {
  const [lh, ll] = keyOf(lo);
  const [hh, hl] = keyOf(hi);
  const out: Batch[] = [];
  for (const b of parts) {
    if (!b.length) continue;
    const v = b.columns[key]!;
    let bounds = boundsCache.get(v);
    if (!bounds) {
      bounds = keyBounds(v, b.length);
      boundsCache.set(v, bounds);
    }
    const [[mh, ml], [xh, xl]] = bounds;
    if (below(xh, xl, lh, ll) || below(hh, hl, mh, ml)) continue; // wholly outside
    if (!below(mh, ml, lh, ll) && !below(hh, hl, xh, xl)) {
      out.push(b); // wholly within
      continue;
    }
    const sel = new Int32Array(b.length);
    const k = selectWithin(v, b.length, lo, hi, sel);
    if (k > 0) out.push(takeBatch(b, sel.subarray(0, k)));
  }
  return out;
}
