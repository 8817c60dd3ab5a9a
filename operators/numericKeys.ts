/**
 * The index of a group table keyed by one numeric column (join and group keys such as order
 * keys): int32 keys in separate key/id arrays with Fibonacci hashing, int64 keys likewise as
 * (low, high) word pairs, doubles in interleaved (key, id) pairs so a probe touches one cache
 * line. Null keys map to one group of their own; a repeat of the previous key skips the probe. The table owns ids and key storage; the index
 * asks it to `add` a key and counts how many it holds.
 *
 * int32 keys in a narrow range (order keys of a file's slice, dates) skip hashing altogether:
 * their ids sit in an array addressed by key − base (DuckDB's "perfect hash" aggregation), as
 * long as the range stays within DIRECT_DENSITY × the keys held (and DIRECT_MAX_SPAN); once a
 * batch would break that, the keys held become one sorted run (operators/keyRuns.ts): keys that
 * keep coming in ascending runs over ranges of their own (sorted files) are found without
 * hashing still. Keys that do not move to the hash table, and the index stays hashed.
 */
import { InternalError } from '../planner/errors.js';
import type { Vec } from './vector.js';
import { ABSENT, HOLE, KeyRuns, NO_REACH } from './keyRuns.js';
import { recycle, spareArray } from './spareArrays.js';
import { int32Range, int64Words, isBytesVec, isOpaqueVec, isValid } from './vector.js';

export type NumericVec = Vec & { values: Int32Array | Float64Array | BigInt64Array };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const nextPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(2, x)));

/**
 * A direct id array may span this many slots per key held (plus one batch): TPC-H order keys use
 * 1 slot in 4, and a hash partition of them 1 in 4 × partitions...
 */
const DIRECT_DENSITY = 16;
/** ...and never fewer than this many, nor more than DIRECT_MAX_SPAN (32 MiB of ids). */
const DIRECT_MIN_SPAN = 1 << 16;
const DIRECT_MAX_SPAN = 1 << 23;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The table a NumericKeyIndex hands its keys to (GroupTable). */
export interface KeyTable {
  /** Adds key x (or a null) as a new group; returns its id. */
  addNumber(x: number | bigint, isNull: boolean): number;
  /** Adds int32 keys xs[0..m) (none null) as m new groups in a row; returns the first's id. Absent: `addNumber` key by key. */
  addInts?(xs: Int32Array, m: number): number;
}

export class NumericKeyIndex {
  /** Keys held (ids handed out by `add`). */
  private count = 0;
  /** New int32 keys of the batch at hand, handed to `addInts` at once (a table's key store grows by blocks, not key by key). */
  private fresh = new Int32Array(0);
  /** How many new keys the loop at hand counted (its result beside the row it stopped at). */
  private readonly added = new Int32Array(1);
  /**
   * The table is an object, not closures: a closure per table is a new call target each time,
   * and the optimized loops that had inlined the last one deoptimized on the next table.
   */
  constructor(private readonly table: KeyTable) {}

  private add(x: number | bigint, isNull: boolean): number {
    this.count++;
    return this.table.addNumber(x, isNull);
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

  /**
   * int32/date keys in a narrow range: the id of key x plus one at `direct[x - directBase]` (0:
   * absent, so a fresh array needs no fill and its pages no keys touch are never written).
   */
  private direct: Int32Array | null = null;
  private directBase = 0;
  /** How int32 keys are held: a direct id array, then sorted runs, then hashed, each for good once left. */
  private layout: 'direct' | 'runs' | 'hashed' = 'direct';
  /** The sorted runs (layout 'runs'). */
  private runs: KeyRuns | null = null;

  /**
   * Whether the keys held are found without hashing (int32 keys in a direct id array or in sorted
   * runs): few cache misses, however many groups.
   */
  get unhashed(): boolean {
    return this.kind === 'int' && this.layout !== 'hashed' && (this.direct !== null || this.runs !== null);
  }

  /** How int32 keys are held (tests and metrics): addressed directly by value, in sorted runs, or hashed. */
  get intLayout(): 'direct' | 'runs' | 'hashed' {
    return this.layout;
  }

  /**
   * Makes the direct array cover the keys of v[0..n) (when adding them), moving it where the keys
   * are when it is empty; false when they would spread it beyond its bounds, after moving the
   * keys held into sorted runs.
   */
  private fit(v: Int32Array, validity: Uint8Array | null, n: number, insert: boolean): boolean {
    const [min, max] = int32Range(v, validity, n);
    let dir = this.direct;
    let base = this.directBase;
    if (dir && this.count === 0 && insert && min <= max) {
      // Emptied by `reset`: the array holds no key, so it moves to where the keys are.
      if (max - min < dir.length) this.directBase = base = min;
      else {
        recycle(dir);
        this.direct = dir = null;
      }
    }
    if (insert && min <= max && (!dir || min < base || max >= base + dir.length)) {
      const lo = dir ? Math.min(min, base) : min;
      const hi = dir ? Math.max(max, base + dir.length - 1) : max;
      const span = hi - lo + 1;
      if (span > Math.min(DIRECT_MAX_SPAN, Math.max(DIRECT_MIN_SPAN, DIRECT_DENSITY * (this.count + n)))) {
        this.directToRuns();
        return false;
      }
      // Room to grow on the side that grew (doubling), so keys rising batch by batch copy rarely.
      const len = Math.min(DIRECT_MAX_SPAN, Math.max(span, dir ? 2 * dir.length : span));
      const nb = dir && min < base ? Math.max(-2147483648, hi - len + 1) : lo;
      const next = spareArray(Int32Array, len);
      if (dir) next.set(dir, base - nb);
      recycle(dir);
      this.direct = dir = next;
      this.directBase = base = nb;
    }
    return true;
  }

  /**
   * Ids of int32 keys through the direct array: the rows done, all `n` but when the batch's keys
   * would spread the array beyond its bounds — then the keys held moved to sorted runs, and the
   * rows from the one returned on are for the runs to take.
   *
   * A batch with no nulls that adds keys is taken optimistically: its rows go through the array
   * as it is until a key falls outside it, and only then is the rest's range read to grow it (no
   * pass over the batch just for its range: the batch is ~120 K rows, read again from memory).
   */
  private directIds(v: Int32Array, validity: Uint8Array | null, n: number, out: Int32Array, insert: boolean): number {
    if (insert && !validity && this.table.addInts) {
      const held = this.direct;
      // Emptied by `reset`: the array moves to the batch's first key (fit moves it on if the keys go below).
      if (held && this.count === 0 && n > 0) this.directBase = v[0]!;
      const from = held ? this.directInsert(v, 0, n, out, held, this.directBase, this.directBase + held.length) : 0;
      if (from === n) return n;
      if (!this.fit(from === 0 ? v : v.subarray(from), null, n - from, true)) return from;
      const dir = this.direct!;
      return this.directInsert(v, from, n, out, dir, this.directBase, this.directBase + dir.length);
    }
    if (!this.fit(v, validity, n, insert)) return 0;
    const dir = this.direct;
    const base = this.directBase;
    const end = dir ? base + dir.length : base;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        if (this.nullGroup < 0 && insert) this.nullGroup = this.add(0, true);
        out[i] = this.nullGroup;
        continue;
      }
      const x = v[i]!;
      if (x < base || x >= end) {
        out[i] = -1; // a lookup of a key never added
        continue;
      }
      let id = dir![x - base]! - 1;
      if (id === -1 && insert) {
        id = this.add(x, false);
        dir![x - base] = id + 1;
      }
      out[i] = id;
    }
    return n;
  }

  /**
   * directIds' loop for a batch with no nulls that adds keys, from row `from` on (directLoop):
   * the new keys are handed to the table when it stops, at the first key outside the array; the
   * row it stopped at (`n` when none).
   */
  private directInsert(
    v: Int32Array,
    from: number,
    n: number,
    out: Int32Array,
    dir: Int32Array,
    base: number,
    end: number,
  ): number {
    if (this.fresh.length < n) this.fresh = new Int32Array(Math.max(n, 1024));
    const first = this.count;
    const i = directLoop(v, from, n, out, dir, base, end, this.fresh, first, this.added);
    this.commit(first, first + this.added[0]!);
    return i;
  }

  /** Hands the table the new keys fresh[0..next − first), whose ids the index counted from `first` (= count). */
  private commit(first: number, next: number): void {
    if (next === first) return;
    this.count = next;
    const at = this.table.addInts!(this.fresh, next - first);
    if (at !== first)
      throw new InternalError('KEY_IDS', `the table gave ids from ${at}, the index counted from ${first}`);
  }

  /** Moves the keys of the direct array into one sorted run, for good. */
  private directToRuns(): void {
    this.layout = 'runs';
    const dir = this.direct;
    this.direct = null;
    const runs = new KeyRuns(this.count);
    this.runs = runs;
    if (!dir) return;
    let d = 0;
    while (d < dir.length && dir[d] === 0) d++;
    if (d < dir.length) {
      runs.find(this.directBase + d); // no runs yet: where the first one begins
      runs.start(this.directBase + d, dir[d]! - 1);
    }
    for (d++; d < dir.length; d++) if (dir[d] !== 0) runs.append(this.directBase + d, dir[d]! - 1);
    recycle(dir);
  }

  /**
   * Ids of int32 keys through the sorted runs, adding the new ones; false when a key says the
   * runs do not fit the keys (see operators/keyRuns.ts), after moving every key held into the
   * hash table: the keys this batch added keep their ids there.
   */
  private runIds(v: Int32Array, validity: Uint8Array | null, n: number, out: Int32Array): boolean {
    const runs = this.runs!;
    // No nulls: new keys' ids are counted by the loop and the keys handed to the table after it (as directInsert).
    const bulk = !validity && this.table.addInts !== undefined;
    if (bulk && this.fresh.length < n) this.fresh = new Int32Array(Math.max(n, 1024));
    const first = this.count;
    const stop = this.runLoop(runs, v, validity, n, out, bulk, this.fresh, first, this.added);
    if (bulk) this.commit(first, first + this.added[0]!);
    // Keys found by searching a run (out of order) cost a binary search each: frequent ones mean a hash table suits better.
    if (stop < n || (runs.searches > 1024 && runs.searches * 8 > runs.size)) this.leaveRuns();
    return stop === n;
  }

  /**
   * runIds' loop: the row at which a key said the runs do not fit the keys, or `n`. With `bulk`
   * new keys get ids from `first` on, go to `fresh` and are counted in added[0]. Nothing follows
   * the loop: V8 compiles a long first call's loop on stack, and code after it that had never run
   * deoptimized that code on every later call.
   */
  private runLoop(
    runs: KeyRuns,
    v: Int32Array,
    validity: Uint8Array | null,
    n: number,
    out: Int32Array,
    bulk: boolean,
    fresh: Int32Array,
    first: number,
    added: Int32Array,
  ): number {
    let next = first;
    added[0] = 0;
    let top = runs.top;
    let limit = runs.limit;
    let reach = runs.size > 0 ? runs.reach() : 0;
    let lastKey = 0;
    let lastId = -2;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        if (this.nullGroup < 0) this.nullGroup = this.add(0, true);
        out[i] = this.nullGroup;
        continue;
      }
      const x = v[i]!;
      if (x === lastKey && lastId !== -2) {
        out[i] = lastId;
        continue;
      }
      let id: number;
      const above = x > top && x < limit;
      if (above && x - top > reach) reach = runs.reach(); // stale: the run's mean gap grew
      if (above && x - top <= reach) {
        // Above the growing run and near it, below the next run: a new key, appended.
        if (bulk) {
          id = next++;
          fresh[id - first] = x;
          added[0] = next - first;
        } else id = this.add(x, false);
        runs.append(x, id);
        top = x;
        if (reach === NO_REACH) reach = runs.reach(); // a run's second key: now it has a mean gap
      } else {
        id = runs.find(x);
        if (id === HOLE || (id === ABSENT && runs.full)) return i;
        if (id === ABSENT) {
          if (bulk) {
            id = next++;
            fresh[id - first] = x;
            added[0] = next - first;
          } else id = this.add(x, false);
          runs.start(x, id);
          reach = runs.reach();
        }
        top = runs.top;
        limit = runs.limit;
      }
      out[i] = id;
      lastKey = x;
      lastId = id;
    }
    return n;
  }

  /** Moves the keys of the sorted runs into the hash table, for good. */
  private leaveRuns(): void {
    this.layout = 'hashed';
    const runs = this.runs;
    this.runs = null;
    if (!runs) return;
    this.ensureInts(this.count);
    for (let k = 0; k < runs.size; k++) this.putInt(runs.keys[k]!, runs.ids[k]!);
    runs.release();
  }

  /**
   * Forgets every key, keeping a direct id array (zeroed) for the next keys: a partial aggregate
   * flushing every ~64 K order keys (operators/partialFlush.ts) would otherwise grow a fresh one
   * by doublings each time, copying and zeroing ~2 ints a row. False (nothing kept, the index
   * released) in any other layout: the caller makes a new index.
   */
  reset(): boolean {
    if (this.kind !== 'int' || this.layout !== 'direct' || !this.direct) {
      this.release();
      return false;
    }
    this.direct.fill(0);
    this.count = 0;
    this.nullGroup = -1;
    return true;
  }

  /** Hands the index's arrays back for recycling (spareArrays); the index is not used again. */
  release(): void {
    for (const a of [this.direct, this.ik, this.iv, this.lk, this.lv, this.pairs]) recycle(a);
    this.direct = this.ik = this.iv = this.lk = this.lv = this.pairs = null;
    this.runs?.release();
    this.runs = null;
    this.pairMask = 0;
  }

  /** int32/date keys: separate key and id tables, multiplicative hashing, no float views. */
  private ik: Int32Array | null = null;
  private iv: Int32Array | null = null;
  private imask = 0;

  private intIds(v: Int32Array, validity: Uint8Array | null, n: number, out: Int32Array, insert: boolean): Int32Array {
    this.ensureInts(n);
    let ik = this.ik!;
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

  /** Creates the int hash table, sized for `n` keys, if there is none. */
  private ensureInts(n: number): void {
    if (this.ik) return;
    const cap = Math.max(1024, nextPow2(2 * n));
    this.ik = spareArray(Int32Array, cap);
    this.iv = spareArray(Int32Array, cap, -1);
    this.imask = cap - 1;
  }

  /** Puts key x with id `id` into the int hash table (x is absent; the table has room). */
  private putInt(x: number, id: number): void {
    const ik = this.ik!;
    const iv = this.iv!;
    const mask = this.imask;
    let s = Math.imul(x, 0x9e3779b1) >>> (32 - Math.log2(mask + 1));
    while (iv[s] !== -1) s = (s + 1) & mask;
    ik[s] = x;
    iv[s] = id;
  }

  private rehashInts(): void {
    const ok = this.ik!;
    const ov = this.iv!;
    const cap = ok.length * 2;
    const ik = spareArray(Int32Array, cap);
    const iv = spareArray(Int32Array, cap, -1);
    const mask = cap - 1;
    for (let t = 0; t < ok.length; t++) {
      if (ov[t] === -1) continue;
      const x = ok[t]!;
      let s = Math.imul(x, 0x9e3779b1) >>> (32 - Math.log2(mask + 1));
      while (iv[s] !== -1) s = (s + 1) & mask;
      ik[s] = x;
      iv[s] = ov[t]!;
    }
    recycle(ok);
    recycle(ov);
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
    const lk = spareArray(Int32Array, 2 * cap);
    const lv = spareArray(Int32Array, cap, -1);
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
    recycle(ok);
    recycle(ov);
    this.lk = lk;
    this.lv = lv;
    this.lmask = mask;
  }

  ids(c: NumericVec, n: number, out: Int32Array, insert: boolean): Int32Array {
    const values = c.values;
    if (values instanceof Int32Array) {
      this.kind = 'int';
      const done = this.layout === 'direct' ? this.directIds(values, c.validity, n, out, insert) : 0;
      if (done === n) return out;
      // The rows the direct array did not take (some only when the batch had no nulls).
      const v = done === 0 ? values : values.subarray(done);
      const rest = done === 0 ? out : out.subarray(done);
      // Lookups (a join's probes) would search the sorted runs key by key: the hash table serves them better.
      if (this.layout === 'runs' && !insert) this.leaveRuns();
      if (this.layout === 'runs' && this.runIds(v, c.validity, n - done, rest)) return out;
      this.intIds(v, c.validity, n - done, rest, insert);
      return out;
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
    const pairs = spareArray(Float64Array, 2 * cap, -1);
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
    recycle(old);
    this.pairs = pairs;
    this.pairMask = mask;
    return pairs;
  }
}

/**
 * directInsert's loop (operators on no `this`, and nothing after the loop: V8 compiles a long
 * first call's loop on stack, and code after it that had never run deoptimized that code on
 * every later call — Q18 at SF1: ~40 deopts a run). Rows from `from` on take their keys' ids in
 * the direct array `dir` (base `base`, keys below `end`); a new key gets the id first + k (k the
 * new keys before it), goes to fresh[k], and added[0] counts them. A row repeating the previous
 * row's key (lineitem's ~4 rows per order arrive together) takes its id without reading the
 * array. Returns the first row whose key lies outside the array, or `n`.
 */
function directLoop(
  v: Int32Array,
  from: number,
  n: number,
  out: Int32Array,
  dir: Int32Array,
  base: number,
  end: number,
  fresh: Int32Array,
  first: number,
  added: Int32Array,
): number {
  let next = first;
  added[0] = 0;
  let lastKey = 0;
  let lastId = -2;
  for (let i = from; i < n; i++) {
    const x = v[i]!;
    if (x === lastKey && lastId !== -2) {
      out[i] = lastId;
      continue;
    }
    if (x < base || x >= end) return i;
    let id = dir[x - base]! - 1;
    if (id === -1) {
      id = next++;
      dir[x - base] = id + 1;
      fresh[id - first] = x;
      added[0] = next - first;
    }
    out[i] = id;
    lastKey = x;
    lastId = id;
  }
  return n;
}
