/**
 * percentile_approx (a QuantileSketch per group, sketch.ts) and median (Spark's exact percentile
 * 0.5: every value kept, the two middle ones interpolated). Both hold values exactly as stored
 * (exactValues.ts): dates as days, timestamps as counts of their unit, decimals unscaled, int64s
 * as BigInts beyond 2^53. percentile_approx answers an input value in the argument's type (a list
 * of them for an array of percentages); median a double: the exact midpoint rounded once.
 */
import { DEFAULT_ACCURACY } from '../../planner/aggregatesMore.js';
import type { AggOptions } from '../../planner/aggregates.js';
import type { DataType } from '../../planner/types.js';
import { decimalParts, isDecimal } from '../../planner/types.js';
import type { Accumulator } from '../accumulators.js';
import { pow10 } from '../decimal.js';
import { listVec } from '../lists.js';
import type { BytesVec, Vec } from '../vector.js';
import { bytesAt, isValid, newValidity, setValid, vecFromValues } from '../vector.js';
import {
  compareExact,
  decodeExact,
  type Exact,
  encodeExact,
  exactColumn,
  exactValues,
  ratioToDouble,
} from './exactValues.js';
import { QuantileSketch } from './sketch.js';

/** percentile_approx's answers for an array of percentages (null: no values) as a list column. */
export function answerList(argType: DataType, answers: readonly (readonly Exact[] | null)[]): Vec {
  const groups = answers.length;
  const offsets = new Int32Array(groups + 1);
  const flat: Exact[] = [];
  let validity: Uint8Array | null = null;
  answers.forEach((a, g) => {
    if (a) flat.push(...a);
    else {
      validity ??= newValidity(groups);
      setValid(validity, g, false);
    }
    offsets[g + 1] = flat.length;
  });
  return listVec(argType, exactColumn(argType, flat), offsets, validity);
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
    const x = exactValues(values!, n);
    if (!x) return; // the NULL literal: no valid rows
    const validity = values!.validity;
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
      return exactColumn(
        this.argType,
        answers.map((a) => (a ? a[0]! : null)),
      );
    return answerList(this.argType, answers);
  }
}

/** The scale median divides by: a decimal's, else null (doubles, ints). */
export const medianScale = (argType: DataType): number | null =>
  isDecimal(argType) ? decimalParts(argType).scale : null;

/**
 * The midpoint of a and b (the two middle values, equal for an odd count) as a double, rounded
 * once; `scale` is a decimal's (values unscaled), null for doubles and ints.
 */
export function midpoint(scale: number | null, a: Exact, b: Exact): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (scale === null) return a === b ? a : 0.5 * a + 0.5 * b;
    const sum = a + b; // integers below 2^53: exact while the sum is, and 10^scale exact to 10^22
    if (Math.abs(sum) <= 2 ** 53 && scale <= 22) return sum / (2 * 10 ** scale);
  }
  return ratioToDouble(BigInt(a) + BigInt(b), 2n * pow10(scale ?? 0));
}

/**
 * median: every value of the group, exactly as stored; the two middle ones' midpoint. Doubles
 * and int32s as doubles; int64s and decimals interpolated exactly ((a + b) / (2·10^scale)) and
 * rounded once to a double.
 */
export class MedianAcc implements Accumulator {
  private values: (Exact[] | undefined)[] = [];
  private readonly scale: number | null;
  constructor(readonly argType: DataType) {
    this.scale = medianScale(argType);
  }
  private push(g: number, x: Exact): void {
    const v = this.values[g];
    if (v) v.push(x);
    else this.values[g] = [x];
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const x = exactValues(values!, n);
    if (!x) return; // the NULL literal: no valid rows
    const validity = values!.validity;
    for (let i = 0; i < n; i++) if (isValid(validity, i)) this.push(groups[i]!, x[i]!);
  }
  state(groups: number): Vec[] {
    return [
      vecFromValues(
        'binary',
        Array.from({ length: groups }, (_, g) => {
          const v = this.values[g];
          return v?.length ? encodeExact([], v) : new Uint8Array(0);
        }),
      ),
    ];
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const s = state[0] as BytesVec;
    for (let i = 0; i < n; i++) {
      const bytes = bytesAt(s, i);
      if (!bytes.length) continue;
      for (const x of decodeExact(bytes).values) this.push(groups[i]!, x);
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
      const sorted = v.every((x) => typeof x === 'number')
        ? Float64Array.from(v as number[]).sort()
        : v.sort(compareExact);
      const mid = (sorted.length - 1) / 2;
      out[g] = midpoint(this.scale, sorted[Math.floor(mid)]!, sorted[Math.ceil(mid)]!);
    }
    return exactColumn('float64', out);
  }
}
