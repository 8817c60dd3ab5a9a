/**
 * NumericKeyIndex's int32 layouts: keys in a narrow range are addressed directly by value, keys
 * that spread out in ascending runs of their own ranges (sorted files read in any order) sit in
 * sorted runs, others move to the hash table; in every layout each key keeps the id it first got
 * (ids in order of first sight), lookups of absent keys give -1 and nulls share one group.
 */
import { describe, expect, it } from 'vitest';
import { NumericKeyIndex } from '../operators/numericKeys.js';
import type { Vec } from '../operators/vector.js';

/**
 * An index over a table that hands out ids in order, and the keys it was given; with `bulk` the
 * table also takes a batch's new int32 keys at once (as GroupTable does).
 */
function indexed(bulk = false) {
  const keys: (number | null)[] = [];
  const addNumber = (x: number | bigint, isNull: boolean) => keys.push(isNull ? null : Number(x)) - 1;
  const index = new NumericKeyIndex(
    bulk ? { addNumber, addInts: (xs: Int32Array, m: number) => keys.push(...xs.subarray(0, m)) - m } : { addNumber },
  );
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
    // 3001 falls between two keys of the run the direct array became: the keys are not clustered.
    const batches = [dense, [2 ** 30, 4, -(2 ** 31), 2 ** 31 - 1, 6000, 2 ** 30, 3001], dense.slice(0, 100).reverse()];
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

  /** TPC-H order keys (8 of every 32) of `files` files, one in `parts` of them (a hash partition), files read in name order (part-1, part-10, …). */
  function partitionOfFiles(files: number, perFile: number, parts: number): number[][] {
    const names = Array.from({ length: files }, (_, f) => f).sort((a, b) => String(a).localeCompare(String(b)));
    return names.map((f) =>
      Array.from({ length: perFile }, (_, i) => f * perFile + i)
        .map((o) => 32 * Math.floor(o / 8) + (o % 8) + 1)
        .filter((k) => Math.imul(k, 0x9e3779b1) >>> 28 === 3 % parts),
    );
  }

  it('keeps clustered keys too sparse for a direct array in sorted runs (files read out of order)', () => {
    const { index, keys } = indexed();
    const files = partitionOfFiles(24, 20000, 16);
    // The files' keys one after another, each file starting with the previous one's last key (an
    // order split between them), in batches that run across files (part-0, part-1 and part-10 in the first).
    const stream = files.flatMap((file, f) => (f > 0 ? [files[f - 1]!.at(-1)!, ...file] : file));
    const batches: number[][] = [];
    for (let at = 0, b = 0; at < stream.length; b++) {
      const size = [4100, 700, 2500][b % 3]!;
      batches.push(stream.slice(at, at + size));
      at += size;
    }
    expect(run(index, batches)).toEqual(reference(batches));
    expect(index.intLayout).toBe('runs');
    expect(new Set(keys).size).toBe(keys.length);
    // Lookups (a join's probes) move the keys to the hash table first; ids stay.
    const probe = [files[5]![7]!, files[5]![7]! + 1, files[20]![0]!, -5, 2 ** 31 - 1];
    expect(run(index, [probe], false)).toEqual([probe.map((x) => keys.indexOf(x))]);
    expect(index.intLayout).toBe('hashed');
  });

  it('leaves sorted runs for the hash table on a key inside a run, keeping the ids this batch gave', () => {
    const { index } = indexed();
    const sparse = Array.from({ length: 5000 }, (_, i) => 1000 * i);
    const batches = [
      sparse.slice(0, 10),
      sparse,
      [7_000_000, 8_000_000, 1500, 7_000_000, 9_000_000],
      [8_000_000, 1500, 2],
    ];
    expect(run(index, batches)).toEqual(reference(batches));
    expect(index.intLayout).toBe('hashed');
  });

  it('leaves sorted runs when keys seen before come out of order often, or when the runs grow too many', () => {
    const again = indexed();
    const sparse = Array.from({ length: 20000 }, (_, i) => 1000 * i);
    const twice = [sparse.slice(0, 100), sparse, sparse.slice(5000, 10000)];
    expect(run(again.index, twice)).toEqual(reference(twice));
    expect(again.index.intLayout).toBe('hashed');

    const many = indexed();
    const falling = [sparse.slice(0, 100), Array.from({ length: 6000 }, (_, i) => -1000 * (i + 1))];
    expect(run(many.index, falling)).toEqual(reference(falling));
    expect(many.index.intLayout).toBe('hashed');
  });

  it('keeps nulls in one group in sorted runs', () => {
    const { index, keys } = indexed();
    const sparse = Array.from({ length: 100 }, (_, i) => 100000 * i);
    index.ids(ints(sparse), 100, new Int32Array(100), true);
    expect(index.intLayout).toBe('runs');
    const ids = index.ids(ints([5, 9_999_999, 7, 100000], Uint8Array.of(0b1010)), 4, new Int32Array(4), true);
    expect([...ids]).toEqual([100, 101, 100, 1]);
    expect(keys.slice(100)).toEqual([null, 9_999_999]);
    expect(index.intLayout).toBe('runs');
  });

  it('keeps its direct array across a reset, moved to where the next keys are (a partial aggregate flushing)', () => {
    const { index, keys } = indexed(true);
    const orderKeys = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => 32 * Math.floor((from + i) / 8) + ((from + i) % 8) + 1).flatMap((k) =>
        k % 3 ? [k, k, k] : [k],
      );
    const first = [orderKeys(0, 3000), orderKeys(3000, 3000)];
    expect(run(index, first)).toEqual(reference(first));
    expect(keys.length).toBe(6000);
    // Keys far above and then below the ones held before: the array, emptied, moves with them.
    for (const from of [10_000_000, 40_000, 3_000_000]) {
      expect(index.reset()).toBe(true);
      keys.length = 0;
      // (At 40 000 the first batch descends: the array, moved to its first key, grows downwards.)
      const head = from === 40_000 ? orderKeys(from, 2000).reverse() : orderKeys(from, 2000);
      const next = [head, orderKeys(from + 2000, 2500), [orderKeys(from, 1)[0]!]];
      expect(run(index, next)).toEqual(reference(next));
      expect(index.intLayout).toBe('direct');
      expect(keys).toEqual([...new Set(next.flat())]);
      expect(run(index, [[orderKeys(0, 1)[0]!, next[0]![5]!]], false)).toEqual([[-1, reference(next)[0]![5]]]);
    }
    // A wider batch than the array: a new one. Other layouts are not kept.
    expect(index.reset()).toBe(true);
    keys.length = 0;
    const wide = [Array.from({ length: 20000 }, (_, i) => 2 * i)];
    expect(run(index, wide)).toEqual(reference(wide));
    expect(index.intLayout).toBe('direct');
    const sparse = indexed(true);
    run(sparse.index, [Array.from({ length: 100 }, (_, i) => 100000 * i)]);
    expect(sparse.index.intLayout).toBe('runs');
    expect(sparse.index.reset()).toBe(false);
  });

  it('hands the rest of a batch to sorted runs, or the hash table, from the first key the direct array cannot take', () => {
    for (const [tail, layout] of [
      [[9_000_000, 9_000_064, 9_000_128], 'runs'],
      [[9_000_000, 4_000_000, 2001, 9_000_000, 7], 'hashed'],
    ] as const) {
      const { index, keys } = indexed(true);
      const dense = Array.from({ length: 3000 }, (_, i) => 2 * i);
      // The second batch starts inside the array (repeats, new keys), then jumps far above it.
      const batches = [dense, [4, 4, 6001, 6003, 6003, 2, ...tail, 6005, 6001]];
      expect(run(index, batches)).toEqual(reference(batches));
      expect(index.intLayout).toBe(layout);
      expect(keys).toEqual([...new Set(batches.flat())]);
    }
  });

  for (const bulk of [false, true])
    it(`gives first-sight ids in every layout for runs of many shapes (seeded random${bulk ? ', new keys added by batch' : ''})`, () => {
      seededShapes(bulk);
    });
});

/** Runs at random bases and steps through a fresh index: first-sight ids, and every layout reached. */
function seededShapes(bulk: boolean): void {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const before = new Set<string>();
  const layouts = new Set<string>();
  for (let trial = 0; trial < 60; trial++) {
    const { index } = indexed(bulk);
    const batches: number[][] = [];
    // Ascending runs at random bases and steps, some repeating keys seen before, some random keys.
    const runs = 1 + rnd(12);
    let stream: number[] = [];
    for (let r = 0; r < runs; r++) {
      const base = rnd(4) === 0 ? (stream[rnd(stream.length + 1)] ?? 0) : rnd(1 << 24) - (1 << 23);
      const step = 1 + rnd(rnd(2) ? 8 : 5000);
      const len = 1 + rnd(rnd(2) ? 20 : 3000);
      for (let k = 0; k < len; k++) {
        stream.push(base + step * k);
        if (rnd(50) === 0) stream.push(stream[rnd(stream.length)]!);
      }
    }
    if (rnd(3) === 0) stream = stream.map((x) => (rnd(200) === 0 ? rnd(1 << 30) : x));
    for (let at = 0; at < stream.length; ) {
      const size = 1 + rnd(4000);
      batches.push(stream.slice(at, at + size));
      at += size;
    }
    expect(run(index, batches)).toEqual(reference(batches));
    before.add(index.intLayout);
    const ids = new Map<number, number>();
    for (const x of stream) if (!ids.has(x)) ids.set(x, ids.size);
    const probe = [...stream.slice(0, 50), 1 << 29, -(1 << 29)];
    expect(run(index, [probe], false)).toEqual([probe.map((x) => ids.get(x) ?? -1)]);
    layouts.add(index.intLayout);
  }
  expect([...before].sort()).toEqual(['direct', 'hashed', 'runs']);
  // Lookups leave sorted runs for the hash table; the direct array stays.
  expect([...layouts].sort()).toEqual(['direct', 'hashed']);
}
