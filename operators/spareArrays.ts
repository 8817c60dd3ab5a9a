/**
 * Large typed arrays recycled within an executor: the arrays an aggregate's group table, key
 * index and accumulators grow into (doubling as groups arrive) are handed back here when they
 * are outgrown or when the aggregate ends, and the next array of about that size (the next
 * doubling of another array, the next task's) is carved from one of them instead of freshly
 * allocated. A fresh large array costs its page faults (~4-10 ms/MB on this machine) and its
 * external memory pushes V8 towards a full collection; a recycled one costs one fill pass.
 *
 * Only arrays whose last user hands them back may be recycled: an array given out in a result
 * (a column) must never be.
 */

export type Growable = Int32Array | Float64Array | Uint8Array | BigInt64Array;
type Ctor<T extends Growable> = {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * Smaller arrays are not worth keeping. (A scan's row group of one-byte flags, ~120 KB, is: every
 * ArrayBuffer's memory counts towards V8's external-memory limit, which triggers collections.)
 */
const MIN_SPARE_BYTES = 1 << 16;
/** A spare serves an array of at least a quarter of its size (the rest stays unused while lent). */
const SPARE_WASTE = 4;

/**
 * Buffers handed back, smallest first, up to a budget. Separate pools for separate borrowers: a
 * pool whose arrays often leave for good (a scan's columns read by a join keep theirs) would
 * otherwise take the large buffers that aggregates' tables hand back.
 */
class Spares {
  private readonly spares: ArrayBuffer[] = [];
  bytes = 0;
  constructor(private readonly maxBytes: number) {}

  array<T extends Growable>(ctor: Ctor<T>, length: number, fill: number | null): T {
    const bytes = length * ctor.BYTES_PER_ELEMENT;
    const spares = this.spares;
    if (bytes >= MIN_SPARE_BYTES) {
      const k = spares.findIndex((b) => b.byteLength >= bytes);
      if (k >= 0 && spares[k]!.byteLength <= SPARE_WASTE * bytes) {
        const buffer = spares.splice(k, 1)[0]!;
        this.bytes -= buffer.byteLength;
        const a = new ctor(buffer, 0, length);
        return fill === null ? a : fillWith(a, fill);
      }
    }
    const a = new ctor(length);
    return fill === 0 || fill === null ? a : fillWith(a, fill);
  }

  recycle(a: Growable | null | undefined): void {
    if (!a) return;
    const buffer = a.buffer as ArrayBuffer;
    const bytes = buffer.byteLength;
    const spares = this.spares;
    if (bytes < MIN_SPARE_BYTES || bytes > this.maxBytes || spares.includes(buffer)) return;
    let at = spares.findIndex((b) => b.byteLength >= bytes);
    if (at < 0) at = spares.length;
    spares.splice(at, 0, buffer);
    this.bytes += bytes;
    // Over budget: the smallest go first (the largest cost the most to fault in again).
    while (this.bytes > this.maxBytes) this.bytes -= spares.shift()!.byteLength;
  }
}

/** Aggregates' tables and scans' buffers: as many as a few aggregates' tables at SF1-SF10 (an executor runs a stage's tasks at once). */
const tables = new Spares(1 << 27);
/** Scans' output columns handed back by their reader (operators/ownedColumns.ts): a few row groups' worth. */
const columns = new Spares(1 << 26);
/** Storage reads handed back by the scan (`lendBytes`): a few row groups' chunks. */
const reads = new Spares(1 << 26);

/**
 * A typed array of `length` elements, each `fill` (0 by default), on a spare buffer when one
 * fits, else fresh. Its `buffer` may be longer than the array. With `fill` null a recycled
 * array keeps whatever it held: for a caller that writes every element before reading any.
 * @example spareArray(Int32Array, 1 << 20, -1) // a million -1s, on a recycled buffer if any
 */
export function spareArray<T extends Growable>(ctor: Ctor<T>, length: number, fill: number | null = 0): T {
  return tables.array(ctor, length, fill);
}

function fillWith<T extends Growable>(a: T, fill: number): T {
  if (a instanceof BigInt64Array) a.fill(BigInt(fill));
  else (a as Exclude<Growable, BigInt64Array>).fill(fill);
  return a;
}

/**
 * Hands `a`'s buffer back for a later spareArray; the caller (and every view of the buffer)
 * must never use it again. Small arrays, and large ones beyond the budget, are left to GC.
 */
export function recycle(a: Growable | null | undefined): void {
  tables.recycle(a);
}

/**
 * A scan's output column array of `length` elements (contents as they were: the caller writes
 * them all), on a column handed back earlier when one fits (`recycleColumn`).
 */
export function columnArray<T extends Growable>(ctor: Ctor<T>, length: number): T {
  return columns.array(ctor, length, null);
}

/** Hands a column's array back for a later columnArray: nobody may read it (or a view of it) again. */
export function recycleColumn(a: Growable): void {
  columns.recycle(a);
}

/**
 * `a` with room for `need` elements (doubling), its elements kept and the new ones `fill`; the
 * outgrown array is recycled, so `a` must be its owner's only reference.
 */
export function growArray<T extends Growable>(a: T, need: number, fill = 0): T {
  if (need <= a.length) return a;
  const out = spareArray(a.constructor as Ctor<T>, Math.max(need, a.length * 2), fill);
  out.set(a as never);
  recycle(a);
  return out;
}

/** Bytes held in the tables' spares (tests and metrics). */
export function spareArrayBytes(): number {
  return tables.bytes;
}

/** Byte arrays lent by `lendBytes`, not handed back yet. */
const lent = new WeakSet<Uint8Array>();

/**
 * `n` bytes (contents as they were) on a spare buffer when one fits, which the borrower may give
 * back with `handBack` once neither it nor anyone it gave them (or a view of them) reads them:
 * a storage read's result, handed back by the scan when its row group is decoded.
 */
export function lendBytes(n: number): Uint8Array {
  const a = reads.array(Uint8Array, n, null);
  lent.add(a);
  return a;
}

/** Recycles `a` if `lendBytes` lent it (else leaves it to GC): nobody may read it again. */
export function handBack(a: Uint8Array): void {
  if (!lent.delete(a)) return;
  reads.recycle(a);
}
