/**
 * Per-partition column buffers of the shuffle writer, for batches whose columns are all fixed
 * width (numbers, dates, timestamps, booleans, decimals as exact doubles or int64 values) or
 * strings and binaries (offsets and bytes, the bytes array grown as it fills). A
 * block of rows is ordered by partition once (a counting sort of their partition numbers), then
 * every column is gathered straight into each partition's buffer: one copy of a value on its way
 * to the encoder. Taking each partition's rows into small batches and joining them at the flush
 * copied every value twice and made an object per partition, column and block (SF10 Q3: 32 M
 * rows into 21 partitions a task; SF10 Q5's orders, Q12's lineitem: batches with a string
 * column into 26 and 14 partitions).
 */
import { EXACT_LIMIT, knownDoubles, decimalVecOfDoubles } from './decimal.js';
import type { Batch, Vec } from './vector.js';
import { isBytesVec, isDecimalVec, isOpaqueVec } from './vector.js';

/**
 * Rows a partition gather reads at a time: a block of the input's columns stays in cache while
 * every partition takes its rows from it; gathering each partition over a whole row group read
 * its columns R times from memory (SF10 Q5, R = 26: the gathers were ~30% of the executor's time).
 */
export const PARTITION_BLOCK_ROWS = 1 << 16;

/**
 * How a column's values are held, hence gathered: 4-byte words (int32, date), 8-byte words
 * (int64 and timestamps, decimals' int64 values: moved as two int32 words, never as BigInts),
 * doubles (float64, decimals' exact doubles), bytes (bool) or variable-width values (strings,
 * binaries: their bytes, with offsets beside).
 */
type Lane = 'i32' | 'i64' | 'f64' | 'u8' | 'decimalDoubles' | 'decimalLongs' | 'bytes';

type LaneArray = Int32Array | Float64Array | Uint8Array;

/** A column's lane and the array its values are gathered from (int64 as its int32 words; strings' bytes, offsets beside); null: not buffered. */
function laneOf(v: Vec): { lane: Lane; from: LaneArray; max: number; offsets?: Int32Array } | null {
  if (isOpaqueVec(v)) return null;
  if (isBytesVec(v)) return { lane: 'bytes', from: v.data, max: 0, offsets: v.offsets };
  if (isDecimalVec(v)) {
    const known = knownDoubles(v);
    if (known && known.max < EXACT_LIMIT) return { lane: 'decimalDoubles', from: known.doubles, max: known.max };
    const values = v.values;
    return values instanceof BigInt64Array ? { lane: 'decimalLongs', from: words(values), max: 0 } : null;
  }
  const values = v.values;
  if (values instanceof Int32Array) return { lane: 'i32', from: values, max: 0 };
  if (values instanceof BigInt64Array) return { lane: 'i64', from: words(values), max: 0 };
  if (values instanceof Float64Array) return { lane: 'f64', from: values, max: 0 };
  return { lane: 'u8', from: values, max: 0 };
}

const words = (values: BigInt64Array) => new Int32Array(values.buffer, values.byteOffset, values.length * 2);

/** Bytes a row's value takes in each lane (strings: their offset; their bytes are counted per batch). */
const LANE_BYTES: Record<Lane, number> = {
  i32: 4,
  i64: 8,
  f64: 8,
  u8: 1,
  decimalDoubles: 8,
  decimalLongs: 8,
  bytes: 4,
};

function newLaneArray(lane: Lane, rows: number): LaneArray {
  switch (lane) {
    case 'i32':
      return new Int32Array(rows);
    case 'i64':
    case 'decimalLongs':
      return new Int32Array(2 * rows);
    case 'f64':
    case 'decimalDoubles':
      return new Float64Array(rows);
    case 'u8':
      return new Uint8Array(rows);
    case 'bytes':
      return new Uint8Array(8 * rows);
  }
}

/**
 * Rows a partition's first buffer has room for; it doubles as rows come, up to the writer's
 * capacity. Allocating every partition's full buffer up front cost more than gathering when a
 * task writes few rows a partition: SF10 Q12's lineitem, ~52 K rows a task into 14 partitions
 * of 65 K-row buffers, allocated (and zeroed) 18 MB a task to fill 0.6 MB of it.
 */
export const FIRST_BUFFER_ROWS = 1024;

/** One partition's rows gathered so far: a values array per column (and a validity bitmap once a null came). */
interface PartitionBuffer {
  /** Per column its values (a string column's bytes, grown as they come; all grown with `size`). */
  values: LaneArray[];
  /** Per string column its offsets (size + 1), else null. */
  offsets: (Int32Array | null)[];
  /** Rows the arrays have room for (grown up to the writer's capacity, when the buffer is full). */
  size: number;
  validity: (Uint8Array | null)[];
  /** Per decimal-doubles column, a bound of the magnitudes gathered. */
  readonly max: number[];
  rows: number;
}

/** What a batch contributes: per column, its lane, source array, validity and (decimal doubles) magnitude bound. */
interface Sources {
  readonly types: Vec['type'][];
  readonly lanes: Lane[];
  readonly from: LaneArray[];
  /** Per string column its offsets into `from`, else null. */
  readonly offsets: (Int32Array | null)[];
  readonly validity: (Uint8Array | null)[];
  readonly max: number[];
}

/** The batch's columns as gather sources, or null when some column cannot be buffered. */
function sourcesOf(b: Batch): Sources | null {
  const s: Sources = { types: [], lanes: [], from: [], offsets: [], validity: [], max: [] };
  for (const v of b.columns) {
    const l = laneOf(v);
    if (!l) return null;
    s.types.push(v.type);
    s.lanes.push(l.lane);
    s.from.push(l.from);
    s.offsets.push(l.offsets ?? null);
    s.validity.push(v.validity);
    s.max.push(l.max);
  }
  return s;
}

/**
 * Gathers rows into per-partition buffers of `capacity(rowBytes)` rows and hands each full
 * buffer, as a batch, to `emit(partition, batch)`; `drain` emits the partly filled ones.
 */
export class PartitionBuffers {
  private readonly buffers: (PartitionBuffer | null)[];
  /** The lanes of the rows buffered (a batch of other lanes drains the buffers first). */
  private lanes: Lane[] | null = null;
  /** The buffered columns' types (a timestamp's is int64, as its values) and the batches' schema. */
  private types: Vec['type'][] = [];
  private schema: Batch['schema'] = [];
  private capacity = 0;
  /** Per partition, the size its last buffer reached: the next one starts there (a partition that filled one fills the next). */
  private readonly sizes: Int32Array;
  /** Row numbers of a block ordered by partition, and where each partition's run starts. */
  private order = new Int32Array(0);
  private readonly starts: Int32Array;
  constructor(
    private readonly partitions: number,
    /** Rows a partition's buffer holds, given the bytes a row takes. */
    private readonly rowsFor: (rowBytes: number) => number,
    private readonly emit: (partition: number, batch: Batch) => void,
  ) {
    this.buffers = new Array<PartitionBuffer | null>(partitions).fill(null);
    this.starts = new Int32Array(partitions + 1);
    this.sizes = new Int32Array(partitions);
  }

  /**
   * Gather rows `lo` … `hi − 1` of `b` into their partitions' buffers (`part[i]`: row i's
   * partition); false (nothing gathered) when some column is not fixed width.
   */
  add(b: Batch, part: Int32Array): boolean {
    const src = sourcesOf(b);
    if (!src) return false;
    if (!this.lanes || this.lanes.some((l, c) => l !== src.lanes[c] || this.types[c] !== src.types[c])) {
      this.drain();
      this.lanes = src.lanes;
      this.types = src.types;
      this.schema = b.schema;
      // Strings at this batch's mean width (their bytes array grows if later ones are longer).
      const width = (c: number) => {
        const o = src.offsets[c]!;
        return b.length ? (o[b.length]! - o[0]!) / b.length : 0;
      };
      const rowBytes = src.lanes.reduce((a, l, c) => a + LANE_BYTES[l] + (l === 'bytes' ? width(c) : 0), 0);
      this.capacity = Math.max(1, this.rowsFor(rowBytes));
      this.sizes.fill(0);
    }
    // Block by block, so the columns' block stays in cache while every partition takes its rows.
    for (let lo = 0; lo < b.length; lo += PARTITION_BLOCK_ROWS)
      this.gatherBlock(src, part, lo, Math.min(b.length, lo + PARTITION_BLOCK_ROWS));
    return true;
  }

  private gatherBlock(src: Sources, part: Int32Array, lo: number, hi: number): void {
    const order = this.orderByPartition(part, lo, hi);
    const starts = this.starts;
    for (let r = 0; r < this.partitions; r++) {
      let at = starts[r]!;
      const end = starts[r + 1]!;
      while (at < end) {
        const buf = this.buffers[r] ?? this.newBuffer(r);
        const k = Math.min(end - at, this.capacity - buf.rows);
        if (buf.rows + k > buf.size)
          grow(buf, this.lanes!, Math.min(this.capacity, Math.max(2 * buf.size, buf.rows + k)));
        gatherColumns(src, order, at, at + k, buf);
        buf.rows += k;
        at += k;
        if (buf.rows === this.capacity) this.flush(r);
      }
    }
  }

  /** Emit every partition's buffered rows. */
  drain(): void {
    for (let r = 0; r < this.partitions; r++) this.flush(r);
  }

  /** Emit partition r's buffered rows (if any) as a batch of views of its buffer; the next rows go to a new one. */
  flush(r: number): void {
    const buf = this.buffers[r];
    this.buffers[r] = null;
    if (buf) this.sizes[r] = buf.size;
    if (!buf?.rows) return;
    const n = buf.rows;
    const lanes = this.lanes!;
    const columns = lanes.map((lane, c) => {
      const validity = buf.validity[c]?.subarray(0, (n + 7) >> 3) ?? null;
      const offsets = buf.offsets[c];
      if (offsets) {
        const o = offsets.subarray(0, n + 1);
        return { type: this.types[c], offsets: o, data: buf.values[c]!.subarray(0, o[n]!), validity } as Vec;
      }
      return laneVec(lane, this.types[c]!, buf.values[c]!, n, validity, buf.max[c]!);
    });
    this.emit(r, { schema: this.schema, columns, length: n });
  }

  private newBuffer(r: number): PartitionBuffer {
    const lanes = this.lanes!;
    const size = Math.min(this.capacity, Math.max(FIRST_BUFFER_ROWS, this.sizes[r]!));
    const buf: PartitionBuffer = {
      values: lanes.map((l) => newLaneArray(l, size)),
      offsets: lanes.map((l) => (l === 'bytes' ? new Int32Array(size + 1) : null)),
      size,
      validity: lanes.map(() => null),
      max: lanes.map(() => 0),
      rows: 0,
    };
    this.buffers[r] = buf;
    return buf;
  }

  /** Counting sort of rows lo … hi − 1 by partition into `order`; `starts[r]` is where partition r's rows begin. */
  private orderByPartition(part: Int32Array, lo: number, hi: number): Int32Array {
    if (this.order.length < hi - lo) this.order = new Int32Array(hi - lo);
    const order = this.order;
    const starts = this.starts;
    starts.fill(0);
    for (let i = lo; i < hi; i++) starts[part[i]! + 1]!++;
    for (let r = 0; r < this.partitions; r++) starts[r + 1]! += starts[r]!;
    const next = starts.slice(0, this.partitions);
    for (let i = lo; i < hi; i++) order[next[part[i]!]!++] = i;
    return order;
  }
}

/** Give the buffer's arrays room for `size` rows, its rows copied (a string column's bytes grow as they come). */
function grow(buf: PartitionBuffer, lanes: readonly Lane[], size: number): void {
  const n = buf.rows;
  buf.values = buf.values.map((from, c) => {
    const lane = lanes[c]!;
    if (lane === 'bytes') return from;
    const to = newLaneArray(lane, size);
    (to as Uint8Array).set((from as Uint8Array).subarray(0, lane === 'i64' || lane === 'decimalLongs' ? 2 * n : n));
    return to;
  });
  buf.offsets = buf.offsets.map((from) => {
    if (!from) return null;
    const to = new Int32Array(size + 1);
    to.set(from.subarray(0, n + 1));
    return to;
  });
  buf.validity = buf.validity.map((from) => {
    if (!from) return null;
    const to = new Uint8Array((size + 7) >> 3).fill(0xff);
    to.set(from.subarray(0, (n + 7) >> 3));
    return to;
  });
  buf.size = size;
}

/** Gather rows order[from … to − 1] of every source column into the buffer at its row count. */
function gatherColumns(src: Sources, order: Int32Array, from: number, to: number, buf: PartitionBuffer): void {
  const at = buf.rows;
  for (let c = 0; c < src.lanes.length; c++) {
    const lane = src.lanes[c]!;
    const into = buf.values[c]!;
    const values = src.from[c]!;
    if (lane === 'bytes') gatherStrings(src.offsets[c]!, values as Uint8Array, order, from, to, buf, c);
    else if (lane === 'i64' || lane === 'decimalLongs')
      gatherWords(values as Int32Array, order, from, to, into as Int32Array, at);
    else if (lane === 'f64' || lane === 'decimalDoubles')
      gatherDoubles(values as Float64Array, order, from, to, into as Float64Array, at);
    else if (lane === 'i32') gatherInts(values as Int32Array, order, from, to, into as Int32Array, at);
    else gatherBytes(values as Uint8Array, order, from, to, into as Uint8Array, at);
    if (src.max[c]! > buf.max[c]!) buf.max[c] = src.max[c]!;
    const validity = src.validity[c];
    if (validity) gatherValidity(validity, order, from, to, buf, c);
  }
}

/** Gather the strings of rows order[lo … hi − 1] into column c of the buffer (its bytes grown as needed). */
function gatherStrings(
  so: Int32Array,
  src: Uint8Array,
  order: Int32Array,
  lo: number,
  hi: number,
  buf: PartitionBuffer,
  c: number,
): void {
  const offsets = buf.offsets[c]!;
  let end = offsets[buf.rows]!;
  let need = end;
  for (let k = lo; k < hi; k++) need += so[order[k]! + 1]! - so[order[k]!]!;
  let data = buf.values[c] as Uint8Array;
  if (need > data.length) {
    const grown = new Uint8Array(Math.max(need, 2 * data.length));
    grown.set(data.subarray(0, end));
    (buf.values as LaneArray[])[c] = data = grown;
  }
  for (let k = lo, j = buf.rows; k < hi; k++) {
    const i = order[k]!;
    const s = so[i]!;
    const e = so[i + 1]!;
    if (e - s <= 16) for (let x = s; x < e; x++) data[end++] = src[x]!;
    else {
      data.set(src.subarray(s, e), end);
      end += e - s;
    }
    offsets[++j] = end;
  }
}

/** Clear the buffer's validity bits of the null rows gathered (its bitmap made all valid on the first null). */
function gatherValidity(
  validity: Uint8Array,
  order: Int32Array,
  from: number,
  to: number,
  buf: PartitionBuffer,
  c: number,
): void {
  let bits = buf.validity[c];
  if (!bits) {
    bits = new Uint8Array((buf.size + 7) >> 3).fill(0xff);
    buf.validity[c] = bits;
  }
  for (let k = from, j = buf.rows; k < to; k++, j++) {
    const i = order[k]!;
    if ((validity[i >> 3]! & (1 << (i & 7))) === 0) bits[j >> 3]! &= ~(1 << (j & 7));
  }
}

function gatherWords(from: Int32Array, order: Int32Array, lo: number, hi: number, to: Int32Array, at: number): void {
  for (let k = lo, j = 2 * at; k < hi; k++, j += 2) {
    const i = 2 * order[k]!;
    to[j] = from[i]!;
    to[j + 1] = from[i + 1]!;
  }
}

function gatherDoubles(
  from: Float64Array,
  order: Int32Array,
  lo: number,
  hi: number,
  to: Float64Array,
  at: number,
): void {
  for (let k = lo, j = at; k < hi; k++, j++) to[j] = from[order[k]!]!;
}

function gatherInts(from: Int32Array, order: Int32Array, lo: number, hi: number, to: Int32Array, at: number): void {
  for (let k = lo, j = at; k < hi; k++, j++) to[j] = from[order[k]!]!;
}

function gatherBytes(from: Uint8Array, order: Int32Array, lo: number, hi: number, to: Uint8Array, at: number): void {
  for (let k = lo, j = at; k < hi; k++, j++) to[j] = from[order[k]!]!;
}

/** The first n gathered values of a column as an engine column (views of the buffer). */
function laneVec(
  lane: Lane,
  type: Vec['type'],
  values: LaneArray,
  n: number,
  validity: Uint8Array | null,
  max: number,
): Vec {
  switch (lane) {
    case 'decimalDoubles':
      return decimalVecOfDoubles(type as never, (values as Float64Array).subarray(0, n), max, validity);
    case 'i64':
    case 'decimalLongs':
      return { type, values: new BigInt64Array(values.buffer, values.byteOffset, n), validity } as Vec;
    default:
      return { type, values: values.subarray(0, n), validity } as Vec;
  }
}
