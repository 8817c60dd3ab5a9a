/**
 * Column arrays handed back by their last reader. A scan's output columns are fresh arrays per
 * row group (Q1 at SF1: ~200 MB a run, a row group's four decimal columns ~4 MB); allocated
 * anew each time, their external memory drives V8's full collections, which run on the task
 * thread at 2 executors (single-threaded GC). The scan marks the arrays a column vector alone
 * holds (`owning`); a consumer that has read a batch and keeps nothing of it hands its columns
 * back (`releaseColumns`) and the next row group's columns are carved from them (spareArrays.ts).
 *
 * Who may release: only the first operator of a stage whose input is its scan, and only when it
 * keeps no vector, array or view of the batch (operators/aggregate.ts `releasesInput`): nothing
 * else holds a scan's batch then (the task source wraps the columns in a new batch, keeping
 * none). A vector nobody releases is collected as any other.
 */
import { type Growable, recycleColumn } from './spareArrays.js';
import type { Vec } from './vector.js';

/** Arrays each marked vector holds alone (no other vector, cache or view reads them). */
const owned = new WeakMap<Vec, readonly Growable[]>();

/** Marks `arrays` as held by `v` alone; returns `v`. */
export function owning<V extends Vec>(v: V, ...arrays: Growable[]): V {
  owned.set(v, arrays);
  return v;
}

/** Whether `v` holds arrays that may be handed back (tests). */
export function isOwning(v: Vec): boolean {
  return owned.has(v);
}

/**
 * Hands back the arrays the marked vectors among `cols` hold: the caller, and everyone, must
 * never read these vectors again. Unmarked vectors are left alone.
 */
export function releaseColumns(cols: readonly Vec[]): void {
  for (const c of cols) {
    const arrays = c && owned.get(c);
    if (!arrays) continue;
    owned.delete(c);
    for (const a of arrays) recycleColumn(a);
  }
}
