/**
 * When a partial aggregate hands its groups on early. A partial aggregate's group table that
 * grows to millions of groups (order keys: one group per 4 rows) spends its time in cache misses
 * and doublings; one kept under a bound stays in cache. So once the table passes the bound its
 * groups are flushed to the output and it starts again (DuckDB and Spark do the same): the final
 * aggregate merges a group flushed twice anyway, so answers stay exact.
 *
 * Flushing only pays while a flushed group rarely comes back — input clustered by the keys, such
 * as lineitem sorted by l_orderkey. Each flush therefore checks its groups against the hashes of
 * the groups flushed before (a bitmap): when clearly more of them were seen before than the
 * bitmap's false positives explain, the keys are spread out, flushing would only multiply the
 * shuffled rows, and the table grows unbounded for the rest of the task, as it did before. After
 * the first flushes only every CHECK_EVERY-th is checked: keys that spread out show in any flush.
 */
import { hashRows } from './hash.js';
import type { Vec } from './vector.js';

/** Groups a partial aggregate's table may hold before it is flushed (a few MB of index and states). */
let flushGroups = 1 << 16;

/** Sets the bound (tests: a small one, so that a few rows already flush); returns the previous one. */
export function setPartialFlushGroups(groups: number): number {
  const before = flushGroups;
  flushGroups = groups;
  return before;
}

/** Bits of the bitmap of flushed groups' hashes (256 KiB). */
const SEEN_BITS = 1 << 21;
/** Flushing stops when this fraction of a flush's groups were seen before, beyond the false positives. */
const REPEAT_LIMIT = 0.1;
/** Flushes checked one by one, then one in CHECK_EVERY. */
const CHECKED_FIRST = 8;
const CHECK_EVERY = 8;

export class PartialFlush {
  private seen: Uint32Array | null = null;
  /** Bits set in `seen` (its false-positive rate is setBits / SEEN_BITS). */
  private setBits = 0;
  /** False once flushing was found to lose reduction: the table grows unbounded from then on. */
  private on = true;
  private flushes = 0;

  private readonly bound = flushGroups;

  /** Whether a table of `groups` groups should be flushed now. */
  due(groups: number): boolean {
    return this.on && groups >= this.bound;
  }

  /**
   * Records the flushed groups' keys (columns, one row per group); turns flushing off when too
   * many of them were flushed before.
   */
  flushed(keys: readonly Vec[], groups: number): void {
    const n = this.flushes++;
    if (keys.length === 0 || (n >= CHECKED_FIRST && n % CHECK_EVERY !== 0)) return;
    const h = hashRows(keys, groups);
    if (!this.seen || this.setBits * 2 > SEEN_BITS) {
      // Half full: false positives would hide repeats, so start a fresh bitmap.
      this.seen = new Uint32Array(SEEN_BITS >>> 5);
      this.setBits = 0;
    }
    const falsePositive = this.setBits / SEEN_BITS;
    const repeats = markSeen(h, groups, this.seen);
    this.setBits += groups - repeats; // each group not seen before set its bit
    if (repeats > (falsePositive + REPEAT_LIMIT) * groups) this.on = false;
  }
}

/**
 * Sets the bits of hashes h[0..groups) in `seen`; returns how many were set already. Its own
 * function, the loop its last statement: inside `flushed`, V8 compiled the loop on stack before
 * the code after it had ever run, and that code deoptimized on every later flush.
 */
function markSeen(h: Int32Array, groups: number, seen: Uint32Array): number {
  let repeats = 0;
  for (let g = 0; g < groups; g++) {
    const bit = h[g]! & (SEEN_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if (seen[word]! & mask) repeats++;
    else seen[word] = seen[word]! | mask;
  }
  return repeats;
}
