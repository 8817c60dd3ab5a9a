/**
 * approx_count_distinct: HyperLogLog with 2^p one-byte registers per group (p from Spark's `rsd`,
 * planner/aggregatesMore.ts), a 64-bit hash of each value (two murmur3-style 32-bit hashes of
 * its bytes), and Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which is unbiased from zero to huge cardinalities without the
 * empirical bias tables of HLL++. Registers merge by maximum, so partial sketches (the state: the
 * registers as a binary column) combine exactly into the sketch of all rows.
 */
import { hllPrecision } from '../../planner/aggregatesMore.js';
import type { Accumulator } from '../accumulators.js';
import type { BytesVec, Vec } from '../vector.js';
import { isBytesVec, isValid, vecFromValues } from '../vector.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;

/** Two 32-bit hashes of the words of a value (its 64-bit hash). */
function hashWords(lo: number, hi: number, out: Uint32Array): void {
  out[0] = fmix(mixK(mixK(SEED_A, lo), hi), 8);
  out[1] = fmix(mixK(mixK(SEED_B, lo), hi), 8);
}

function hashBytes(b: Uint8Array, start: number, end: number, out: Uint32Array): void {
  let ha = SEED_A;
  let hb = SEED_B;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    ha = mixK(ha, k);
    hb = mixK(hb, k);
  }
  let k = 0;
  for (let s = 0; i < end; i++, s += 8) k |= b[i]! << s;
  ha = mixK(ha, k);
  hb = mixK(hb, k);
  out[0] = fmix(ha, end - start);
  out[1] = fmix(hb, end - start);
}

const f64 = new Float64Array(1);
const words = new Int32Array(f64.buffer);

/** Ertl's sigma and tau series (exact to double precision). */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}

/** The estimated count of distinct values from the histogram of register values (c[k]: registers holding k). */
function estimateFrom(c: Float64Array, p: number): number {
  const m = 1 << p;
  const q = 64 - p;
  let z = m * tau(1 - c[q + 1]! / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + c[k]!);
  z += m * sigma(c[0]! / m);
  return Math.round((m * m) / (2 * Math.LN2 * z));
}

/**
 * A group's registers: sparse (a few set registers as `index << 8 | value` numbers, while they
 * are at most m/32) or dense (m bytes) — so many small groups (a fine groupBy, a window's frames)
 * do not each hold m bytes.
 */
type Registers = number[] | Uint8Array;

export class HllAcc implements Accumulator {
  readonly p: number;
  private readonly m: number;
  private readonly sparseMax: number;
  private regs: (Registers | undefined)[] = [];
  private readonly h = new Uint32Array(2);
  constructor(
    readonly argType: string,
    rsd: number,
  ) {
    this.p = hllPrecision(rsd);
    this.m = 1 << this.p;
    this.sparseMax = this.m >> 5;
  }
  /** Raise register `idx` of group g to `rank`. */
  private set(g: number, idx: number, rank: number): void {
    let r = this.regs[g];
    if (r === undefined) {
      r = [];
      this.regs[g] = r;
    }
    if (r instanceof Uint8Array) {
      if (rank > r[idx]!) r[idx] = rank;
      return;
    }
    for (let k = 0; k < r.length; k++)
      if (r[k]! >>> 8 === idx) {
        if (rank > (r[k]! & 0xff)) r[k] = (idx << 8) | rank;
        return;
      }
    if (r.length < this.sparseMax) {
      r.push((idx << 8) | rank);
      return;
    }
    const dense = new Uint8Array(this.m);
    for (const e of r) dense[e >>> 8] = e & 0xff;
    dense[idx] = rank;
    this.regs[g] = dense;
  }
  /** Fold the hash in `this.h` into group g. */
  private add(g: number): void {
    const p = this.p;
    const [a, b] = this.h as unknown as [number, number];
    const idx = a >>> (32 - p);
    // The other 64 - p bits: a's low 32 - p bits, then b; the rank is their leading zeros + 1.
    const rest = (a << p) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : b !== 0 ? 32 - p + Math.clz32(b) + 1 : 64 - p + 1;
    this.set(g, idx, rank);
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const v = values!;
    if (isBytesVec(v)) {
      const s = v as BytesVec;
      for (let i = 0; i < n; i++) {
        if (!isValid(s.validity, i)) continue;
        hashBytes(s.data, s.offsets[i]!, s.offsets[i + 1]!, this.h);
        this.add(groups[i]!);
      }
      return;
    }
    if (!('values' in v)) return;
    if (Array.isArray(v.values)) {
      // Wide decimals (BigInts): hashed as their text.
      const text = new TextEncoder();
      for (let i = 0; i < n; i++) {
        if (!isValid(v.validity, i)) continue;
        const b = text.encode(String(v.values[i]));
        hashBytes(b, 0, b.length, this.h);
        this.add(groups[i]!);
      }
      return;
    }
    if (v.values instanceof BigInt64Array) {
      const x = v.values as BigInt64Array;
      const w = new Int32Array(x.buffer, x.byteOffset, x.length * 2);
      for (let i = 0; i < n; i++) {
        if (!isValid(v.validity, i)) continue;
        hashWords(w[2 * i]!, w[2 * i + 1]!, this.h);
        this.add(groups[i]!);
      }
      return;
    }
    // int32, date, bool, float64: hashed as the double's bits (-0 as 0, every NaN as one).
    const d = v as { values: Float64Array | Int32Array | Uint8Array; validity: Uint8Array | null };
    for (let i = 0; i < n; i++) {
      if (!isValid(d.validity, i)) continue;
      const x = d.values[i]!;
      f64[0] = x === 0 ? 0 : Number.isNaN(x) ? Number.NaN : x;
      hashWords(words[0]!, words[1]!, this.h);
      this.add(groups[i]!);
    }
  }
  /** Each group's registers as bytes: m bytes dense, 4 per set register sparse (fewer than m), none when empty. */
  state(groups: number): Vec[] {
    return [
      vecFromValues(
        'binary',
        Array.from({ length: groups }, (_, g) => {
          const r = this.regs[g];
          return r === undefined
            ? new Uint8Array(0)
            : r instanceof Uint8Array
              ? r
              : new Uint8Array(Uint32Array.from(r).buffer);
        }),
      ),
    ];
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const s = state[0] as BytesVec;
    const m = this.m;
    for (let i = 0; i < n; i++) {
      const at = s.offsets[i]!;
      const len = s.offsets[i + 1]! - at;
      const g = groups[i]!;
      if (len === m) {
        for (let k = 0; k < m; k++) if (s.data[at + k]!) this.set(g, k, s.data[at + k]!);
        continue;
      }
      const entries = new Uint32Array(s.data.slice(at, at + len).buffer);
      for (const e of entries) this.set(g, e >>> 8, e & 0xff);
    }
  }
  reset(g: number): void {
    delete this.regs[g];
  }
  evaluate(groups: number): Vec {
    const out = new BigInt64Array(groups);
    const c = new Float64Array(64 - this.p + 2);
    for (let g = 0; g < groups; g++) {
      const r = this.regs[g];
      if (!r) continue;
      c.fill(0);
      if (r instanceof Uint8Array) for (let i = 0; i < this.m; i++) c[r[i]!]!++;
      else {
        c[0] = this.m - r.length;
        for (const e of r) c[e & 0xff]!++;
      }
      out[g] = BigInt(estimateFrom(c, this.p));
    }
    return { type: 'int64', values: out, validity: null };
  }
}
