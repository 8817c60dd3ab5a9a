/**
 * Sorted runs of int32 group keys: the layout of a NumericKeyIndex (operators/numericKeys.ts)
 * whose keys come in ascending runs over ranges no other run overlaps, as the keys of files each
 * sorted by them do, read in any file order. A hash partition of TPC-H order keys at SF10 holds 1
 * key in 64 of its range, too sparse for a direct id array: a hashed table of its ~940 K groups
 * misses the cache on every new key, and radix partitioning it copies every row twice. Here a key
 * above the growing run's greatest and below the next run's least is new without a probe: it is
 * appended, id beside it. A key out of that order is searched in the run whose range holds it.
 * A key far above the growing run (JUMP times its keys' mean gap) begins a run of its own, so
 * the gap stays free for the files that fill it later (part-1, part-10, …, part-19, part-2).
 *
 * The index leaves this layout for the hash table (keeping every id) when a new key would fall
 * inside a run's range (the keys are not clustered), when the runs grow too many, or when
 * searches for keys seen before become frequent (keys repeated out of order).
 */
import { recycle, spareArray } from './spareArrays.js';

/** More runs than this: the keys are not clustered enough to be worth it. */
export const MAX_RUNS = 4096;
/** Past this many runs, runs of fewer than SHORT_RUN keys on average are not worth it either. */
const SHORT_RUNS = 64;
const SHORT_RUN = 16;

/** A key found: its id; absent and free to start a run; absent inside a run's range. */
export const ABSENT = -1;
export const HOLE = -3;

/** A key more than this many times the growing run's mean gap above it begins another run... */
const JUMP = 64;
/** ...and never a key less than this far above. */
const MIN_JUMP = 1 << 12;

/** 2^31: above every int32, the limit of a run with no run above it. */
const NO_LIMIT = 2147483648;
/** The reach of a run of one key: any distance. */
export const NO_REACH = 2 ** 32;

export class KeyRuns {
  /** Every key held, run after run (each run ascending), and each key's id beside it. */
  keys: Int32Array;
  ids: Int32Array;
  /** Keys held. */
  size = 0;
  /** Each run's first entry in `keys`, in order of creation: the last run is the one that grows. */
  private starts = new Int32Array(16);
  private runs = 0;
  /** The runs in order of their least keys: those keys, and the runs' indices. */
  private mins = new Int32Array(16);
  private byMin = new Int32Array(16);
  /** Where `find` last found no run holding its key: the position in `mins` of the run above it. */
  private gap = 0;
  /** The growing run's greatest key (NO_LIMIT while there is none); the least key of the run above it (NO_LIMIT if none). */
  top = NO_LIMIT;
  limit = NO_LIMIT;
  /** Lookups that searched a run (a key out of its run's order). */
  searches = 0;

  constructor(capacity: number) {
    const cap = Math.max(1024, capacity);
    this.keys = spareArray(Int32Array, cap, null);
    this.ids = spareArray(Int32Array, cap, null);
  }

  /** Appends key x (above `top`, below `limit`) with its id to the growing run. */
  append(x: number, id: number): void {
    if (this.size === this.keys.length) this.grow();
    this.keys[this.size] = x;
    this.ids[this.size++] = id;
    this.top = x;
  }

  private grow(): void {
    const cap = 2 * this.keys.length;
    for (const name of ['keys', 'ids'] as const) {
      const next = spareArray(Int32Array, cap, null);
      next.set(this[name]);
      recycle(this[name]);
      this[name] = next;
    }
  }

  /** The id of key x; ABSENT when no run's range holds it (`start` may begin a run there); HOLE when one does, without x. */
  find(x: number): number {
    // The last run (in order of least keys) whose least key is at most x.
    let lo = 0;
    let hi = this.runs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.mins[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    this.gap = lo;
    if (lo === 0) return ABSENT;
    const r = this.byMin[lo - 1]!;
    const from = this.starts[r]!;
    const to = r + 1 < this.runs ? this.starts[r + 1]! : this.size;
    if (x > this.keys[to - 1]!) return ABSENT;
    this.searches++;
    let a = from;
    let b = to;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.keys[mid]! < x) a = mid + 1;
      else b = mid;
    }
    return this.keys[a] === x ? this.ids[a]! : HOLE;
  }

  /**
   * Whether a key that would begin another run says the keys are not clustered: there are
   * MAX_RUNS runs, or past SHORT_RUNS runs they hold fewer than SHORT_RUN keys each on average
   * (keys spread at random each begin a run of their own).
   */
  get full(): boolean {
    return this.runs === MAX_RUNS || (this.runs >= SHORT_RUNS && this.runs * SHORT_RUN > this.size);
  }

  /** Begins a run with key x where the last `find` (ABSENT) left it (there is room: not `full`). */
  start(x: number, id: number): void {
    if (this.runs === this.starts.length) {
      for (const name of ['starts', 'mins', 'byMin'] as const) {
        const next = new Int32Array(2 * this.runs);
        next.set(this[name]);
        this[name] = next;
      }
    }
    const at = this.gap;
    this.mins.copyWithin(at + 1, at, this.runs);
    this.byMin.copyWithin(at + 1, at, this.runs);
    this.mins[at] = x;
    this.byMin[at] = this.runs;
    this.starts[this.runs++] = this.size;
    this.limit = at + 1 < this.runs ? this.mins[at + 1]! : NO_LIMIT;
    this.append(x, id);
  }

  /** How far above `top` a key may be appended to the growing run: JUMP times its mean gap (any distance while it holds one key). */
  reach(): number {
    const from = this.starts[this.runs - 1]!;
    const len = this.size - from;
    return len < 2 ? NO_REACH : Math.max(MIN_JUMP, (JUMP * (this.top - this.keys[from]!)) / (len - 1));
  }

  /** Hands the arrays back for recycling; the runs are not used again. */
  release(): void {
    recycle(this.keys);
    recycle(this.ids);
  }
}
