/**
 * percentile_approx (a QuantileSketch per group, sketch.ts) and median (Spark's exact percentile
 * 0.5: every value kept, the two middle ones interpolated). Both read numbers as doubles: dates
 * as days, decimals as their unscaled integers (exact below 2^53), int64 as the nearest double.
 * percentile_approx answers in the argument's type (a list of it for an array of percentages).
 */
import { DEFAULT_ACCURACY } from '../../planner/aggregatesMore.js';
import type { AggOptions } from '../../planner/aggregates.js';
import type { DataType } from '../../planner/types.js';
import { isDecimal, storageType } from '../../planner/types.js';
import type { Accumulator } from '../accumulators.js';
import { decimalArray } from '../decimal.js';
import { listVec } from '../lists.js';
import type { BytesVec, Vec } from '../vector.js';
import { bytesAt, isValid, newValidity, setValid, vecFromValues } from '../vector.js';
import { QuantileSketch } from './sketch.js';

/** A numeric column's values as doubles (decimals unscaled), with its validity. */
function storageDoubles(v: Vec, n: number): { x: ArrayLike<number>; validity: Uint8Array | null } {
  const values = (v as { values?: ArrayLike<number | bigint> }).values;
  if (!values) return { x: new Float64Array(n), validity: v.validity }; // the NULL literal: no valid rows
  if (values instanceof Float64Array || values instanceof Int32Array) return { x: values, validity: v.validity };
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Number(values[i]!);
  return { x, validity: v.validity };
}

/** Doubles (storage values of `type`, null = NULL) as a column of `type`. */
function column(type: DataType, xs: readonly (number | null)[]): Vec {
  const n = xs.length;
  let validity: Uint8Array | null = null;
  for (let i = 0; i < n; i++)
    if (xs[i] === null) {
      validity ??= newValidity(n);
      setValid(validity, i, false);
    }
  const st = storageType(type);
  if (isDecimal(st)) {
    const out = decimalArray(st, n);
    for (let i = 0; i < n; i++) out[i] = BigInt(xs[i] ?? 0);
    return { type: st, values: out, validity };
  }
  if (st === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(Math.round(xs[i] ?? 0));
    return { type: st, values: out, validity };
  }
  if (st === 'int32' || st === 'date') return { type: st, values: Int32Array.from(xs, (x) => x ?? 0), validity };
  return { type: 'float64', values: Float64Array.from(xs, (x) => x ?? 0), validity };
}

export class PercentileApproxAcc implements Accumulator {
  private sketches: (QuantileSketch | undefined)[] = [];
  private readonly k: number;
  private readonly ps: readonly number[];
  constructor(
    readonly argType: DataType,
    readonly options: AggOptions,
  ) {
    this.k = Math.max(8, options.accuracy ?? DEFAULT_ACCURACY);
    this.ps = options.percentages ?? [0.5];
  }
  private sketch(g: number): QuantileSketch {
    let s = this.sketches[g];
    if (!s) {
      s = new QuantileSketch(this.k);
      this.sketches[g] = s;
    }
    return s;
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const { x, validity } = storageDoubles(values!, n);
    for (let i = 0; i < n; i++) if (isValid(validity, i)) this.sketch(groups[i]!).add(x[i]!);
  }
  state(groups: number): Vec[] {
    return [
      vecFromValues(
        'binary',
        Array.from({ length: groups }, (_, g) => this.sketches[g]?.serialize() ?? new Uint8Array(0)),
      ),
    ];
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const s = state[0] as BytesVec;
    for (let i = 0; i < n; i++) {
      const bytes = bytesAt(s, i);
      if (bytes.length) this.sketch(groups[i]!).merge(QuantileSketch.deserialize(this.k, bytes));
    }
  }
  reset(g: number): void {
    delete this.sketches[g];
  }
  evaluate(groups: number): Vec {
    const answers = Array.from({ length: groups }, (_, g) => this.sketches[g]?.quantiles(this.ps) ?? null);
    if (!this.options.array)
      return column(
        this.argType,
        answers.map((a) => (a ? a[0]! : null)),
      );
    const offsets = new Int32Array(groups + 1);
    const flat: number[] = [];
    let validity: Uint8Array | null = null;
    answers.forEach((a, g) => {
      if (a) flat.push(...a);
      else {
        validity ??= newValidity(groups);
        setValid(validity, g, false);
      }
      offsets[g + 1] = flat.length;
    });
    return listVec(this.argType, column(this.argType, flat), offsets, validity);
  }
}

/** median: every value of the group (as doubles; decimals scaled), interpolated at the middle. */
export class MedianAcc implements Accumulator {
  private values: (number[] | undefined)[] = [];
  private readonly scale: number;
  constructor(readonly argType: DataType) {
    const m = /^decimal\(\d+,(\d+)\)$/.exec(argType);
    this.scale = m ? 10 ** Number(m[1]) : 1;
  }
  private push(g: number, x: number): void {
    const v = this.values[g];
    if (v) v.push(x);
    else this.values[g] = [x];
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const { x, validity } = storageDoubles(values!, n);
    const s = this.scale;
    for (let i = 0; i < n; i++) if (isValid(validity, i)) this.push(groups[i]!, s === 1 ? x[i]! : x[i]! / s);
  }
  state(groups: number): Vec[] {
    return [
      vecFromValues(
        'binary',
        Array.from({ length: groups }, (_, g) => new Uint8Array(Float64Array.from(this.values[g] ?? []).buffer)),
      ),
    ];
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const s = state[0] as BytesVec;
    for (let i = 0; i < n; i++) {
      const bytes = bytesAt(s, i);
      if (!bytes.length) continue;
      const d = new Float64Array(bytes.slice().buffer);
      for (const x of d) this.push(groups[i]!, x);
    }
  }
  reset(g: number): void {
    delete this.values[g];
  }
  evaluate(groups: number): Vec {
    const out: (number | null)[] = new Array(groups).fill(null);
    for (let g = 0; g < groups; g++) {
      const v = this.values[g];
      if (!v?.length) continue;
      const sorted = Float64Array.from(v).sort();
      const pos = (sorted.length - 1) * 0.5;
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      out[g] = lo === hi ? sorted[lo]! : (hi - pos) * sorted[lo]! + (pos - lo) * sorted[hi]!;
    }
    return column('float64', out);
  }
}
