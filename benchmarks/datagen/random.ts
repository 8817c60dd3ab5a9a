/**
 * Seeded pseudo-random streams. Every row of every table draws from its own sfc32 stream keyed by
 * (table, row), so any row range can be generated on its own — and a value never depends on how a
 * table is split into files or batches. Same keys → same numbers, on every platform.
 */

/** Stream keys: one per table (plus the text pool and the Q16 supplier comments). */
export const STREAM = {
  region: 1,
  nation: 2,
  supplier: 3,
  customer: 4,
  part: 5,
  partsupp: 6,
  orders: 7,
  supplierComplaints: 8,
  textPool: 9,
} as const;

const INV_2_32 = 1 / 4294967296;

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** sfc32 (Chris Doty-Humphrey's small fast chaotic generator), re-seedable in place. */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(stream: number, row = 0) {
    this.seed(stream, row);
  }

  /** Restarts this generator on the stream of `(stream, row)`; `row` may exceed 2^32. */
  seed(stream: number, row: number): this {
    const lo = row >>> 0;
    const hi = Math.floor(row / 4294967296) >>> 0;
    const k = fmix32(Math.imul(stream, 0x9e3779b9) ^ hi);
    this.a = fmix32(lo ^ k);
    this.b = fmix32((lo + 0x6a09e667) ^ fmix32(k + 1));
    this.c = fmix32((lo + 0x3c6ef372) ^ fmix32(k + 2));
    this.d = 1;
    for (let i = 0; i < 6; i++) this.next();
    return this;
  }

  /** Next 32-bit unsigned integer. */
  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [lo, hi], both inclusive (hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * INV_2_32 * (hi - lo + 1));
  }
}
