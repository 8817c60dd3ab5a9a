/**
 * Aggregate accumulators with update / state / merge / evaluate, so partial → shuffle → final
 * aggregation runs the same code in one process or across executors. States are columns
 * indexed by group id.
 */
import type { AggFn, AggOptions } from '../planner/aggregates.js';
import { MORE_ACCUMULATORS } from './accumulators/more.js';
import type { Udaf } from './accumulators/udaf.js';
import type { DataType, DecimalType } from '../planner/types.js';
import { isDecimal, storageType } from '../planner/types.js';
import { decimalArray, longsFromDoubles } from './decimal.js';
import { InternalError } from '../planner/errors.js';
import { exprToString } from '../planner/expr.js';
import type { AggCall } from '../planner/stages.js';
import { compareNumbers, compareStrings } from '../planner/order.js';
import { castVec, int64ToDoubles } from './cast.js';
import { growArray, recycle } from './spareArrays.js';
import { DecimalSumAcc } from './accumulators/decimalSum.js';
import type { Int64Vec, NumVec, Vec } from './vector.js';
import {
  bytesAt,
  fromLatin1,
  isBytesVec,
  isDecimalVec,
  isOpaqueVec,
  isValid,
  latin1,
  newValidity,
  setValid,
  stringAt,
  vecFromValues,
} from './vector.js';

/**
 * Accumulators are fed group ids in `[0, size)`: `size` (the group count so far, which the
 * aggregate's hash table knows) lets each grow its state once per batch without a scan.
 */
export interface Accumulator {
  /**
   * Fold input values (one per row) into their groups. `values` is null for count(*); `more`
   * holds the further arguments' columns (corr's second, a UDAF's others).
   */
  update(groups: Int32Array, size: number, values: Vec | null, n: number, more?: readonly Vec[]): void;
  /** The partial state as columns (one row per group), laid out as its registry entry declares. */
  state(groups: number): Vec[];
  /** Fold partial states (as produced by `state`) into groups. */
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void;
  /** The final value per group. */
  evaluate(groups: number): Vec;
  /** Forget group g (a scratch slot that collected rows a filter rejected). */
  reset(g: number): void;
  /** Set when another accumulator keeps this one's state: update and merge do nothing and need no input. */
  readonly twin?: boolean;
  /** Hands the state's arrays back for recycling (spareArrays) once every result was read; not used again. */
  release?(): void;
}

/** An accumulator's per-group array with room for `need` groups (spareArrays: the outgrown one is recycled). */
export function grow<T extends Float64Array | Uint8Array | BigInt64Array>(a: T, need: number): T {
  return growArray(a, need);
}

function growLongs(a: BigInt64Array | bigint[], need: number): BigInt64Array | bigint[] {
  if (!Array.isArray(a)) return grow(a, need);
  while (a.length < need) a.push(0n);
  return a;
}

/** A validity bitmap from per-group flags (null when every group is set). */
export function seenValidity(seen: Uint8Array, groups: number): Uint8Array | null {
  let validity: Uint8Array | null = null;
  for (let g = 0; g < groups; g++)
    if (!seen[g]) {
      validity ??= newValidity(groups);
      setValid(validity, g, false);
    }
  return validity;
}

/** Counts (kept as doubles, exact far beyond any row count) as an int64 column, word by word (no BigInt per group). */
export function countsAsInt64(counts: Float64Array, groups: number): Vec {
  const known = Math.min(groups, counts.length);
  let values = longsFromDoubles(counts, known);
  if (known < groups) {
    const all = new BigInt64Array(groups);
    all.set(values);
    values = all;
  }
  return { type: 'int64', values, validity: null };
}

/** An int64 state column (counts) as doubles. */
export function countsOf(state: Vec, n: number): Float64Array {
  return int64ToDoubles((state as Int64Vec).values, n);
}

class CountAcc implements Accumulator {
  counts = new Float64Array(256);
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.counts = grow(this.counts, size);
    const c = this.counts;
    if (!values?.validity) for (let i = 0; i < n; i++) c[groups[i]!]!++;
    else for (let i = 0; i < n; i++) if (isValid(values.validity, i)) c[groups[i]!]!++;
  }
  state(groups: number): Vec[] {
    return [countsAsInt64(this.counts, groups)];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.counts = grow(this.counts, size);
    const s = countsOf(state[0]!, n);
    for (let i = 0; i < n; i++) this.counts[groups[i]!]! += s[i]!;
  }
  reset(g: number): void {
    if (g < this.counts.length) this.counts[g] = 0;
  }
  evaluate(groups: number): Vec {
    return countsAsInt64(this.counts, groups);
  }
  release(): void {
    recycle(this.counts);
  }
}

/** sum and avg over doubles (avg of integers too, as Spark averages them as doubles). */
class SumAcc implements Accumulator {
  sums = new Float64Array(256);
  counts = new Float64Array(256);
  constructor(readonly average: boolean) {}
  private ensure(g: number): void {
    this.sums = grow(this.sums, g);
    this.counts = grow(this.counts, g);
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.ensure(size);
    const vec = values!;
    const v = vec.type === 'int64' ? int64ToDoubles(vec.values, n) : (vec as NumVec).values;
    const s = this.sums;
    const c = this.counts;
    if (!vec.validity) {
      for (let i = 0; i < n; i++) {
        const g = groups[i]!;
        s[g]! += v[i]!;
        c[g]!++;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (!isValid(vec.validity, i)) continue;
        const g = groups[i]!;
        s[g]! += v[i]!;
        c[g]!++;
      }
    }
  }
  state(groups: number): Vec[] {
    this.ensure(groups);
    return [
      { type: 'float64', values: this.sums.slice(0, groups), validity: null },
      countsAsInt64(this.counts, groups),
    ];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.ensure(size);
    const s = (state[0] as { values: Float64Array }).values;
    const c = countsOf(state[1]!, n);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      this.sums[g]! += s[i]!;
      this.counts[g]! += c[i]!;
    }
  }
  reset(g: number): void {
    if (g < this.sums.length) this.sums[g] = 0;
    if (g < this.counts.length) this.counts[g] = 0;
  }
  release(): void {
    recycle(this.sums);
    recycle(this.counts);
  }
  evaluate(groups: number): Vec {
    return this.evaluateAs(groups, this.average, 'float64');
  }
  evaluateAs(groups: number, average: boolean, _out: DataType): Vec {
    this.ensure(groups);
    const out = new Float64Array(groups);
    const validity = newValidity(groups);
    let nulls = false;
    for (let g = 0; g < groups; g++) {
      if (this.counts[g] === 0) {
        setValid(validity, g, false);
        nulls = true;
      } else out[g] = average ? this.sums[g]! / this.counts[g]! : this.sums[g]!;
    }
    return { type: 'float64', values: out, validity: nulls ? validity : null };
  }
}

/**
 * sum over integers: exact, in an int64 that wraps on overflow like a Java long (Spark's
 * non-ANSI sum of longs); wrapping is associative, so partial sums merge to the same result.
 */
class LongSumAcc implements Accumulator {
  sums = new BigInt64Array(256);
  counts = new Float64Array(256);
  private ensure(g: number): void {
    this.sums = grow(this.sums, g);
    this.counts = grow(this.counts, g);
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.ensure(size);
    const vec = castVec(values!, 'int64', n) as Int64Vec;
    this.add(groups, vec.values, null, vec.validity, n);
  }
  private add(groups: Int32Array, v: BigInt64Array, cs: Float64Array | null, validity: Uint8Array | null, n: number) {
    const s = this.sums;
    const c = this.counts;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) continue;
      const g = groups[i]!;
      s[g] = BigInt.asIntN(64, s[g]! + v[i]!);
      c[g]! += cs ? cs[i]! : 1;
    }
  }
  state(groups: number): Vec[] {
    this.ensure(groups);
    return [{ type: 'int64', values: this.sums.slice(0, groups), validity: null }, countsAsInt64(this.counts, groups)];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.ensure(size);
    this.add(groups, (state[0] as Int64Vec).values, countsOf(state[1]!, n), null, n);
  }
  reset(g: number): void {
    if (g < this.sums.length) this.sums[g] = 0n;
    if (g < this.counts.length) this.counts[g] = 0;
  }
  evaluate(groups: number): Vec {
    this.ensure(groups);
    const validity = newValidity(groups);
    let nulls = false;
    for (let g = 0; g < groups; g++)
      if (this.counts[g] === 0) {
        setValid(validity, g, false);
        nulls = true;
      }
    return { type: 'int64', values: this.sums.slice(0, groups), validity: nulls ? validity : null };
  }
}

/**
 * A call whose state another accumulator keeps (sum(x) next to avg(x)): it reads that state and
 * adds nothing itself, so each row is summed once for both.
 */
class TwinAcc implements Accumulator {
  readonly twin = true;
  constructor(
    readonly of: SumAcc | DecimalSumAcc,
    readonly average: boolean,
    readonly out: DataType,
  ) {}
  update(): void {}
  merge(): void {}
  reset(): void {}
  state(groups: number): Vec[] {
    return this.of.state(groups);
  }
  evaluate(groups: number): Vec {
    return this.of.evaluateAs(groups, this.average, this.out);
  }
}

/**
 * The accumulators of an aggregate's calls. A sum and an avg of the same argument keep the same
 * state (the running sum and count, shipped in the same layout), so the later one is a twin
 * reading the earlier one's: the rows are summed once.
 */
export function accumulatorsOf(calls: readonly AggCall[], init: (c: AggCall) => AccInit): Accumulator[] {
  const accs: Accumulator[] = [];
  const sums = new Map<string, SumAcc | DecimalSumAcc>();
  for (const c of calls) {
    const acc = ACCUMULATORS[c.fn](c.argType, c.outType, init(c));
    const summing = (acc instanceof SumAcc || acc instanceof DecimalSumAcc) && c.arg !== null && !c.more?.length;
    const key = summing ? `${acc.constructor.name} ${JSON.stringify(c.argType)} ${exprToString(c.arg!)}` : '';
    const primary = summing ? sums.get(key) : undefined;
    if (primary) accs.push(new TwinAcc(primary, c.fn === 'avg', c.outType));
    else {
      if (summing) sums.set(key, acc as SumAcc | DecimalSumAcc);
      accs.push(acc);
    }
  }
  return accs;
}

/** min / max over numbers (dates, ints, doubles; int64 and decimals as BigInts) or strings. */
class ExtremeAcc implements Accumulator {
  vals = new Float64Array(256);
  /** int64 and (unscaled) decimal values. */
  longs: BigInt64Array | bigint[];
  seen = new Uint8Array(256);
  strs: (string | null)[] = [];
  constructor(
    readonly type: DataType,
    readonly isMax: boolean,
  ) {
    this.longs = isDecimal(type) ? decimalArray(type, 0) : new BigInt64Array(0);
  }
  private ensure(g: number): void {
    if (this.type === 'int64' || isDecimal(this.type)) this.longs = growLongs(this.longs, g);
    else this.vals = grow(this.vals, g);
    this.seen = grow(this.seen, g);
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.ensure(size);
    const v = values!;
    if (v.type === 'int64' || isDecimalVec(v)) {
      const x = v.values;
      const longs = this.longs;
      const seen = this.seen;
      for (let i = 0; i < n; i++) {
        if (v.validity && !isValid(v.validity, i)) continue;
        const g = groups[i]!;
        const val = x[i]!;
        if (!seen[g] || (this.isMax ? val > longs[g]! : val < longs[g]!)) {
          longs[g] = val;
          seen[g] = 1;
        }
      }
      return;
    }
    if (isBytesVec(v)) {
      // Binaries as one char per byte: compared byte-wise like UTF-8 strings.
      const text = v.type === 'binary' ? (i: number) => latin1(bytesAt(v, i)) : (i: number) => stringAt(v, i);
      for (let i = 0; i < n; i++) {
        if (!isValid(v.validity, i)) continue;
        const g = groups[i]!;
        const s = text(i);
        const cur = this.strs[g];
        if (cur == null || (this.isMax ? compareStrings(s, cur) > 0 : compareStrings(s, cur) < 0)) this.strs[g] = s;
        this.seen[g] = 1;
      }
      return;
    }
    if (isOpaqueVec(v)) throw new InternalError('OPAQUE_AGGREGATE', `min/max of a ${v.type} column`);
    const x = v.values;
    const vals = this.vals;
    const seen = this.seen;
    const max = this.isMax;
    for (let i = 0; i < n; i++) {
      if (v.validity && !isValid(v.validity, i)) continue;
      const g = groups[i]!;
      const val = x[i]!;
      if (!seen[g] || (max ? compareNumbers(val, vals[g]!) > 0 : compareNumbers(val, vals[g]!) < 0)) {
        vals[g] = val;
        seen[g] = 1;
      }
    }
  }
  state(groups: number): Vec[] {
    return [this.evaluate(groups)];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.update(groups, size, state[0]!, n);
  }
  reset(g: number): void {
    if (g < this.seen.length) this.seen[g] = 0;
    this.strs[g] = null;
  }
  evaluate(groups: number): Vec {
    this.ensure(groups);
    if (this.type === 'string' || this.type === 'binary') {
      const asValue = this.type === 'binary' ? fromLatin1 : (s: string) => s;
      return vecFromValues(
        this.type,
        Array.from({ length: groups }, (_, g) => (this.strs[g] == null ? null : asValue(this.strs[g]))),
      );
    }
    if (this.type === 'int64' || isDecimal(this.type))
      return { type: this.type, values: this.longs.slice(0, groups), validity: seenValidity(this.seen, groups) } as Vec;
    const vals: (number | null)[] = new Array(groups);
    for (let g = 0; g < groups; g++) vals[g] = this.seen[g] ? this.vals[g]! : null;
    return vecFromValues(this.type, vals);
  }
}

const noPartialState = () =>
  new InternalError(
    'NO_PARTIAL_STATE',
    'count(DISTINCT) has no partial state; the planner aggregates it in one phase',
    {
      aggregate: 'count_distinct',
    },
  );

/** count(DISTINCT x): exact, per group; runs in single-phase aggregation only. */
class CountDistinctAcc implements Accumulator {
  sets: Set<number | bigint | string>[] = [];
  update(groups: Int32Array, _size: number, values: Vec | null, n: number): void {
    const v = values!;
    for (let i = 0; i < n; i++) {
      if (!isValid(v.validity, i)) continue;
      const g = groups[i]!;
      let set = this.sets[g];
      if (!set) {
        set = new Set();
        this.sets[g] = set;
      }
      // A Set equates NaNs, -0 and 0, equal BigInts; a binary is one char per byte.
      set.add(
        isBytesVec(v)
          ? v.type === 'binary'
            ? latin1(bytesAt(v, i))
            : stringAt(v, i)
          : (v as NumVec | Int64Vec).values[i]!,
      );
    }
  }
  state(): Vec[] {
    throw noPartialState();
  }
  merge(): void {
    throw noPartialState();
  }
  reset(g: number): void {
    delete this.sets[g];
  }
  evaluate(groups: number): Vec {
    const out = new BigInt64Array(groups);
    for (let g = 0; g < groups; g++) out[g] = BigInt(this.sets[g]?.size ?? 0);
    return { type: 'int64', values: out, validity: null };
  }
}

/** What a call has besides its argument and result types (its further arguments, options, the job's UDAFs). */
export interface AccInit {
  readonly moreTypes: readonly DataType[];
  readonly options: AggOptions;
  /** The job's registered user aggregates, by name (a UDAF's accumulator looks its own up). */
  readonly udafs?: ReadonlyMap<string, Udaf>;
}

export const NO_INIT: AccInit = { moreTypes: [], options: {} };

type Factory = (argType: DataType | null, outType: DataType, init: AccInit) => Accumulator;

/** The accumulator of each aggregate in the registry (planner/aggregates.ts), by the same names. */
export const ACCUMULATORS: Record<AggFn, Factory> = {
  count: () => new CountAcc(),
  sum: (arg, out) =>
    isDecimal(out)
      ? new DecimalSumAcc(arg as DecimalType, out, false)
      : out === 'int64'
        ? new LongSumAcc()
        : new SumAcc(false),
  avg: (arg, out) => (isDecimal(out) ? new DecimalSumAcc(arg as DecimalType, out, true) : new SumAcc(true)),
  min: (arg, out) => new ExtremeAcc(storageType(arg ?? out), false),
  max: (arg, out) => new ExtremeAcc(storageType(arg ?? out), true),
  count_distinct: () => new CountDistinctAcc(),
  ...MORE_ACCUMULATORS,
};
