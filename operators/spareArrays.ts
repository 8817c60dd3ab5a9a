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

type Growable = Int32Array | Float64Array | Uint8Array | BigInt64Array;
type Ctor<T extends Growable> = {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Smaller arrays come from V8's heap cheaply: not worth keeping. */
const MIN_SPARE_BYTES = 1 << 18;
/** Kept in all, per process: as many as a few aggregates' tables at SF1-SF10 (an executor runs a stage's tasks at once). */
const SPARE_MAX_BYTES = 1 << 27;
/** A spare serves an array of at least a quarter of its size (the rest stays unused while lent). */
const SPARE_WASTE = 4;

/** Buffers handed back, smallest first. */
const spares: ArrayBuffer[] = [];
let spareBytes = 0;

/**
 * A typed array of `length` elements, each `fill` (0 by default), on a spare buffer when one
 * fits, else fresh. Its `buffer` may be longer than the array.
 * @example spareArray(Int32Array, 1 << 20, -1) // a million -1s, on a recycled buffer if any
 */
export function spareArray<T extends Growable>(ctor: Ctor<T>, length: number, fill = 0): T {
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes >= MIN_SPARE_BYTES) {
    const k = spares.findIndex((b) => b.byteLength >= bytes);
    if (k >= 0 && spares[k]!.byteLength <= SPARE_WASTE * bytes) {
      const buffer = spares.splice(k, 1)[0]!;
      spareBytes -= buffer.byteLength;
      return fillWith(new ctor(buffer, 0, length), fill);
    }
  }
  const a = new ctor(length);
  return fill === 0 ? a : fillWith(a, fill);
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
  if (!a) return;
  const buffer = a.buffer as ArrayBuffer;
  const bytes = buffer.byteLength;
  if (bytes < MIN_SPARE_BYTES || bytes > SPARE_MAX_BYTES || spares.includes(buffer)) return;
  let at = spares.findIndex((b) => b.byteLength >= bytes);
  if (at < 0) at = spares.length;
  spares.splice(at, 0, buffer);
  spareBytes += bytes;
  // Over budget: the smallest go first (the largest cost the most to fault in again).
  while (spareBytes > SPARE_MAX_BYTES) spareBytes -= spares.shift()!.byteLength;
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

/** Bytes held in spares (tests and metrics). */
export function spareArrayBytes(): number {
  return spareBytes;
}
