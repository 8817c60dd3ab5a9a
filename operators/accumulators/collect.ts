/**
 * collect_list / collect_set: each group's non-null values as a list column (operators/lists.ts),
 * in the order rows arrived (collect_set keeps the first of equal values). The accumulator keeps
 * references to the rows (source column, row) and gathers them once at the end, so every
 * primitive type keeps its exact values. Its partial state is the list itself; merging appends
 * the state's elements in order. A group with no values gets an empty list, never NULL (Spark).
 */
import type { DataType } from '../../planner/types.js';
import { storageType } from '../../planner/types.js';
import type { Accumulator } from '../accumulators.js';
import { listParts, listVec } from '../lists.js';
import type { Int64Vec, NumVec, Vec } from '../vector.js';
import { bytesAt, concatVecs, isBytesVec, isValid, latin1, stringAt, take } from '../vector.js';

/** A value's identity for collect_set: numbers (NaN equals NaN, -0 equals 0), BigInts, text. */
export function valueKey(v: Vec, i: number): number | bigint | string {
  if (isBytesVec(v)) return v.type === 'binary' ? latin1(bytesAt(v, i)) : stringAt(v, i);
  return (v as NumVec | Int64Vec).values[i]!;
}

export class CollectAcc implements Accumulator {
  private sources: Vec[] = [];
  private sourceOf = new Map<Vec, number>();
  /** Per group: source index and row, interleaved. */
  private members: number[][] = [];
  private sets: Set<number | bigint | string>[] = [];
  constructor(
    readonly type: DataType,
    readonly distinct: boolean,
  ) {}
  private source(v: Vec): number {
    let s = this.sourceOf.get(v);
    if (s === undefined) {
      s = this.sources.length;
      this.sources.push(v);
      this.sourceOf.set(v, s);
    }
    return s;
  }
  /** Append row i of v to group g (non-null; collect_set skips a value the group has). */
  private add(g: number, s: number, v: Vec, i: number): void {
    if (this.distinct) {
      let set = this.sets[g];
      if (!set) {
        set = new Set();
        this.sets[g] = set;
      }
      const k = valueKey(v, i);
      if (set.has(k)) return;
      set.add(k);
    }
    const m = this.members[g];
    if (m) m.push(s, i);
    else this.members[g] = [s, i];
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const v = values!;
    let s = -1; // registered at its first non-null value (the NULL literal's column has none)
    for (let i = 0; i < n; i++) {
      if (!isValid(v.validity, i)) continue;
      if (s < 0) s = this.source(v);
      this.add(groups[i]!, s, v, i);
    }
  }
  state(groups: number): Vec[] {
    return [this.evaluate(groups)];
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const { offsets, elements } = listParts(state[0]!);
    const s = this.source(elements);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++)
        if (isValid(elements.validity, j)) this.add(g, s, elements, j);
    }
  }
  reset(g: number): void {
    delete this.members[g];
    delete this.sets[g];
  }
  evaluate(groups: number): Vec {
    const base: number[] = [];
    let total = 0;
    for (const v of this.sources) {
      base.push(total);
      total += 'arrow' in v ? v.arrow.length : isBytesVec(v) ? v.offsets.length - 1 : v.values.length;
    }
    const offsets = new Int32Array(groups + 1);
    for (let g = 0; g < groups; g++) offsets[g + 1] = offsets[g]! + (this.members[g]?.length ?? 0) / 2;
    const sel = new Int32Array(offsets[groups]!);
    let k = 0;
    for (let g = 0; g < groups; g++) {
      const m = this.members[g];
      if (m) for (let j = 0; j < m.length; j += 2) sel[k++] = base[m[j]!]! + m[j + 1]!;
    }
    const all = concatVecs(storageType(this.type), this.sources);
    return listVec(this.type, take(all, sel), offsets, null);
  }
}
