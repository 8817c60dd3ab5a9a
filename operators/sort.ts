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

/** Rows of `v` ordered by one sort key (NULLs first or last, either direction). */
export function keyComparator(v: Vec, key: SortKey): Cmp {
  const c = sortColumn(v, key);
  return (a, b) => compareBy(c, a, b);
}

/**
 * One sort key's column as `compareRows` reads it: every key type in one object shape, so the
 * comparator's property loads stay monomorphic. The comparator is a module-level function (not a
 * closure per batch): its optimized code lives as long as the process, where a closure's would be
 * dropped with the closure at the next full GC and compiled again on the next query.
 */
interface SortColumn {
  /** Which of the value fields holds the key: BYTES, FLOATS, INTS, BIGINTS or OTHER (any other array, compared with < and >). */
  readonly kind: number;
  readonly floats: Float64Array | null;
  readonly ints: Int32Array | null;
  readonly bigints: BigInt64Array | null;
  readonly other: ArrayLike<number | bigint> | null;
  readonly offsets: Int32Array | null;
  readonly data: Uint8Array | null;
  readonly validity: Uint8Array | null;
  /** 1 ascending, -1 descending. */
  readonly dir: number;
  /** Where a NULL goes relative to a value: -1 first, 1 last. */
  readonly nullOrder: number;
}

const BYTES = 0;
const FLOATS = 1;
const INTS = 2;
const BIGINTS = 3;
const OTHER = 4;

function sortColumn(v: Vec, key: SortKey): SortColumn {
  const c = {
    kind: OTHER,
    floats: null as Float64Array | null,
    ints: null as Int32Array | null,
    bigints: null as BigInt64Array | null,
    other: null as ArrayLike<number | bigint> | null,
    offsets: null as Int32Array | null,
    data: null as Uint8Array | null,
    validity: v.validity,
    dir: key.desc ? -1 : 1,
    nullOrder: key.nullsFirst ? -1 : 1,
  };
  if (isBytesVec(v)) {
    c.kind = BYTES;
    c.offsets = v.offsets;
    c.data = v.data;
    return c;
  }
  if (isOpaqueVec(v)) throw new InternalError('OPAQUE_KEY', `a ${v.type} column cannot be a sort key`);
  const x = v.values;
  if (x instanceof Float64Array) {
    c.kind = FLOATS;
    c.floats = x;
  } else if (x instanceof Int32Array) {
    c.kind = INTS;
    c.ints = x;
  } else if (x instanceof BigInt64Array) {
    c.kind = BIGINTS;
    c.bigints = x;
  } else c.other = x;
  return c;
}

/** Rows a and b by one key, as `keyComparator` orders them (each kind reads its own array: monomorphic loads). */
function compareBy(c: SortColumn, a: number, b: number): number {
  const validity = c.validity;
  if (validity !== null) {
    const va = isValid(validity, a);
    const vb = isValid(validity, b);
    if (!va || !vb) return va === vb ? 0 : !va ? c.nullOrder : -c.nullOrder;
  }
  let r: number;
  const kind = c.kind;
  if (kind === FLOATS) r = compareNumbers(c.floats![a]!, c.floats![b]!);
  else if (kind === INTS) {
    const x = c.ints!;
    r = x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0;
  } else if (kind === BIGINTS) {
    const x = c.bigints!;
    r = x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0;
  } else if (kind === OTHER) {
    const x = c.other!;
    r = x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0;
  } else {
    const o = c.offsets!;
    r = compareBytes(c.data!, o[a]!, o[a + 1]!, c.data!, o[b]!, o[b + 1]!);
  }
  return c.dir === 1 ? r : -r;
}

/** The keys `compareRows` sorts by: set only while one `sortPermutation` sorts (sorting is synchronous). */
let sorting: readonly SortColumn[] = [];

function compareRows(a: number, b: number): number {
  const cols = sorting;
  for (let k = 0; k < cols.length; k++) {
    const r = compareBy(cols[k]!, a, b);
    if (r !== 0) return r;
  }
  return a - b;
}

/** The sorted order of a batch's rows by the given keys (stable). */
function sortPermutation(b: Batch, keys: readonly SortKey[], evals: readonly Evaluator[]): Int32Array {
  const cols: Vec[] = [];
  for (let i = 0; i < keys.length; i++) cols.push(materialize(evals[i]!(b), b.length));
  // One integer key without nulls (dates, ids, counts): a stable LSD radix sort, no comparator.
  const only = cols.length === 1 ? cols[0]! : null;
  if (only && (only.type === 'int32' || only.type === 'date') && !only.validity)
    return radixPermutation(only.values, keys[0]!.desc);
  const columns: SortColumn[] = [];
  for (let i = 0; i < keys.length; i++) columns.push(sortColumn(cols[i]!, keys[i]!));
  const perm = new Int32Array(b.length);
  for (let i = 0; i < perm.length; i++) perm[i] = i;
  sorting = columns;
  try {
    return perm.sort(compareRows);
  } finally {
    sorting = [];
  }
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
