/**
 * first / last / any_value: one row's value per group — the first (or last) seen, null included
 * unless `ignoreNulls`. The accumulator keeps a reference to the row (its column and index) and
 * gathers the picked rows once at the end, so any type moves through it untouched. Its partial
 * state is the value and whether the group saw one; merging in input order keeps "first" and
 * "last" meaning the order rows arrived in (within a task, and across partial states as merged).
 */
import { field } from '../../planner/types.js';
import { type Accumulator, grow } from '../accumulators.js';
import type { Batch, Int64Vec, Vec } from '../vector.js';
import { concatBatches, isValid, takeOrNull, vecFromValues, vecLength } from '../vector.js';
import type { DataType } from '../../planner/types.js';

export class PickAcc implements Accumulator {
  seen = new Uint8Array(256);
  rows: { vec: Vec; row: number }[] = [];
  constructor(
    readonly type: DataType,
    readonly last: boolean,
    readonly ignoreNulls: boolean,
  ) {}
  private take(groups: Int32Array, size: number, vec: Vec, n: number, seenCol: Vec | null): void {
    this.seen = grow(this.seen, size);
    const seen = seenCol ? (seenCol as Int64Vec).values : null;
    const skipNulls = this.ignoreNulls && vec.validity !== null;
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (this.seen[g] && !this.last) continue;
      if (seen && seen[i] === 0n) continue;
      if (skipNulls && !isValid(vec.validity, i)) continue;
      this.seen[g] = 1;
      this.rows[g] = { vec, row: i };
    }
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.take(groups, size, values!, n, null);
  }
  state(groups: number): Vec[] {
    const seen = new BigInt64Array(groups);
    for (let g = 0; g < groups; g++) seen[g] = this.seen[g] ? 1n : 0n;
    return [this.evaluate(groups), { type: 'int64', values: seen, validity: null }];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.take(groups, size, state[0]!, n, state[1]!);
  }
  reset(g: number): void {
    if (g < this.seen.length) this.seen[g] = 0;
    delete this.rows[g];
  }
  /** The picked rows gathered from the columns they were seen in (any type, values untouched). */
  evaluate(groups: number): Vec {
    const schema = [field('v', this.type)];
    const sources: Batch[] = [];
    const base = new Map<Vec, number>();
    let total = 0;
    const sel = new Int32Array(groups).fill(-1);
    for (let g = 0; g < groups; g++) {
      const r = this.rows[g];
      if (!r) continue;
      let at = base.get(r.vec);
      if (at === undefined) {
        at = total;
        base.set(r.vec, at);
        const length = vecLength(r.vec);
        sources.push({ schema, columns: [r.vec], length });
        total += length;
      }
      sel[g] = at + r.row;
    }
    if (!sources.length) return vecFromValues(this.type, new Array(groups).fill(null));
    return takeOrNull(concatBatches(schema, sources).columns[0]!, sel);
  }
}
