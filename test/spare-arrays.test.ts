/**
 * Recycled arrays (operators/spareArrays.ts): an aggregate's group table, key index and
 * accumulators grow into buffers an earlier aggregate handed back. A recycled buffer must start
 * as a fresh array would (its old values gone), and aggregates run one after another on
 * recycled buffers must find the same groups and sums as a plain Map.
 */
import { describe, expect, it } from 'vitest';
import { ACCUMULATORS, NO_INIT } from '../operators/accumulators.js';
import { GroupTable } from '../operators/hash.js';
import { growArray, recycle, spareArray, spareArrayBytes } from '../operators/spareArrays.js';
import type { Vec } from '../operators/vector.js';
import { vecFromValues } from '../operators/vector.js';
import type { DataType } from '../planner/types.js';

describe('spare arrays', () => {
  it('a recycled buffer comes back filled as asked, whatever it held', () => {
    const dirty = new Int32Array(1 << 18).fill(7);
    recycle(dirty);
    const a = spareArray(Int32Array, 100_000, -1);
    expect(a.buffer).toBe(dirty.buffer); // the recycled one
    expect(a.length).toBe(100_000);
    expect(a.every((x) => x === -1)).toBe(true);
    recycle(a);
    const z = spareArray(Float64Array, 50_000);
    expect(z.every((x) => x === 0)).toBe(true);
    recycle(z);
  });

  it('growArray keeps the elements and fills the new room', () => {
    const a = Float64Array.from({ length: 70_000 }, (_, i) => i + 0.5);
    const dirty = new Float64Array(1 << 18).fill(3);
    recycle(dirty);
    const g = growArray(a, 100_000, -1);
    expect(g.length).toBe(140_000);
    expect(g[69_999]).toBe(69_999.5);
    expect(g[70_000]).toBe(-1);
    expect(g[139_999]).toBe(-1);
  });
});

const DEC = 'decimal(15,2)' as DataType;

/** One aggregate's groups and sums over batches of (key, value) rows, as the operator drives them. */
function aggregate(type: DataType, batches: { keys: unknown[]; values: bigint[] }[]): Map<string, [bigint, number]> {
  const table = new GroupTable([type]);
  const sum = ACCUMULATORS.sum(DEC, 'decimal(25,2)' as DataType, NO_INIT);
  const count = ACCUMULATORS.count(DEC, 'int64', NO_INIT);
  for (const b of batches) {
    const n = b.keys.length;
    const ids = table.groupIds([vecFromValues(type, b.keys)], n);
    const v = vecFromValues(DEC, b.values);
    sum.update(ids, table.size, v, n);
    count.update(ids, table.size, v, n);
  }
  const g = table.size;
  const [keys] = table.keyColumns() as [Vec & { values?: ArrayLike<unknown>; offsets?: Int32Array; data?: Uint8Array }];
  const sums = sum.evaluate(g) as Vec & { values: ArrayLike<bigint> };
  const counts = count.evaluate(g) as Vec & { values: BigInt64Array };
  table.release();
  sum.release?.();
  count.release?.();
  const out = new Map<string, [bigint, number]>();
  for (let i = 0; i < g; i++) {
    const key = keys.offsets
      ? new TextDecoder().decode(keys.data!.subarray(keys.offsets[i]!, keys.offsets[i + 1]!))
      : String(keys.values![i]);
    out.set(key, [BigInt(sums.values[i]!), Number(counts.values[i]!)]);
  }
  return out;
}

function expected(batches: { keys: unknown[]; values: bigint[] }[]): Map<string, [bigint, number]> {
  const out = new Map<string, [bigint, number]>();
  for (const b of batches)
    b.keys.forEach((k, i) => {
      const [s, c] = out.get(String(k)) ?? [0n, 0];
      out.set(String(k), [s + 100n * b.values[i]!, c + 1]); // unscaled: decimal(15,2)
    });
  return out;
}

/** Rows with keys from `key(i)`, in batches of 65536, values varying with the seed. */
function rows(count: number, key: (i: number) => unknown, seed: number) {
  const batches: { keys: unknown[]; values: bigint[] }[] = [];
  for (let at = 0; at < count; at += 65_536) {
    const m = Math.min(65_536, count - at);
    batches.push({
      keys: Array.from({ length: m }, (_, j) => key(at + j)),
      values: Array.from({ length: m }, (_, j) => BigInt(((at + j) * 7919 + seed) % 100_003) - 50_000n),
    });
  }
  return batches;
}

describe('aggregates one after another on recycled arrays', () => {
  // Each task leaves its arrays behind; the next grows into them. Different key sets make stale
  // ids or sums from the previous task show up as wrong groups or sums.
  const tasks: [string, DataType, (task: number) => (i: number) => unknown][] = [
    ['int32 keys in a narrow range (direct array)', 'int32', (t) => (i) => t * 100_000 + Math.floor(i / 3) * 2],
    ['int32 keys spread out (hashed)', 'int32', (t) => (i) => ((i * 2_654_435_761 + t) % 2 ** 31) | 0],
    ['int64 keys', 'int64', (t) => (i) => BigInt(Math.floor(i / 2)) * 4_000_000_007n + BigInt(t)],
    ['double keys', 'float64', (t) => (i) => Math.floor(i / 2) + t / 4],
    ['string keys', 'string', (t) => (i) => `k${(i * 31 + t) % 100_000}`],
  ];
  for (const [name, type, keyOf] of tasks) {
    it(name, () => {
      for (let task = 0; task < 3; task++) {
        const batches = rows(200_000, keyOf(task), task);
        const got = aggregate(type, batches);
        const want = expected(batches);
        expect(got.size).toBe(want.size);
        const wrong = [...want].filter(([k, [s, c]]) => got.get(k)?.[0] !== s || got.get(k)?.[1] !== c);
        expect(wrong.slice(0, 3).map(([k]) => [k, got.get(k)])).toEqual([]);
        expect(spareArrayBytes()).toBeGreaterThan(0); // the next task has buffers to grow into
      }
    });
  }
});
