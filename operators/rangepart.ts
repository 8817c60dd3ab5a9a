/**
 * Range partitioning for a global sort: map tasks sample their sort keys, the driver picks
 * n-1 boundaries from the samples, and rows go to the range their key falls in — so sorting
 * each range and reading ranges in order gives the global order.
 */
import type { SortKey } from '../planner/plan.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { bytesAt, isDecimalVec, isValid, latin1, valueAt } from './vector.js';
import { compareValues } from '../planner/order.js';

export type KeyValue = number | bigint | string | boolean | null;
export type KeyTuple = readonly KeyValue[];

/** A key tuple as it travels in task reports and job state (JSON): an int64 as `{ int64: '…' }`. */
export type KeyTupleJson = readonly (number | string | boolean | null | { readonly int64: string })[];

export function keyTupleToJson(t: KeyTuple): KeyTupleJson {
  return t.map((v) => (typeof v === 'bigint' ? { int64: String(v) } : v));
}

export function keyTupleFromJson(t: KeyTupleJson): KeyTuple {
  return t.map((v) => (v !== null && typeof v === 'object' ? BigInt(v.int64) : v));
}

function compareOne(a: KeyValue, b: KeyValue, k: SortKey): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === k.nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b);
  return k.desc ? -c : c;
}

/** Order of two key tuples under the sort keys (the same order Sort produces). */
function compareTuples(a: KeyTuple, b: KeyTuple, keys: readonly SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const c = compareOne(a[i]!, b[i]!, keys[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** The key tuple of every row of a batch. */
function keyTuples(b: Batch, keys: readonly SortKey[], schema: Schema): KeyTuple[] {
  const cols = keys.map((k) => materialize(compileExpr(k.expr, schema)(b), b.length));
  // A decimal key is its unscaled value (one scale per column), which orders as the decimal does;
  // a binary key a string of one char per byte, compared the same and JSON-safe.
  const value = (c: Vec, i: number): KeyValue => {
    if (!isValid(c.validity, i)) return null;
    if (isDecimalVec(c)) return c.values[i]!;
    if (c.type === 'binary') return latin1(bytesAt(c, i));
    return valueAt(c, i) as KeyValue;
  };
  return Array.from({ length: b.length }, (_, i) => cols.map((c) => value(c, i)));
}

/** n-1 boundaries at the quantiles of the pooled samples (both in their JSON form). */
export function pickBoundaries(samples: readonly KeyTupleJson[], keys: readonly SortKey[], n: number): KeyTupleJson[] {
  if (n <= 1 || samples.length === 0) return [];
  const sorted = samples.map(keyTupleFromJson).sort((a, b) => compareTuples(a, b, keys));
  const out: KeyTupleJson[] = [];
  for (let i = 1; i < n; i++)
    out.push(keyTupleToJson(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / n))]!));
  return out;
}

/** Partition of each row: the first range whose upper boundary is >= the row's key. */
export function rangePartitions(b: Batch, keys: readonly SortKey[], boundaries: readonly KeyTuple[]): Int32Array {
  const tuples = keyTuples(b, keys, b.schema);
  const out = new Int32Array(b.length);
  for (let i = 0; i < tuples.length; i++) {
    let lo = 0;
    let hi = boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareTuples(tuples[i]!, boundaries[mid]!, keys) <= 0) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** Reservoir sample of up to `k` key tuples over a stream of batches. */
export class KeySampler {
  private readonly tuples: KeyTuple[] = [];
  /** The sample in its JSON form (for the task report). */
  get sample(): KeyTupleJson[] {
    return this.tuples.map(keyTupleToJson);
  }
  private seen = 0;
  private seed = 0x9e3779b9;
  constructor(
    readonly keys: readonly SortKey[],
    readonly k = 128,
  ) {}
  private random(): number {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return (this.seed >>> 0) / 4294967296;
  }
  add(b: Batch): void {
    const tuples = keyTuples(b, this.keys, b.schema);
    for (const t of tuples) {
      this.seen++;
      if (this.tuples.length < this.k) this.tuples.push(t);
      else {
        const j = Math.floor(this.random() * this.seen);
        if (j < this.k) this.tuples[j] = t;
      }
    }
  }
}
