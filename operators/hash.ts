/**
 * Row hashing and a typed-array open-addressing table that maps key tuples to dense group ids.
 * Keys are normalized per column: doubles by their float64 bits (-0 is 0, NaNs are one key), int64
 * by its two 32-bit words, other numbers by value, strings by their bytes; a null by a constant.
 */
import { InternalError } from '../planner/errors.js';
import type { DataType, VecType } from '../planner/types.js';
import { decimalParts, isBytes, isDecimal, MAX_SHORT_DECIMAL, storageType } from '../planner/types.js';
import { decimalArray } from './decimal.js';
import type { SmallVec, Vec } from './vector.js';
import { int64Words, isBytesVec, isDecimalVec, isOpaqueVec, isValid, take } from './vector.js';
import { NumericKeyIndex, type NumericVec } from './numericKeys.js';
import { growArray, recycle, spareArray } from './spareArrays.js';

const f64 = new Float64Array(1);

const u32 = new Uint32Array(f64.buffer);

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** What a null key value hashes as, whatever bytes sit under its slot. */
const NULL_HASH = 0x5bd1e995;

/**
 * Hash every row of the key columns into `out` (combined across columns). A null hashes as
 * NULL_HASH whatever its slot holds (decoders and joins leave different bytes there), so equal
 * keys, null or not, always hash alike — in grouping, distinct, joins and the hash shuffle.
 */
export function hashRows(cols: readonly Vec[], n: number, out: Int32Array = new Int32Array(n)): Int32Array {
  out.fill(0x9e3779b9 | 0, 0, n);
  const before = cols.some((c) => c.validity) ? new Int32Array(n) : null;
  for (const c of cols) {
    const validity = c.validity;
    if (validity) before!.set(out.subarray(0, n));
    if (isBytesVec(c)) {
      const { offsets, data } = c;
      for (let i = 0; i < n; i++) {
        let h = 0x811c9dc5 | 0;
        for (let k = offsets[i]!; k < offsets[i + 1]!; k++) h = Math.imul(h ^ data[k]!, 0x01000193);
        out[i] = mix(out[i]! * 31 + h);
      }
    } else if (isDecimalVec(c) && (Array.isArray(c.values) || isWideDecimal(c.type))) {
      // Wide decimals hash their value by 4 words, whichever array holds them (BigInts, or int64 when they fit).
      const v = c.values;
      for (let i = 0; i < n; i++) {
        let x = v[i]!;
        let h = 0;
        for (let k = 0; k < 4; k++, x >>= 32n) h = Math.imul(h ^ Number(BigInt.asIntN(32, x)), 0x27d4eb2d);
        out[i] = mix(out[i]! * 31 + h);
      }
    } else if (c.type === 'int64' || isDecimalVec(c)) {
      const w = int64Words(c.values as BigInt64Array);
      for (let i = 0; i < n; i++) out[i] = mix(out[i]! * 31 + (w[2 * i]! ^ Math.imul(w[2 * i + 1]!, 0x27d4eb2d)));
    } else if (c.type === 'float64') {
      const v = c.values;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) {
          out[i] = mix(out[i]! * 31 + 0x7ff80000); // every NaN is one key
          continue;
        }
        f64[0] = x === 0 ? 0 : x; // -0 and 0 hash alike
        out[i] = mix(out[i]! * 31 + (u32[0]! ^ Math.imul(u32[1]!, 0x27d4eb2d)));
      }
    } else if (isOpaqueVec(c)) {
      throw new InternalError('OPAQUE_KEY', `a ${c.type} column cannot be a key (the analyzer refuses it)`);
    } else {
      const v = c.values;
      for (let i = 0; i < n; i++) out[i] = mix(out[i]! * 31 + v[i]!);
    }
    if (validity) for (let i = 0; i < n; i++) if (!isValid(validity, i)) out[i] = mix(before![i]! * 31 + NULL_HASH);
  }
  return out;
}

/** Growable storage of the distinct key tuples, one column per key. */
class KeyColumn {
  /** Number keys: int32 and date keys as int32 (copied out with a memcpy), others as doubles. */
  nums: Float64Array | Int32Array | null;
  /** int64 and decimal keys (wide decimals as BigInts). */
  longs: BigInt64Array | bigint[] | null;
  offsets: Int32Array | null;
  bytes: Uint8Array | null;
  nulls = new Uint8Array(1024);
  constructor(readonly type: VecType) {
    const long = type === 'int64' || isDecimal(type);
    this.nums =
      isBytes(type) || long
        ? null
        : type === 'int32' || type === 'date'
          ? new Int32Array(1024)
          : new Float64Array(1024);
    this.longs = type === 'int64' ? new BigInt64Array(1024) : isDecimal(type) ? decimalArray(type, 1024) : null;
    this.offsets = isBytes(type) ? new Int32Array(1025) : null;
    this.bytes = isBytes(type) ? new Uint8Array(16384) : null;
  }
}

/** A decimal type wider than 18 digits (BigInts, or int64 where a kernel knows the values fit). */
function isWideDecimal(type: DataType): boolean {
  return isDecimal(type) && decimalParts(type).precision > MAX_SHORT_DECIMAL;
}

export class GroupTable {
  private slots: Int32Array;
  private mask: number;
  private hashes = new Int32Array(1024);
  private readonly keys: KeyColumn[];
  size = 0;

  constructor(readonly types: readonly DataType[]) {
    this.slots = new Int32Array(1024).fill(-1);
    this.mask = 1023;
    this.keys = types.map((t) => new KeyColumn(storageType(t)));
  }

  /** Direct-address cache for keys made of one-byte strings and booleans (flags, codes). */
  private direct: Int32Array | null = null;

  /** Each row's code in the direct table (in a buffer reused batch to batch), or null if some key value is not tiny. */
  private tinyCodes(cols: readonly Vec[], n: number): Int32Array | null {
    if (cols.length > 2 || !cols.every((c) => isBytesVec(c) || c.type === 'bool')) return null;
    if (this.codes.length < n) this.codes = new Int32Array(n);
    const codes = this.codes;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      // The first column starts the codes; the second appends its digit in its radix.
      const scale = k === 0 ? 0 : isBytesVec(c) ? 258 : 3;
      if (!isBytesVec(c)) {
        const { values, validity } = c as Extract<Vec, { type: 'bool' }>;
        for (let i = 0; i < n; i++) codes[i] = codes[i]! * scale + (validity && !isValid(validity, i) ? 2 : values[i]!);
        continue;
      }
      const { offsets, data, validity } = c;
      for (let i = 0; i < n; i++) {
        const at = offsets[i]!;
        const len = offsets[i + 1]! - at;
        let code: number;
        if (validity && !isValid(validity, i)) code = 257;
        else if (len === 1) code = data[at]!;
        else if (len === 0) code = 256;
        else return null;
        codes[i] = codes[i]! * scale + code;
      }
    }
    return codes;
  }
  private codes = new Int32Array(0);

  /**
   * Group id of every row (new groups are added); keys are the key columns of the batch. With
   * `sel`, only the selected rows count: the others get -1 and add no group (a filter's rejects).
   */
  groupIds(cols: readonly Vec[], n: number, out: Int32Array = new Int32Array(n), sel?: Int32Array | null): Int32Array {
    if (cols.length === 0) {
      if (this.size === 0 && (!sel || sel.length > 0)) this.size = 1;
      if (!sel) out.fill(0, 0, n);
      else {
        out.fill(-1, 0, n);
        for (let k = 0; k < sel.length; k++) out[sel[k]!] = 0;
      }
      return out;
    }
    const codes = this.tinyCodes(cols, n);
    if (codes) {
      this.direct ??= new Int32Array(258 * 258).fill(-1);
      const direct = this.direct;
      // A code seen for the first time is resolved through the hash table at once, then cached.
      const resolve = (i: number): number => {
        const one = Int32Array.of(i);
        const g = this.groupIdsHashed(
          cols.map((c) => take(c, one)),
          1,
        )[0]!;
        direct[codes[i]!] = g;
        return g;
      };
      if (!sel) {
        for (let i = 0; i < n; i++) {
          const g = direct[codes[i]!]!;
          out[i] = g >= 0 ? g : resolve(i);
        }
      } else {
        out.fill(-1, 0, n);
        for (let k = 0; k < sel.length; k++) {
          const i = sel[k]!;
          const g = direct[codes[i]!]!;
          out[i] = g >= 0 ? g : resolve(i);
        }
      }
      return out;
    }
    if (!sel) return this.groupIdsHashed(cols, n, out);
    const picked = this.groupIdsHashed(
      cols.map((c) => take(c, sel)),
      sel.length,
    );
    out.fill(-1, 0, n);
    for (let k = 0; k < sel.length; k++) out[sel[k]!] = picked[k]!;
    return out;
  }

  /** Adds a group of one number key (the numeric-key index's table: operators/numericKeys.ts). */
  addNumber(x: number | bigint, isNull: boolean): number {
    const id = this.size++;
    if (id >= this.hashes.length) this.grow();
    const kc = this.keys[0]!;
    kc.nulls[id] = isNull ? 1 : 0;
    if (kc.longs) kc.longs[id] = x as bigint;
    else kc.nums![id] = x as number;
    return id;
  }

  /** Adds int32 keys xs[0..m) (none null) as m new groups of a table of one number key; returns the first's id. */
  addInts(xs: Int32Array, m: number): number {
    const kc = this.keys[0]!;
    if (!kc.nums) {
      const first = this.size;
      for (let k = 0; k < m; k++) this.addNumber(xs[k]!, false);
      return first;
    }
    const first = this.size;
    this.size += m;
    while (this.size > this.hashes.length) this.grow();
    kc.nulls.fill(0, first, this.size);
    kc.nums!.set(xs.subarray(0, m), first);
    return first;
  }

  /** The numeric-key index, if this table is (or may become) keyed by one numeric column. */
  private numericKey(cols: readonly Vec[]): NumericKeyIndex | null {
    const c = cols[0]!;
    if (cols.length !== 1 || isBytesVec(c) || isOpaqueVec(c) || c.type === 'bool' || Array.isArray(c.values))
      return null;
    if (isDecimalVec(c) && isWideDecimal(c.type)) return null; // BigInts in some batches, int64 in others
    if (!this.numeric) {
      if (this.size > 0) return null; // started with general keys: stay general
      this.numeric = new NumericKeyIndex(this);
    }
    return this.numeric.accepts(cols[0]!) ? this.numeric : null;
  }

  private numeric: NumericKeyIndex | null = null;

  /**
   * Whether the groups' keys are one number each, found by hashing (not a direct id array, nor
   * sorted runs: operators/numericKeys.ts): the
   * kind of table whose index grows out of the cache with its groups and which radix partitions
   * are measured to help (operators/radixPartitions.ts).
   */
  get hashedNumberKeys(): boolean {
    return this.numeric !== null && !this.numeric.unhashed;
  }

  private groupIdsHashed(cols: readonly Vec[], n: number, out: Int32Array = new Int32Array(n)): Int32Array {
    const num = this.numericKey(cols);
    if (num) return num.ids(cols[0] as NumericVec, n, out, true);
    return this.hashedIds(cols, n, out, true);
  }

  /** General keys: probe by combined hash, compare key columns; insert missing keys or report -1. */
  private hashedIds(cols: readonly Vec[], n: number, out: Int32Array, insert: boolean): Int32Array {
    const h = hashRows(cols, n);
    for (let i = 0; i < n; i++) {
      const hash = h[i]!;
      let s = hash & this.mask;
      for (;;) {
        const g = this.slots[s]!;
        if (g === -1) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          const id = this.add(cols, i, hash);
          this.slots[s] = id;
          out[i] = id;
          if (this.size * 2 > this.mask) this.rehash();
          break;
        }
        if (this.hashes[g] === hash && this.equals(g, cols, i)) {
          out[i] = g;
          break;
        }
        s = (s + 1) & this.mask;
      }
    }
    return out;
  }

  /** Group id of every row, or -1 where the key is absent (nothing is added). */
  lookup(cols: readonly Vec[], n: number, out: Int32Array = new Int32Array(n)): Int32Array {
    if (cols.length === 0) {
      out.fill(this.size > 0 ? 0 : -1, 0, n);
      return out;
    }
    const num = this.numericKey(cols);
    if (num) return num.ids(cols[0] as NumericVec, n, out, false);
    return this.hashedIds(cols, n, out, false);
  }

  private equals(g: number, cols: readonly Vec[], i: number): boolean {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      const kc = this.keys[k]!;
      const isNull = !isValid(c.validity, i);
      if (isNull || kc.nulls[g]) {
        if (isNull !== (kc.nulls[g] === 1)) return false;
        continue;
      }
      if (isBytesVec(c)) {
        const s = c.offsets[i]!;
        const len = c.offsets[i + 1]! - s;
        const gs = kc.offsets![g]!;
        if (kc.offsets![g + 1]! - gs !== len) return false;
        const bytes = kc.bytes!;
        for (let b = 0; b < len; b++) if (bytes[gs + b] !== c.data[s + b]) return false;
      } else if (c.type === 'int64' || isDecimalVec(c)) {
        if (kc.longs![g] !== c.values[i]) return false;
      } else {
        const a = kc.nums![g]!;
        const b = (c as SmallVec).values[i]!;
        if (a !== b && !(a !== a && b !== b)) return false; // NaN equals NaN as a key
      }
    }
    return true;
  }

  private add(cols: readonly Vec[], i: number, hash: number): number {
    const id = this.size++;
    if (id >= this.hashes.length) this.grow();
    this.hashes[id] = hash;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      const kc = this.keys[k]!;
      const isNull = !isValid(c.validity, i);
      kc.nulls[id] = isNull ? 1 : 0;
      if (isBytesVec(c)) {
        const s = isNull ? 0 : c.offsets[i]!;
        const len = isNull ? 0 : c.offsets[i + 1]! - s;
        const at = kc.offsets![id]!;
        kc.bytes = growArray(kc.bytes!, at + len);
        kc.bytes!.set(c.data.subarray(s, s + len), at);
        kc.offsets![id + 1] = at + len;
      } else if (c.type === 'int64' || isDecimalVec(c)) kc.longs![id] = isNull ? 0n : c.values[i]!;
      else kc.nums![id] = isNull ? 0 : (c as SmallVec).values[i]!;
    }
    return id;
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    this.hashes = growArray(this.hashes, cap);
    for (const kc of this.keys) {
      kc.nulls = growArray(kc.nulls, cap);
      if (kc.nums) kc.nums = growArray(kc.nums, cap);
      else if (Array.isArray(kc.longs)) {
        while (kc.longs.length < cap) kc.longs.push(0n);
      } else if (kc.longs) kc.longs = growArray(kc.longs, cap);
      else kc.offsets = growArray(kc.offsets!, cap + 1);
    }
  }

  /**
   * Forgets every group once its keys were read, keeping the grown arrays: a partial aggregate
   * starting again after a flush (operators/partialFlush.ts) does not grow them anew.
   */
  clear(): void {
    this.size = 0;
    this.slots.fill(-1);
    this.direct?.fill(-1);
    if (this.numeric && !this.numeric.reset()) this.numeric = null;
  }

  /** Hands the table's arrays back for recycling (spareArrays) once its keys were read; the table is not used again. */
  release(): void {
    recycle(this.hashes);
    recycle(this.slots);
    for (const kc of this.keys) {
      recycle(kc.nulls);
      recycle(kc.nums);
      if (!Array.isArray(kc.longs)) recycle(kc.longs);
      recycle(kc.offsets);
      recycle(kc.bytes);
    }
    this.numeric?.release();
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    recycle(this.slots);
    this.slots = spareArray(Int32Array, cap, -1);
    this.mask = cap - 1;
    for (let g = 0; g < this.size; g++) {
      let s = this.hashes[g]! & this.mask;
      while (this.slots[s] !== -1) s = (s + 1) & this.mask;
      this.slots[s] = g;
    }
  }

  /** The distinct keys as columns, in group-id order. */
  keyColumns(): Vec[] {
    const out: Vec[] = [];
    for (const kc of this.keys) out.push(keyColumnVec(kc, this.size));
    return out;
  }
}

/** A key column's first n keys as a vector (a module-level function, not a closure per call: its optimized code survives full GCs). */
function keyColumnVec(kc: KeyColumn, n: number): Vec {
  const validity = nullsValidity(kc.nulls, n);
  if (isBytes(kc.type)) {
    const offsets = kc.offsets!.slice(0, n + 1);
    return { type: kc.type, offsets, data: kc.bytes!.slice(0, offsets[n]!), validity };
  }
  if (kc.type === 'int32' || kc.type === 'date')
    return { type: kc.type, values: (kc.nums as Int32Array).slice(0, n), validity };
  if (kc.type === 'bool') return { type: 'bool', values: Uint8Array.from(kc.nums!.subarray(0, n)), validity };
  if (kc.type === 'int64') return { type: 'int64', values: kc.longs!.slice(0, n) as BigInt64Array, validity };
  if (isDecimal(kc.type)) return { type: kc.type, values: kc.longs!.slice(0, n), validity };
  return { type: 'float64', values: (kc.nums as Float64Array).slice(0, n), validity };
}

/**
 * The validity of n keys whose null flags are `nulls` (null when none is). Its own function, the
 * loop its last statement: in keyColumnVec, V8 compiled the loop on stack before the code after
 * it had run, and that code deoptimized on later calls.
 */
function nullsValidity(nulls: Uint8Array, n: number): Uint8Array | null {
  let validity: Uint8Array | null = null;
  for (let g = 0; g < n; g++) {
    if (nulls[g]) {
      validity ??= new Uint8Array((n + 7) >> 3).fill(0xff);
      validity[g >> 3]! &= ~(1 << (g & 7));
    }
  }
  return validity;
}
