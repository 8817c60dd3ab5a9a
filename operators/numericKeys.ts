/**
 * The index of a group table keyed by one numeric column (join and group keys such as order
 * keys): int32 keys in separate key/id arrays with Fibonacci hashing, doubles in interleaved
 * (key, id) pairs so a probe touches one cache line. Null keys map to one group of their own;
 * a repeat of the previous key skips the probe. The table owns ids and key storage; the index
 * asks it to `add` a key and counts how many it holds.
 */
import type { Vec } from './vector.js';
import { isValid } from './vector.js';

export type NumericVec = Vec & { values: Int32Array | Float64Array };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const nextPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(2, x)));

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumericKeyIndex {
  /** Keys held (ids handed out by `add`). */
  private count = 0;
  constructor(private readonly addKey: (x: number, isNull: boolean) => number) {}

  private add(x: number, isNull: boolean): number {
    this.count++;
    return this.addKey(x, isNull);
  }

  /** Whether a column matches this index's representation (int32 keys, or doubles). */
  accepts(c: Vec): boolean {
    if (c.type === 'string' || c.type === 'bool') return false;
    if (this.ik && !(c.values instanceof Int32Array)) return false;
    if (this.pairs && this.pairs.length > 0 && c.values instanceof Int32Array) return false;
    return true;
  }

  private pairs: Float64Array | null = null;
  private pairMask = 0;
  private nullGroup = -1;

  /** int32/date keys: separate key and id tables, multiplicative hashing, no float views. */
  private ik: Int32Array | null = null;
  private iv: Int32Array | null = null;
  private imask = 0;

  private intIds(v: Int32Array, validity: Uint8Array | null, n: number, out: Int32Array, insert: boolean): Int32Array {
    if (!this.ik) {
      const cap = Math.max(1024, nextPow2(2 * n));
      this.ik = new Int32Array(cap);
      this.iv = new Int32Array(cap).fill(-1);
      this.imask = cap - 1;
      this.pairs = new Float64Array(0); // marks the table numeric-keyed
    }
    let ik = this.ik;
    let iv = this.iv!;
    let mask = this.imask;
    let shift = 32 - Math.log2(mask + 1); // Fibonacci hashing: the product's top bits
    // Keys often come clustered (sorted or grouped files): a repeat of the previous key needs no probe.
    let lastKey = 0;
    let lastId = -2;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        if (this.nullGroup < 0 && insert) this.nullGroup = this.add(0, true);
        out[i] = this.nullGroup;
        continue;
      }
      const x = v[i]!;
      if (x === lastKey && lastId !== -2) {
        out[i] = lastId;
        continue;
      }
      lastKey = x;
      let s = Math.imul(x, 0x9e3779b1) >>> shift;
      for (;;) {
        const id = iv[s]!;
        if (id === -1) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const g = this.add(x, false);
          ik[s] = x;
          iv[s] = g;
          out[i] = g;
          if (this.count * 2 > mask) {
            this.rehashInts();
            ik = this.ik!;
            iv = this.iv!;
            mask = this.imask;
            shift = 32 - Math.log2(mask + 1);
          }
          break;
        }
        if (ik[s] === x) {
          out[i] = id;
          break;
        }
        s = (s + 1) & mask;
      }
      lastId = out[i]!;
    }
    return out;
  }

  private rehashInts(): void {
    const ok = this.ik!;
    const ov = this.iv!;
    const cap = ok.length * 2;
    const ik = new Int32Array(cap);
    const iv = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let t = 0; t < ok.length; t++) {
      if (ov[t] === -1) continue;
      const x = ok[t]!;
      let s = Math.imul(x, 0x9e3779b1) >>> (32 - Math.log2(mask + 1));
      while (iv[s] !== -1) s = (s + 1) & mask;
      ik[s] = x;
      iv[s] = ov[t]!;
    }
    this.ik = ik;
    this.iv = iv;
    this.imask = mask;
  }

  ids(c: NumericVec, n: number, out: Int32Array, insert: boolean): Int32Array {
    if (c.values instanceof Int32Array && !(this.pairs && this.pairs.length > 0))
      return this.intIds(c.values, c.validity, n, out, insert);
    this.pairs ??= new Float64Array(2 * 1024).fill(-1);
    let pairs = this.pairs;
    if (this.pairMask === 0) this.pairMask = 1023;
    const v = c.values;
    const validity = c.validity;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        if (this.nullGroup < 0 && insert) this.nullGroup = this.add(0, true);
        out[i] = this.nullGroup;
        continue;
      }
      const x = v[i]!;
      const key = x === 0 ? 0 : x; // -0 is 0
      f64[0] = key;
      let s = mix(u32[0]! ^ Math.imul(u32[1]! + 0x9e3779b9, 0x27d4eb2d)) & this.pairMask;
      for (;;) {
        const id = pairs[2 * s + 1]!;
        if (id === -1) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const g = this.add(key, false);
          pairs[2 * s] = key;
          pairs[2 * s + 1] = g;
          out[i] = g;
          if (this.count * 2 > this.pairMask) pairs = this.rehashPairs();
          break;
        }
        const k = pairs[2 * s]!;
        if (k === key || (k !== k && key !== key)) {
          out[i] = id;
          break;
        }
        s = (s + 1) & this.pairMask;
      }
    }
    return out;
  }

  private rehashPairs(): Float64Array {
    const old = this.pairs!;
    const cap = (this.pairMask + 1) * 2;
    const pairs = new Float64Array(2 * cap).fill(-1);
    const mask = cap - 1;
    for (let s = 0; s < old.length; s += 2) {
      const id = old[s + 1]!;
      if (id === -1) continue;
      f64[0] = old[s]!;
      let t = mix(u32[0]! ^ Math.imul(u32[1]! + 0x9e3779b9, 0x27d4eb2d)) & mask;
      while (pairs[2 * t + 1] !== -1) t = (t + 1) & mask;
      pairs[2 * t] = old[s]!;
      pairs[2 * t + 1] = id;
    }
    this.pairs = pairs;
    this.pairMask = mask;
    return pairs;
  }
}
