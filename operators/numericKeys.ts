/**
 * The index of a group table keyed by one numeric column (join and group keys such as order
 * keys): int32 keys in separate key/id arrays with Fibonacci hashing, int64 keys likewise as
 * (low, high) word pairs, doubles in interleaved (key, id) pairs so a probe touches one cache
 * line. Null keys map to one group of their own; a repeat of the previous key skips the probe. The table owns ids and key storage; the index
 * asks it to `add` a key and counts how many it holds.
 */
import type { Vec } from './vector.js';
import { int64Words, isBytesVec, isOpaqueVec, isValid } from './vector.js';

export type NumericVec = Vec & { values: Int32Array | Float64Array | BigInt64Array };

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
  constructor(private readonly addKey: (x: number | bigint, isNull: boolean) => number) {}

  private add(x: number | bigint, isNull: boolean): number {
    this.count++;
    return this.addKey(x, isNull);
  }

  /** Whether a column matches this index's representation (int32 keys, int64 keys, or doubles). */
  accepts(c: Vec): boolean {
    if (isBytesVec(c) || isOpaqueVec(c) || c.type === 'bool') return false;
    const kind = c.values instanceof Int32Array ? 'int' : c.values instanceof BigInt64Array ? 'long' : 'double';
    return this.kind === null || this.kind === kind;
  }

  /** The representation chosen by the first column seen. */
  private kind: 'int' | 'long' | 'double' | null = null;

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

  /** int64 keys: (low, high) words side by side, ids apart; hashed on both words. */
  private lk: Int32Array | null = null;
  private lv: Int32Array | null = null;
  private lmask = 0;

  private longIds(
    v: BigInt64Array,
    validity: Uint8Array | null,
    n: number,
    out: Int32Array,
    insert: boolean,
  ): Int32Array {
    if (!this.lk) {
      const cap = Math.max(1024, nextPow2(2 * n));
      this.lk = new Int32Array(2 * cap);
      this.lv = new Int32Array(cap).fill(-1);
      this.lmask = cap - 1;
    }
    const w = int64Words(v);
    let lk = this.lk;
    let lv = this.lv!;
    let mask = this.lmask;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        if (this.nullGroup < 0 && insert) this.nullGroup = this.add(0n, true);
        out[i] = this.nullGroup;
        continue;
      }
      const lo = w[2 * i]!;
      const hi = w[2 * i + 1]!;
      let s = mix(lo ^ Math.imul(hi + 0x9e3779b9, 0x27d4eb2d)) & mask;
      for (;;) {
        const id = lv[s]!;
        if (id === -1) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const g = this.add(v[i]!, false);
          lk[2 * s] = lo;
          lk[2 * s + 1] = hi;
          lv[s] = g;
          out[i] = g;
          if (this.count * 2 > mask) {
            this.rehashLongs();
            lk = this.lk!;
            lv = this.lv!;
            mask = this.lmask;
          }
          break;
        }
        if (lk[2 * s] === lo && lk[2 * s + 1] === hi) {
          out[i] = id;
          break;
        }
        s = (s + 1) & mask;
      }
    }
    return out;
  }

  private rehashLongs(): void {
    const ok = this.lk!;
    const ov = this.lv!;
    const cap = ov.length * 2;
    const lk = new Int32Array(2 * cap);
    const lv = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let t = 0; t < ov.length; t++) {
      if (ov[t] === -1) continue;
      const lo = ok[2 * t]!;
      const hi = ok[2 * t + 1]!;
      let s = mix(lo ^ Math.imul(hi + 0x9e3779b9, 0x27d4eb2d)) & mask;
      while (lv[s] !== -1) s = (s + 1) & mask;
      lk[2 * s] = lo;
      lk[2 * s + 1] = hi;
      lv[s] = ov[t]!;
    }
    this.lk = lk;
    this.lv = lv;
    this.lmask = mask;
  }

  ids(c: NumericVec, n: number, out: Int32Array, insert: boolean): Int32Array {
    const values = c.values;
    if (values instanceof Int32Array) {
      this.kind = 'int';
      return this.intIds(values, c.validity, n, out, insert);
    }
    if (values instanceof BigInt64Array) {
      this.kind = 'long';
      return this.longIds(values, c.validity, n, out, insert);
    }
    this.kind = 'double';
    this.pairs ??= new Float64Array(2 * 1024).fill(-1);
    let pairs = this.pairs;
    if (this.pairMask === 0) this.pairMask = 1023;
    const v = values as Float64Array;
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
