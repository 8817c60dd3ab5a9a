/**
 * Gathering rows (take) on every column type, with nulls: the block-copy path for long runs
 * (filters that keep most rows) and the row-by-row path must both give exactly the rows chosen.
 */
import { describe, expect, it } from 'vitest';
import { take, takeBatch, takeOrNull, valueAt, vecFromValues, type Vec } from '../operators/vector.js';
import type { OpaqueType, VecType } from '../planner/types.js';

function rng(seed: number) {
  return () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const N = 5000;
const random = rng(7);
const columns: Record<Exclude<VecType, OpaqueType>, unknown[]> = {
  int32: Array.from({ length: N }, (_, i) => (i % 17 === 0 ? null : i * 3 - 7000)),
  int64: Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : i * 1e6)),
  float64: Array.from({ length: N }, (_, i) => (i % 11 === 0 ? null : i / 7)),
  date: Array.from({ length: N }, (_, i) => (i % 19 === 0 ? null : 9000 + i)),
  bool: Array.from({ length: N }, (_, i) => (i % 23 === 0 ? null : i % 2 === 0)),
  string: Array.from({ length: N }, (_, i) =>
    i % 29 === 0 ? null : i % 5 === 0 ? '' : `v${i}${'ü'.repeat(i % 4)}${'x'.repeat(i % 40)}`,
  ),
  binary: Array.from({ length: N }, (_, i) =>
    i % 31 === 0 ? null : Uint8Array.from({ length: i % 7 }, (_, k) => (i * 37 + k * 101) & 0xff),
  ),
};

const selections: Record<string, Int32Array> = {
  'most rows (long runs)': Int32Array.from({ length: N }, (_, i) => i).filter(() => random() > 0.02),
  'few rows (scattered)': Int32Array.from({ length: N }, (_, i) => i).filter(() => random() > 0.9),
  'every other row': Int32Array.from({ length: N / 2 }, (_, i) => 2 * i),
  'all rows': Int32Array.from({ length: N }, (_, i) => i),
  reversed: Int32Array.from({ length: N }, (_, i) => N - 1 - i),
};

const values = (v: Vec, n: number) => Array.from({ length: n }, (_, i) => valueAt(v, i));

describe('take', () => {
  for (const [type, raw] of Object.entries(columns) as [keyof typeof columns, unknown[]][]) {
    const vec = vecFromValues(type, raw);
    const expected = values(vec, N);
    for (const [name, sel] of Object.entries(selections)) {
      it(`${type}: ${name}`, () => {
        expect(values(take(vec, sel), sel.length)).toEqual(Array.from(sel, (r) => expected[r]));
      });
    }
  }

  it('takeBatch keeps every column aligned, and takeOrNull fills -1 with nulls', () => {
    const schema = (Object.keys(columns) as (keyof typeof columns)[]).map((t) => ({
      name: t,
      type: t,
      nullable: true,
    }));
    const batch = { schema, length: N, columns: schema.map((f) => vecFromValues(f.type, columns[f.type])) };
    const sel = selections['most rows (long runs)']!;
    const out = takeBatch(batch, sel);
    for (let c = 0; c < schema.length; c++)
      expect(values(out.columns[c]!, sel.length)).toEqual(Array.from(sel, (r) => valueAt(batch.columns[c]!, r)));
    const withHoles = Int32Array.from([3, -1, 10, -1]);
    expect(values(takeOrNull(batch.columns[0]!, withHoles), 4)).toEqual([
      columns.int32[3],
      null,
      columns.int32[10],
      null,
    ]);
  });
});

describe('radix sort permutation', () => {
  it('orders int32 keys ascending and descending, stably, like a comparator sort', async () => {
    const { radixPermutation } = await import('../operators/sort.js');
    const r = rng(3);
    const values = Int32Array.from({ length: 20_000 }, () => Math.floor((r() - 0.5) * 2 ** 31) >> (r() > 0.5 ? 20 : 0));
    for (const desc of [false, true]) {
      const expected = Array.from(values.keys()).sort(
        (a, b) => (desc ? values[b]! - values[a]! : values[a]! - values[b]!) || a - b,
      );
      expect(Array.from(radixPermutation(values, desc))).toEqual(expected);
    }
  });
});
