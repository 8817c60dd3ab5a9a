/**
 * A mergeable quantile sketch for percentile_approx: compactor levels in the manner of KLL
 * (Karnin, Lang, Liberty 2016), deterministic. Level h holds values of weight 2^h; when a level
 * reaches `k` values it is sorted and every other value (alternating which half per level, so
 * errors tend to cancel) moves up a level with twice the weight; an odd one out stays. Total
 * weight is kept exactly (it is the count of values). Until a group has `k` values the sketch
 * holds them all and answers exactly. Each compaction at level h moves a rank by at most 2^h, so
 * a rank is off by at most n/k per level: about log2(n/k)·n/k in all (n/k for n ≤ 2k).
 *
 * Values are held exactly (exactValues.ts: numbers, or BigInts for int64s and decimals beyond
 * 2^53), so the answer is an input value as stored. Serialized (the partial state) with
 * encodeExact: the levels' sizes as the header, then the levels' values.
 */
import { compareExact, decodeExact, type Exact, encodeExact } from './exactValues.js';

export class QuantileSketch {
  levels: Exact[][] = [[]];
  private flips: number[] = [0];
  constructor(readonly k: number) {}

  add(x: Exact): void {
    const l0 = this.levels[0]!;
    l0.push(x);
    if (l0.length >= this.k) this.compact(0);
  }

  private compact(h: number): void {
    const items = this.levels[h]!.sort(compareExact);
    if (this.levels.length === h + 1) {
      this.levels.push([]);
      this.flips.push(0);
    }
    const odd = items.length % 2 === 1 ? items.pop()! : null;
    const offset = this.flips[h]!;
    this.flips[h] = 1 - offset;
    const up = this.levels[h + 1]!;
    for (let i = offset; i < items.length; i += 2) up.push(items[i]!);
    this.levels[h] = odd === null ? [] : [odd];
    if (up.length >= this.k) this.compact(h + 1);
  }

  merge(o: QuantileSketch): void {
    o.levels.forEach((items, h) => {
      while (this.levels.length <= h) {
        this.levels.push([]);
        this.flips.push(0);
      }
      const mine = this.levels[h]!;
      for (const x of items) mine.push(x);
    });
    for (let h = 0; h < this.levels.length; h++) if (this.levels[h]!.length >= this.k) this.compact(h);
  }

  get count(): number {
    return this.levels.reduce((a, l, h) => a + l.length * 2 ** h, 0);
  }

  /**
   * Spark's answer for each percentage p: the value of rank ceil(p·n) (the first value for p = 0),
   * ranks counted by weight over the sorted values. Null when the sketch is empty.
   */
  quantiles(ps: readonly number[]): Exact[] | null {
    const items: [Exact, number][] = [];
    this.levels.forEach((l, h) => {
      for (const x of l) items.push([x, 2 ** h]);
    });
    if (!items.length) return null;
    items.sort((a, b) => compareExact(a[0], b[0]));
    const n = this.count;
    return ps.map((p) => {
      const rank = Math.max(1, Math.ceil(p * n));
      let acc = 0;
      for (const [x, w] of items) {
        acc += w;
        if (acc >= rank) return x;
      }
      return items[items.length - 1]![0];
    });
  }

  serialize(): Uint8Array {
    return encodeExact(
      this.levels.map((l) => l.length),
      this.levels.flat(),
    );
  }

  static deserialize(k: number, bytes: Uint8Array): QuantileSketch {
    const s = new QuantileSketch(k);
    if (bytes.length < 8) return s;
    const { header, values } = decodeExact(bytes);
    let at = 0;
    s.levels = header.map((size) => {
      const level = values.slice(at, at + size);
      at += size;
      return level;
    });
    s.flips = header.map(() => 0);
    return s;
  }
}
