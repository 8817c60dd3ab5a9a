/**
 * Sort and TopN: a permutation over the key columns' typed arrays (numbers compared directly,
 * int64 as BigInts, strings by bytes), nulls placed per key. TopN keeps only the best n rows as it goes.
 */
import { InternalError } from '../planner/errors.js';
import type { SortKey } from '../planner/plan.js';
import type { Schema } from '../planner/types.js';
import { compileExpr, type Evaluator } from './eval.js';
import { compareBytes } from './kernels.js';
import { compareNumbers } from '../planner/order.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { concatBatches, isBytesVec, isOpaqueVec, isValid, sliceBatch, takeBatch } from './vector.js';

export type Cmp = (a: number, b: number) => number;

export function keyComparator(v: Vec, key: SortKey): Cmp {
  const dir = key.desc ? -1 : 1;
  const nullOrder = key.nullsFirst ? -1 : 1;
  const validity = v.validity;
  let base: Cmp;
  if (isBytesVec(v)) {
    const { offsets, data } = v;
    base = (a, b) => compareBytes(data, offsets[a]!, offsets[a + 1]!, data, offsets[b]!, offsets[b + 1]!);
  } else {
    if (isOpaqueVec(v)) throw new InternalError('OPAQUE_KEY', `a ${v.type} column cannot be a sort key`);
    const x = v.values;
    base =
      x instanceof Float64Array
        ? (a, b) => compareNumbers(x[a]!, x[b]!)
        : (a, b) => (x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0);
  }
  if (!validity) return dir === 1 ? base : (a, b) => -base(a, b);
  return (a, b) => {
    const va = isValid(validity, a);
    const vb = isValid(validity, b);
    if (!va || !vb) return va === vb ? 0 : !va ? nullOrder : -nullOrder;
    return dir * base(a, b);
  };
}

/** The sorted order of a batch's rows by the given keys (stable). */
function sortPermutation(b: Batch, keys: readonly SortKey[], evals: readonly Evaluator[]): Int32Array {
  const cols = keys.map((_, i) => materialize(evals[i]!(b), b.length));
  // One integer key without nulls (dates, ids, counts): a stable LSD radix sort, no comparator.
  const only = cols.length === 1 ? cols[0]! : null;
  if (only && (only.type === 'int32' || only.type === 'date') && !only.validity)
    return radixPermutation(only.values, keys[0]!.desc);
  const cmps = keys.map((k, i) => keyComparator(cols[i]!, k));
  const perm = new Int32Array(b.length);
  for (let i = 0; i < perm.length; i++) perm[i] = i;
  return perm.sort((a, c) => {
    for (const cmp of cmps) {
      const r = cmp(a, c);
      if (r !== 0) return r;
    }
    return a - c;
  });
}

/** Stable ascending (or descending) order of int32 keys: four 8-bit LSD passes over the indices. */
export function radixPermutation(values: Int32Array, desc: boolean): Int32Array {
  const n = values.length;
  // Map to unsigned order (flip the sign bit); descending sorts the complement, which keeps ties stable.
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = desc ? ~(values[i]! ^ 0x80000000) >>> 0 : (values[i]! ^ 0x80000000) >>> 0;
  let src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Int32Array(n);
  const counts = new Int32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[src[i]!]! >>> shift) & 255]!++;
    if (counts.some((c) => c === n)) continue; // every key has the same byte here: nothing moves
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = src[i]!;
      dst[counts[(keys[r]! >>> shift) & 255]!++] = r;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

export class SortOperator implements Operator {
  readonly name = 'Sort';
  private readonly evals: Evaluator[];
  constructor(
    readonly keys: readonly SortKey[],
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.evals = keys.map((k) => compileExpr(k.expr, schema, ctx.udfs));
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const all: Batch[] = [];
    for await (const b of input) all.push(b);
    if (all.length === 0) return;
    const b = concatBatches(this.schema, all);
    yield takeBatch(b, sortPermutation(b, this.keys, this.evals));
  }
}

export class TopNOperator implements Operator {
  readonly name = 'TopN';
  private readonly evals: Evaluator[];
  constructor(
    readonly keys: readonly SortKey[],
    readonly n: number,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.evals = keys.map((k) => compileExpr(k.expr, schema, ctx.udfs));
  }
  private top(bs: Batch[]): Batch {
    const b = concatBatches(this.schema, bs);
    const perm = sortPermutation(b, this.keys, this.evals);
    return takeBatch(b, perm.subarray(0, Math.min(this.n, perm.length)));
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    let buffer: Batch[] = [];
    let rows = 0;
    for await (const b of input) {
      buffer.push(b);
      rows += b.length;
      if (rows > Math.max(4 * this.n, 65_536)) {
        const t = this.top(buffer);
        buffer = [t];
        rows = t.length;
      }
    }
    if (buffer.length === 0 || this.n === 0) return;
    yield sliceBatch(this.top(buffer), 0, this.n);
  }
}
