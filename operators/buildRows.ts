/**
 * The rows of a hash join's build side as read: several batches (a broadcast's shuffle blocks, an
 * inlined scan's row groups), concatenated column by column only when a column is first read
 * whole (the key columns, by the index build), and never for a column the probe gathers only a
 * few rows of: those are taken from the batches directly. TPC-H Q18's customer side (150 K
 * c_name strings, for 57 joined rows) is then never copied; each executor builds it once.
 */
import { type DataType, isOpaque, type Schema, storageType } from '../planner/types.js';
import type { Batch, PendingRows, Vec } from './vector.js';
import { concatVecs, emptyBatch, pendingRows, takeOrNull } from './vector.js';

/**
 * A string, binary or opaque column is gathered from the batches while the rows asked of it stay
 * under this share of the build rows (each such row costs about 3 of a concatenation's: locate,
 * take, reorder). A fixed-width column is concatenated when first read (a copy of its array).
 */
const GATHER_SHARE = 1 / 4;

/** Whether a column of this type is worth gathering from the batches rather than concatenating. */
const gathered = (t: DataType): boolean => {
  const s = storageType(t);
  return s === 'string' || s === 'binary' || isOpaque(s);
};

export class BuildRows {
  /** The rows as one batch: a column is concatenated when first read. */
  readonly batch: Batch;
  /** Row number of the first row of each batch, and the total last. */
  private readonly starts: Int32Array;
  /** Per column: concatenated yet. */
  private readonly whole: boolean[];
  /** Per column: rows gathered from the batches so far. */
  private readonly taken: number[];

  constructor(
    readonly schema: Schema,
    private readonly parts: readonly Batch[],
  ) {
    const starts = new Int32Array(parts.length + 1);
    for (let p = 0; p < parts.length; p++) starts[p + 1] = starts[p]! + parts[p]!.length;
    this.starts = starts;
    const length = starts[parts.length]!;
    this.whole = schema.map((f) => parts.length <= 1 || !gathered(f.type));
    this.taken = schema.map(() => 0);
    if (parts.length <= 1) {
      this.batch = parts[0] ?? emptyBatch(schema);
      return;
    }
    const columns: Vec[] = new Array(schema.length);
    schema.forEach((f, i) => {
      Object.defineProperty(columns, i, {
        enumerable: true,
        configurable: true,
        get: () => {
          const v = concatVecs(
            f.type,
            parts.map((b) => b.columns[i]!),
          );
          Object.defineProperty(columns, i, { value: v, enumerable: true, configurable: true, writable: false });
          this.whole[i] = true;
          return v;
        },
      });
    });
    this.batch = { schema, columns, length };
  }

  get length(): number {
    return this.batch.length;
  }

  /**
   * Rows `sel` (-1: null) of column i: pending rows of the whole column, or, for a string,
   * binary or opaque column while few of its rows were asked for, gathered from the batches (the
   * column is never concatenated).
   */
  rows(i: number, sel: Int32Array, cache?: Map<Int32Array, Int32Array>): Vec | PendingRows {
    if (this.whole[i]) return pendingRows(this.batch, i, sel, cache);
    this.taken[i]! += sel.length;
    if (this.taken[i]! > this.length * GATHER_SHARE) return pendingRows(this.batch, i, sel, cache);
    return gatherFromParts(
      this.schema[i]!.type,
      this.parts.map((b) => b.columns[i]!),
      this.starts,
      sel,
    );
  }
}

/** Rows `sel` (-1: null) of the column whose pieces `vs` start at rows `starts`, in `sel`'s order. */
export function gatherFromParts(
  type: Schema[number]['type'],
  vs: readonly Vec[],
  starts: Int32Array,
  sel: Int32Array,
): Vec {
  const n = sel.length;
  const parts = vs.length;
  // Each row's piece (-1: null), and the rows asked of each piece.
  const partOf = new Int32Array(n);
  const counts = new Int32Array(parts);
  for (let k = 0; k < n; k++) {
    const r = sel[k]!;
    if (r < 0) {
      partOf[k] = -1;
      continue;
    }
    let lo = 0;
    let hi = parts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    partOf[k] = lo;
    counts[lo]!++;
  }
  // Taken piece by piece, then put in `sel`'s order.
  const first = new Int32Array(parts + 1);
  for (let p = 0; p < parts; p++) first[p + 1] = first[p]! + counts[p]!;
  const local = new Int32Array(first[parts]!);
  const at = first.slice(0, parts);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const p = partOf[k]!;
    if (p < 0) {
      order[k] = -1;
      continue;
    }
    const j = at[p]!++;
    local[j] = sel[k]! - starts[p]!;
    order[k] = j;
  }
  const pieces: Vec[] = [];
  for (let p = 0; p < parts; p++)
    if (counts[p]! > 0) pieces.push(takeOrNull(vs[p]!, local.subarray(first[p]!, first[p + 1]!)));
  const joined = pieces.length === 1 ? pieces[0]! : concatVecs(type, pieces);
  return takeOrNull(joined, order);
}
