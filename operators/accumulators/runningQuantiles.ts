/**
 * median and percentile_approx over chains of growing window frames (running frames, or frames
 * that shrink from the start, scanned backwards): one order-statistics structure per chain, fed
 * each row once and read after each frame, so memory is linear in the partition (the prefix
 * scan of partial states in operators/window.ts would hold every frame's values: quadratic).
 * For a rank r(n) = max(1, ceil(p·n)) over n values, a max-heap holds the r smallest and a
 * min-heap the rest; r grows by at most one per value, so each insert moves at most two values.
 * The answers are exact: percentile_approx the value of rank r (what its sketch answers while a
 * frame has fewer than `accuracy` values, and within its bound beyond), median the midpoint of
 * ranks ceil(n/2) and floor(n/2) + 1 rounded once (quantiles.ts).
 */
import type { AggOptions } from '../../planner/aggregates.js';
import type { DataType } from '../../planner/types.js';
import type { Vec } from '../vector.js';
import { isValid } from '../vector.js';
import { compareExact, type Exact, exactColumn, exactValues } from './exactValues.js';
import { answerList, medianScale, midpoint } from './quantiles.js';

/** A binary heap of exact values; `sign` 1: the smallest on top, -1: the largest. */
class Heap {
  readonly items: Exact[] = [];
  constructor(private readonly sign: 1 | -1) {}
  get size(): number {
    return this.items.length;
  }
  top(): Exact {
    return this.items[0]!;
  }
  private before(i: number, j: number): boolean {
    return this.sign * compareExact(this.items[i]!, this.items[j]!) < 0;
  }
  private swap(i: number, j: number): void {
    const a = this.items;
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  push(x: Exact): void {
    this.items.push(x);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): Exact {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(l, m)) m = l;
        if (r < a.length && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** The value of rank max(1, ceil(p·n)) among the n values added so far, and the next one up. */
class RankTracker {
  private lower = new Heap(-1);
  private upper = new Heap(1);
  private n = 0;
  constructor(private readonly p: number) {}
  add(x: Exact): void {
    if (this.lower.size && compareExact(x, this.lower.top()) < 0) this.lower.push(x);
    else this.upper.push(x);
    this.n++;
    const r = Math.max(1, Math.ceil(this.p * this.n));
    while (this.lower.size > r) this.upper.push(this.lower.pop());
    while (this.lower.size < r) this.lower.push(this.upper.pop());
  }
  get count(): number {
    return this.n;
  }
  /** The value of the rank (null before any value). */
  get value(): Exact | null {
    return this.n ? this.lower.top() : null;
  }
  /** The value of the rank after it (the rank itself at the end). */
  get next(): Exact | null {
    return this.n ? (this.upper.size ? this.upper.top() : this.lower.top()) : null;
  }
}

/** How window.ts fed a chain plan: rows of group g are values[offsets[g] .. offsets[g + 1]), chains start at head[g] == g. */
export interface ChainFeed {
  readonly dir: 1 | -1;
  readonly head: Int32Array;
  readonly offsets: Int32Array;
}

/** Whether `fn` over chained frames is answered here instead of by the prefix scan. */
export const runsIncrementally = (fn: string): fn is 'median' | 'percentile_approx' =>
  fn === 'median' || fn === 'percentile_approx';

/** Each group's answer (a column of `groups` rows): `values` holds each group's new rows, in chain order. */
export function runningQuantiles(
  fn: 'median' | 'percentile_approx',
  argType: DataType,
  options: AggOptions,
  values: Vec,
  feed: ChainFeed,
): Vec {
  const groups = feed.head.length;
  const x = exactValues(values, feed.offsets[groups]!);
  const ps = fn === 'median' ? [0.5] : (options.percentages ?? [0.5]);
  const answers: (Exact[] | null)[] = new Array(groups).fill(null);
  const medians: (number | null)[] = new Array(groups).fill(null);
  const scale = medianScale(argType);
  let trackers: RankTracker[] = [];
  for (let k = 0; k < groups; k++) {
    const g = feed.dir === 1 ? k : groups - 1 - k;
    if (feed.head[g] === g) trackers = ps.map((p) => new RankTracker(p));
    if (x)
      for (let i = feed.offsets[g]!; i < feed.offsets[g + 1]!; i++)
        if (isValid(values.validity, i)) for (const t of trackers) t.add(x[i]!);
    const t0 = trackers[0]!;
    if (!t0.count) continue;
    if (fn === 'median') medians[g] = midpoint(scale, t0.value!, t0.count % 2 ? t0.value! : t0.next!);
    else answers[g] = trackers.map((t) => t.value!);
  }
  if (fn === 'median') return exactColumn('float64', medians);
  if (!options.array)
    return exactColumn(
      argType,
      answers.map((a) => (a ? a[0]! : null)),
    );
  return answerList(argType, answers);
}
