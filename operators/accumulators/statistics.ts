/**
 * Variance, standard deviation, covariance and correlation: numerically stable per-group
 * moments (Welford's update), merged with Chan et al.'s pairwise formulas, so partial states from
 * any split of the rows combine to the same result (up to rounding). Results follow Spark without
 * its legacy flag: NULL over no rows, and the sample forms (and corr) NULL over one row.
 */
import type { AggFn } from '../../planner/aggregates.js';
import { castVec } from '../cast.js';
import type { Accumulator } from '../accumulators.js';
import { grow } from '../accumulators.js';
import type { NumVec, Vec } from '../vector.js';
import { isValid, newValidity, setValid } from '../vector.js';

const f64 = (values: Float64Array): Vec => ({ type: 'float64', values, validity: null });
const doubles = (v: Vec, n: number): NumVec => castVec(v, 'float64', n) as NumVec;

/** A double per group, NULL where `ok` is false. */
function result(groups: number, value: (g: number) => number, ok: (g: number) => boolean): Vec {
  const out = new Float64Array(groups);
  let validity: Uint8Array | null = null;
  for (let g = 0; g < groups; g++) {
    if (ok(g)) out[g] = value(g);
    else {
      validity ??= newValidity(groups);
      setValid(validity, g, false);
    }
  }
  return { type: 'float64', values: out, validity };
}

export type MomentFn = Extract<AggFn, 'stddev' | 'stddev_samp' | 'stddev_pop' | 'variance' | 'var_samp' | 'var_pop'>;

/** Count, mean and sum of squared deviations per group (stddev*, var*, variance). */
export class MomentsAcc implements Accumulator {
  n = new Float64Array(256);
  mean = new Float64Array(256);
  m2 = new Float64Array(256);
  constructor(readonly fn: MomentFn) {}
  private ensure(size: number): void {
    this.n = grow(this.n, size);
    this.mean = grow(this.mean, size);
    this.m2 = grow(this.m2, size);
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.ensure(size);
    const v = doubles(values!, n);
    const x = v.values;
    const { n: cnt, mean, m2 } = this;
    for (let i = 0; i < n; i++) {
      if (v.validity && !isValid(v.validity, i)) continue;
      const g = groups[i]!;
      const c = ++cnt[g]!;
      const d = x[i]! - mean[g]!;
      mean[g]! += d / c;
      m2[g]! += d * (x[i]! - mean[g]!);
    }
  }
  state(groups: number): Vec[] {
    this.ensure(groups);
    return [f64(this.n.slice(0, groups)), f64(this.mean.slice(0, groups)), f64(this.m2.slice(0, groups))];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.ensure(size);
    const [nb, mb, qb] = state.map((s) => (s as NumVec).values);
    const { n: cnt, mean, m2 } = this;
    for (let i = 0; i < n; i++) {
      const b = nb![i]!;
      if (b === 0) continue;
      const g = groups[i]!;
      const a = cnt[g]!;
      const t = a + b;
      const d = mb![i]! - mean[g]!;
      mean[g] = a === 0 ? mb![i]! : mean[g]! + (d * b) / t;
      m2[g] = a === 0 ? qb![i]! : m2[g]! + qb![i]! + (d * d * a * b) / t;
      cnt[g] = t;
    }
  }
  reset(g: number): void {
    if (g < this.n.length) this.n[g] = this.mean[g] = this.m2[g] = 0;
  }
  evaluate(groups: number): Vec {
    this.ensure(groups);
    const pop = this.fn === 'stddev_pop' || this.fn === 'var_pop';
    const root = this.fn.startsWith('stddev');
    const { n, m2 } = this;
    return result(
      groups,
      (g) => {
        const v = m2[g]! / (pop ? n[g]! : n[g]! - 1);
        return root ? Math.sqrt(v) : v;
      },
      (g) => n[g]! > (pop ? 0 : 1),
    );
  }
}

export type ComomentFn = Extract<AggFn, 'covar_samp' | 'covar_pop' | 'corr'>;

type Six = [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];

/** Count, means, co-moment and both second moments per group, over rows where x and y are both non-null. */
export class ComomentsAcc implements Accumulator {
  private cols = Array.from({ length: 6 }, () => new Float64Array(256));
  constructor(readonly fn: ComomentFn) {}
  private ensure(size: number): void {
    this.cols = this.cols.map((c) => grow(c, size));
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number, more?: readonly Vec[]): void {
    this.ensure(size);
    const vx = doubles(values!, n);
    const vy = doubles(more![0]!, n);
    const x = vx.values;
    const y = vy.values;
    const [cnt, mx, my, cxy, qx, qy] = this.cols as Six;
    for (let i = 0; i < n; i++) {
      if ((vx.validity && !isValid(vx.validity, i)) || (vy.validity && !isValid(vy.validity, i))) continue;
      const g = groups[i]!;
      const c = ++cnt[g]!;
      const dx = x[i]! - mx[g]!;
      const dy = y[i]! - my[g]!;
      mx[g]! += dx / c;
      my[g]! += dy / c;
      cxy[g]! += dx * (y[i]! - my[g]!);
      qx[g]! += dx * (x[i]! - mx[g]!);
      qy[g]! += dy * (y[i]! - my[g]!);
    }
  }
  state(groups: number): Vec[] {
    this.ensure(groups);
    return this.cols.map((c) => f64(c.slice(0, groups)));
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.ensure(size);
    const [nb, mxb, myb, cb, qxb, qyb] = state.map((s) => (s as NumVec).values) as Float64Array[];
    const [cnt, mx, my, cxy, qx, qy] = this.cols as Six;
    for (let i = 0; i < n; i++) {
      const b = nb![i]!;
      if (b === 0) continue;
      const g = groups[i]!;
      const a = cnt[g]!;
      if (a === 0) {
        cnt[g] = b;
        mx[g] = mxb![i]!;
        my[g] = myb![i]!;
        cxy[g] = cb![i]!;
        qx[g] = qxb![i]!;
        qy[g] = qyb![i]!;
        continue;
      }
      const t = a + b;
      const dx = mxb![i]! - mx[g]!;
      const dy = myb![i]! - my[g]!;
      const w = (a * b) / t;
      cxy[g]! += cb![i]! + dx * dy * w;
      qx[g]! += qxb![i]! + dx * dx * w;
      qy[g]! += qyb![i]! + dy * dy * w;
      mx[g]! += (dx * b) / t;
      my[g]! += (dy * b) / t;
      cnt[g] = t;
    }
  }
  reset(g: number): void {
    for (const c of this.cols) if (g < c.length) c[g] = 0;
  }
  evaluate(groups: number): Vec {
    this.ensure(groups);
    const [n, , , cxy, qx, qy] = this.cols as Float64Array[];
    if (this.fn === 'corr')
      return result(
        groups,
        (g) => cxy![g]! / Math.sqrt(qx![g]! * qy![g]!),
        (g) => n![g]! > 1,
      );
    const pop = this.fn === 'covar_pop';
    return result(
      groups,
      (g) => cxy![g]! / (pop ? n![g]! : n![g]! - 1),
      (g) => n![g]! > (pop ? 0 : 1),
    );
  }
}
