/**
 * NumericKeyIndex's int32 layouts: keys in a narrow range are addressed directly by value, keys
 * that spread out move to the hash table; either way every key keeps the id it first got (ids in
 * order of first sight), lookups of absent keys give -1 and nulls share one group.
 */
import { describe, expect, it } from 'vitest';
import { NumericKeyIndex } from '../operators/numericKeys.js';
import type { Vec } from '../operators/vector.js';

/** An index over a table that hands out ids in order, and the keys it was given. */
function indexed() {
  const keys: (number | null)[] = [];
  const index = new NumericKeyIndex((x, isNull) => keys.push(isNull ? null : Number(x)) - 1);
  return { index, keys };
}

const ints = (values: number[], validity: Uint8Array | null = null): Vec & { values: Int32Array } => ({
  type: 'int32',
  values: Int32Array.from(values),
  validity,
});

/** The ids a first-sight map gives the same batches (the expected group ids). */
function reference(batches: number[][]): number[][] {
  const seen = new Map<number, number>();
  return batches.map((b) =>
    b.map((x) => {
      if (!seen.has(x)) seen.set(x, seen.size);
      return seen.get(x)!;
    }),
  );
}

function run(index: NumericKeyIndex, batches: number[][], insert = true): number[][] {
  return batches.map((b) => [...index.ids(ints(b), b.length, new Int32Array(b.length), insert)]);
}

describe('NumericKeyIndex int32 keys', () => {
  it('addresses clustered keys (a file slice of order keys) directly, growing both ways', () => {
    const { index, keys } = indexed();
    const batches = [
      [1000, 1000, 1001, 1003, 1003, 1002],
      [1004, 1005, 1005, 1001],
      [5, 6, 999, 7], // below the base: the array grows downwards
      [-40, 60000, 1004], // still within 4 slots per key and the minimum span
    ];
    expect(run(index, batches)).toEqual(reference(batches));
    expect(index.intLayout).toBe('direct');
    expect(keys).toEqual([1000, 1001, 1003, 1002, 1004, 1005, 5, 6, 999, 7, -40, 60000]);
    expect(run(index, [[1003, 4, 60000, 60001, -41]], false)).toEqual([[2, -1, 11, -1, -1]]);
  });

  it('keeps TPC-H order keys (8 of every 32), and a hash partition of them, direct', () => {
    const orderKeys = Array.from({ length: 40000 }, (_, i) => 32 * Math.floor(i / 8) + (i % 8) + 1);
    const partition = orderKeys.filter((_, i) => (i * 0x9e3779b1) >>> 31 === 0);
    for (const keys of [orderKeys, partition]) {
      const { index } = indexed();
      const batches = Array.from({ length: 8 }, (_, b) =>
        keys.slice((b * keys.length) / 8, ((b + 1) * keys.length) / 8),
      );
      expect(run(index, batches)).toEqual(reference(batches));
      expect(index.intLayout).toBe('direct');
    }
  });

  it('moves to the hash table when keys spread out, keeping every id', () => {
    const { index } = indexed();
    const dense = Array.from({ length: 3000 }, (_, i) => 2 * i);
    const batches = [dense, [2 ** 30, 4, -(2 ** 31), 2 ** 31 - 1, 6000, 2 ** 30], dense.slice(0, 100).reverse()];
    expect(run(index, [batches[0]!])).toEqual(reference([batches[0]!]));
    expect(index.intLayout).toBe('direct');
    expect(run(index, batches.slice(1))).toEqual(reference(batches).slice(1));
    expect(index.intLayout).toBe('hashed');
    expect(run(index, [[2 ** 30, 1, 5998, 3]], false)).toEqual([[3000, -1, 2999, -1]]);
  });

  it('hashes keys spread out from the first batch, and keeps nulls in one group either way', () => {
    const spread = indexed();
    const wide = Array.from({ length: 100 }, (_, i) => Math.imul(i, 0x9e3779b1));
    expect(run(spread.index, [wide, wide])).toEqual(reference([wide, wide]));
    expect(spread.index.intLayout).toBe('hashed');

    const { index, keys } = indexed();
    const nulls = Uint8Array.of(0b1010); // rows 0 and 2 null, whatever their slots hold
    const a = index.ids(ints([2 ** 31 - 1, 3, -(2 ** 31), 3], nulls), 4, new Int32Array(4), true);
    const b = index.ids(ints([7, 4], Uint8Array.of(0b10)), 2, new Int32Array(2), true);
    expect([...a, ...b]).toEqual([0, 1, 0, 1, 0, 2]);
    expect(keys).toEqual([null, 3, 4]);
    expect(index.intLayout).toBe('direct');
  });
});
