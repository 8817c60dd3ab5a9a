/**
 * Radix partitions of a large aggregate's input (DuckDB's radix-partitioned aggregation). A
 * group table of a million groups spends its time in cache misses: every probe of its index and
 * every update of a state lands on a line no other row of the batch touched (~150 ns a key at a
 * million groups, against ~30 ns while the table fits in cache). So once a final aggregate's
 * table passes a bound (radixGroups()), its rows go to 2^RADIX_BITS partitions by bits of their
 * keys' hash instead; at the end each partition is aggregated on its own into a table that fits
 * in cache, and its groups are emitted before the next one starts.
 *
 * A key's rows all land in one partition, in the order they came, so merging states that depend
 * on order (first, collect_list) sees them as before. The bits are taken from the top of a
 * remixed hash: the shuffle that fed this task partitioned by the same hash's low bits.
 *
 * Rows are copied column by column into per-partition growing arrays (int64 as word pairs,
 * decimals as their exact doubles when known): no object per row or per batch and partition.
 * Columns of other layouts (strings, BigInt decimals, opaque values) are kept as gathered
 * pieces, concatenated when the partition is read.
 */
import type { DataType, DecimalType, Schema } from '../planner/types.js';
import { isDecimal } from '../planner/types.js';
import { decimalVecOfDoubles, vecDoubles } from './decimal.js';
import { hashRows } from './hash.js';
import type { Batch, DecimalVec, Vec } from './vector.js';
import { concatVecs, int64Words, isBytesVec, isOpaqueVec, isValid, newValidity, setValid, take } from './vector.js';

/** 64 partitions: a task's million groups become tables of ~16 K groups (a few hundred KB each). */
export const RADIX_BITS = 6;

/** Partitions of fewer rows than this in all share one table when they are aggregated (a table of 16 K groups fits in L2). */
export const RADIX_TABLE_ROWS = 1 << 14;

/**
 * Partitions holding more than this many rows per bound's worth of groups are compacted (each
 * partition's rows aggregated into its groups' states): input that repeats its keys (partial
 * aggregates that could not reduce) must not pile up unbounded.
 */
export const RADIX_COMPACT = 32;

/** Groups a final aggregate's table may hold before its input is radix-partitioned. */
let radixBound = 1 << 17;

/** The bound: a table of that many groups (index, keys, states: a few MB) still mostly fits in cache. */
export function radixGroups(): number {
  return radixBound;
}

/** Sets the bound (tests: a small one, so that a few rows already partition); returns the previous one. */
export function setRadixGroups(groups: number): number {
  const before = radixBound;
  radixBound = groups;
  return before;
}

function remix(h: number): number {
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return h ^ (h >>> 15);
}

// Rows 0..n of src, each to the end of its partition's array (part[i]; pos: each array's next
// row, advanced). One pass in row order: the source is read once, sequentially, while each of
// the partitions' arrays is written sequentially too (a large batch read partition by partition
// would miss the cache on every row). One small function per array type keeps each monomorphic.
function scatterInts(src: Int32Array, dsts: Int32Array[], pos: Int32Array, part: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = part[i]!;
    dsts[p]![pos[p]!++] = src[i]!;
  }
}
function scatterDoubles(src: Float64Array, dsts: Float64Array[], pos: Int32Array, part: Int32Array, n: number) {
  for (let i = 0; i < n; i++) {
    const p = part[i]!;
    dsts[p]![pos[p]!++] = src[i]!;
  }
}
function scatterBytes(src: Uint8Array, dsts: Uint8Array[], pos: Int32Array, part: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = part[i]!;
    dsts[p]![pos[p]!++] = src[i]!;
  }
}
/** int64 rows as (low, high) word pairs (pos counts words). */
function scatterWords(src: Int32Array, dsts: Int32Array[], pos: Int32Array, part: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = part[i]!;
    const d = dsts[p]!;
    const o = pos[p]!;
    d[o] = src[2 * i]!;
    d[o + 1] = src[2 * i + 1]!;
    pos[p] = o + 2;
  }
}
/** Validity flags (1: valid) of rows 0..n. */
function scatterFlags(validity: Uint8Array, dsts: Uint8Array[], pos: Int32Array, part: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = part[i]!;
    dsts[p]![pos[p]!++] = isValid(validity, i) ? 1 : 0;
  }
}

/** How a column's rows are held: values copied into typed arrays (i64: two int32 words a row; dbl: a decimal's exact doubles), or gathered pieces. */
type Layout = 'i32' | 'f64' | 'u8' | 'i64' | 'dbl' | 'pieces';
type Flat = Int32Array | Float64Array | Uint8Array;

/** One column's rows in every partition. */
class ColumnParts {
  layout: Layout | null = null;
  /** Per partition: the values (typed layouts), their validity flags (1: valid; null while every row was valid). */
  readonly flat: (Flat | null)[];
  readonly valid: (Uint8Array | null)[];
  /** The greatest |double| held per partition (dbl). */
  readonly max: Float64Array;
  /** Per partition: the gathered pieces (pieces layout). */
  readonly pieces: Vec[][];

  constructor(
    readonly type: DataType,
    count: number,
  ) {
    this.flat = new Array<Flat | null>(count).fill(null);
    this.valid = new Array<Uint8Array | null>(count).fill(null);
    this.max = new Float64Array(count);
    this.pieces = Array.from({ length: count }, () => []);
    this.pos = new Int32Array(count);
  }

  /** The layout `c` can be copied in, or 'pieces'. */
  private layoutOf(c: Vec, n: number): { layout: Layout; src: Flat | null; max: number } {
    if (isBytesVec(c) || isOpaqueVec(c)) return { layout: 'pieces', src: null, max: 0 };
    if (isDecimal(c.type)) {
      const known = vecDoubles(c as DecimalVec, n);
      if (known) return { layout: 'dbl', src: known.doubles, max: known.max };
      const v = c.values;
      return v instanceof BigInt64Array
        ? { layout: 'i64', src: int64Words(v), max: 0 }
        : { layout: 'pieces', src: null, max: 0 };
    }
    const v = (c as { values: unknown }).values;
    if (v instanceof Int32Array) return { layout: 'i32', src: v, max: 0 };
    if (v instanceof Float64Array) return { layout: 'f64', src: v, max: 0 };
    if (v instanceof Uint8Array) return { layout: 'u8', src: v, max: 0 };
    if (v instanceof BigInt64Array) return { layout: 'i64', src: int64Words(v), max: 0 };
    return { layout: 'pieces', src: null, max: 0 };
  }

  /** Next row (word) of each partition's array while a batch is scattered. */
  private readonly pos: Int32Array;

  /**
   * Adds column `c`'s rows to their partitions (row i to part[i]; `order[starts[p]..starts[p+1])`
   * lists partition p's rows, computed when a column needs it), whose rows so far number `held[p]`.
   */
  add(c: Vec, n: number, part: Int32Array, starts: Int32Array, order: () => Int32Array, held: Int32Array): void {
    let { layout, src, max } = this.layoutOf(c, n);
    // A decimal held as doubles that comes as int64 (or the reverse) is held as pieces from then on.
    if (this.layout !== null && this.layout !== layout) {
      if (this.layout !== 'pieces') this.toPieces(held);
      layout = 'pieces';
    }
    this.layout = layout;
    const count = this.flat.length;
    if (layout === 'pieces') {
      for (let p = 0; p < count; p++) {
        const from = starts[p]!;
        const to = starts[p + 1]!;
        if (from < to) this.pieces[p]!.push(take(c, order().slice(from, to)));
      }
      return;
    }
    const words = layout === 'i64' ? 2 : 1;
    const validity = c.validity;
    for (let p = 0; p < count; p++) {
      const rows = starts[p + 1]! - starts[p]!;
      if (rows === 0) continue;
      const at = held[p]!;
      const need = at + rows;
      const dst = this.flat[p];
      if (!dst || dst.length < need * words) {
        const cap = Math.max(need, 2 * (dst ? dst.length / words : 0), 256);
        const next = new (src!.constructor as Int32ArrayConstructor)(cap * words) as Flat;
        if (dst) next.set(dst as never);
        this.flat[p] = next;
        const v = this.valid[p];
        if (v) {
          const nv = new Uint8Array(cap).fill(1);
          nv.set(v.subarray(0, at));
          this.valid[p] = nv;
        }
      }
      if (layout === 'dbl' && max > this.max[p]!) this.max[p] = max;
      if (validity && !this.valid[p]) this.valid[p] = new Uint8Array(this.flat[p]!.length / words).fill(1);
      else if (!validity && this.valid[p]) this.valid[p]!.fill(1, at, need);
    }
    const pos = this.pos;
    if (validity) {
      pos.set(held);
      scatterFlags(validity, this.valid as Uint8Array[], pos, part, n);
    }
    if (layout === 'i64') {
      for (let p = 0; p < count; p++) pos[p] = 2 * held[p]!;
      scatterWords(src as Int32Array, this.flat as Int32Array[], pos, part, n);
      return;
    }
    pos.set(held);
    if (layout === 'i32') scatterInts(src as Int32Array, this.flat as Int32Array[], pos, part, n);
    else if (layout === 'u8') scatterBytes(src as Uint8Array, this.flat as Uint8Array[], pos, part, n);
    else scatterDoubles(src as Float64Array, this.flat as Float64Array[], pos, part, n);
  }

  /** Partition p's first `n` rows as a column; the partition lets them go. */
  take(p: number, n: number): Vec {
    const layout = this.layout;
    if (layout === 'pieces' || layout === null) {
      const list = this.pieces[p]!;
      this.pieces[p] = [];
      return list.length === 1 ? list[0]! : concatVecs(this.type, list);
    }
    const flat = this.flat[p]!;
    const flags = this.valid[p];
    this.flat[p] = null;
    this.valid[p] = null;
    let validity: Uint8Array | null = null;
    if (flags) {
      for (let i = 0; i < n; i++)
        if (flags[i] === 0) {
          validity ??= newValidity(n);
          setValid(validity, i, false);
        }
    }
    if (layout === 'dbl')
      return decimalVecOfDoubles(this.type as DecimalType, (flat as Float64Array).slice(0, n), this.max[p]!, validity);
    const values = layout === 'i64' ? new BigInt64Array((flat as Int32Array).slice(0, 2 * n).buffer) : flat.slice(0, n);
    return { type: this.type, values, validity } as Vec;
  }

  /** Turns every partition's copied rows into a piece (a batch came that cannot be copied). */
  private toPieces(held: Int32Array): void {
    for (let p = 0; p < this.flat.length; p++) {
      if (this.flat[p]) this.pieces[p]!.push(this.take(p, held[p]!));
    }
    this.layout = 'pieces';
  }
}

export class RadixPartitions {
  readonly count = 1 << RADIX_BITS;
  /** Rows held by each partition. */
  readonly rows = new Int32Array(this.count);
  private readonly columns: ColumnParts[];
  private hashes = new Int32Array(0);
  private order = new Int32Array(0);
  private readonly starts = new Int32Array(this.count + 1);
  private readonly next = new Int32Array(this.count);

  constructor(readonly schema: Schema) {
    this.columns = schema.map((f) => new ColumnParts(f.type, this.count));
  }

  /** Splits `b` (whose key columns are `keys`) into the partitions, copying its rows. */
  add(b: Batch, keys: readonly Vec[]): void {
    const n = b.length;
    if (n === 0) return;
    if (this.hashes.length < n) {
      this.hashes = new Int32Array(n);
      this.order = new Int32Array(n);
    }
    const h = hashRows(keys, n, this.hashes);
    const shift = 32 - RADIX_BITS;
    // Each row's partition, and how many rows each partition gets.
    const starts = this.starts;
    starts.fill(0);
    for (let i = 0; i < n; i++) {
      const p = remix(h[i]!) >>> shift;
      h[i] = p;
      starts[p + 1]!++;
    }
    for (let p = 0; p < this.count; p++) starts[p + 1]! += starts[p]!;
    let sorted: Int32Array | null = null;
    // Each partition's rows in order (a counting sort), for columns kept as gathered pieces.
    const order = (): Int32Array => {
      if (sorted) return sorted;
      const next = this.next;
      next.set(starts.subarray(0, this.count));
      sorted = this.order;
      for (let i = 0; i < n; i++) sorted[next[h[i]!]!++] = i;
      return sorted;
    };
    for (let c = 0; c < this.columns.length; c++) this.columns[c]!.add(b.columns[c]!, n, h, starts, order, this.rows);
    for (let p = 0; p < this.count; p++) this.rows[p]! += starts[p + 1]! - starts[p]!;
  }

  /** Rows held in all partitions. */
  get held(): number {
    let n = 0;
    for (let p = 0; p < this.count; p++) n += this.rows[p]!;
    return n;
  }

  /** Partition p's rows as one batch (null when it has none); the partition lets them go. */
  take(p: number): Batch | null {
    const n = this.rows[p]!;
    if (n === 0) return null;
    this.rows[p] = 0;
    return { schema: this.schema, columns: this.columns.map((c) => c.take(p, n)), length: n };
  }
}
