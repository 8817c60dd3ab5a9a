/**
 * sum and avg over decimals, exactly (DecimalSumAcc): split from accumulators.ts, which holds the
 * Accumulator contract, the other core accumulators and the registry.
 */
import { decimalSumType } from '../../planner/aggregates.js';
import type { DataType, DecimalType } from '../../planner/types.js';
import { decimalParts } from '../../planner/types.js';
import { type Accumulator, countsAsInt64, countsOf, grow, seenValidity } from '../accumulators.js';
import { decimalArray, decimalVecOfDoubles, divRound, EXACT_LIMIT, fits, pow10, vecDoubles } from '../decimal.js';
import { recycle } from '../spareArrays.js';
import type { DecimalVec, Vec } from '../vector.js';
import { isValid, newValidity, setValid } from '../vector.js';

/** The shortest run of rows the unchecked loop of DecimalSumAcc takes (shorter: the checked one). */
const MIN_RUN = 256;

/** Rows [start, end) of `d` added into their groups' sums and counts, unchecked (a small function V8 compiles tightly). */
function addRun(
  groups: Int32Array,
  d: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    const g = groups[i]!;
    sums[g]! += d[i]!;
    counts[g]!++;
  }
}

/** Groups up to which DecimalSumAcc adds runs in lanes (`addLanes`). */
const LANE_GROUPS = 16;

/**
 * `addRun` for few groups (below LANE_GROUPS): rows i, i + 1, i + 2, i + 3 go to four lanes of
 * their group (`lanes` and `laneCounts`, 4 per group), folded into `sums` and `counts` at the end.
 * With few groups, consecutive rows mostly hit the same group: one sum per group chains every
 * addition on the one before (a store then a load of the same double), four lanes let four go
 * at once (4,096 rows of 5 groups: 1.6 -> 0.9 ns a row). Exact as `addRun`: every partial sum
 * is a sum of some of the run's integers, below the run's bound.
 */
function addLanes(
  groups: Int32Array,
  d: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  start: number,
  end: number,
  size: number,
  lanes: Float64Array,
  laneCounts: Float64Array,
): void {
  lanes.fill(0, 0, 4 * size);
  laneCounts.fill(0, 0, 4 * size);
  const i = laneLoop(groups, d, start, end, lanes, laneCounts);
  for (let g = 0; g < size; g++) {
    const k = g << 2;
    sums[g]! += lanes[k]! + lanes[k + 1]! + lanes[k + 2]! + lanes[k + 3]!;
    counts[g]! += laneCounts[k]! + laneCounts[k + 1]! + laneCounts[k + 2]! + laneCounts[k + 3]!;
  }
  addRun(groups, d, sums, counts, i, end);
}

/**
 * addLanes' loop over rows i..i+3, in a function that ends with it: V8 compiles a long first
 * call's loop on the stack (OSR), and code after the loop in the same function deoptimized that
 * code on every later call (~2,000 deopts a Q1 run in some processes). The first row it left.
 */
function laneLoop(
  groups: Int32Array,
  d: Float64Array,
  start: number,
  end: number,
  lanes: Float64Array,
  laneCounts: Float64Array,
): number {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const g0 = groups[i]! << 2;
    const g1 = (groups[i + 1]! << 2) + 1;
    const g2 = (groups[i + 2]! << 2) + 2;
    const g3 = (groups[i + 3]! << 2) + 3;
    lanes[g0]! += d[i]!;
    lanes[g1]! += d[i + 1]!;
    lanes[g2]! += d[i + 2]!;
    lanes[g3]! += d[i + 3]!;
    laneCounts[g0]!++;
    laneCounts[g1]!++;
    laneCounts[g2]!++;
    laneCounts[g3]!++;
  }
  return i;
}

/**
 * sum and avg over decimals, exactly: the sum of unscaled values at the argument's scale. Its
 * state is decimal(p + 10, s) (NULL once it outgrows that: the group's sum overflowed, as Spark's
 * non-ANSI sum); avg divides at its result scale, HALF_UP.
 *
 * A group's sum is `big[g] + fast[g]`: `fast` is a double holding an integer below 2^52 in
 * magnitude, to which values below 2^52 (read from a BigInt64Array's words) are added exactly;
 * when it reaches 2^52 it is carried into the BigInt `big` (allocated on the first carry). Wider
 * values go straight to `big`. Short data therefore sums without a BigInt per row.
 */
export class DecimalSumAcc implements Accumulator {
  private fast = new Float64Array(256);
  private big: bigint[] | null = null;
  counts = new Float64Array(256);
  overflow = new Uint8Array(256);
  /** An upper bound of every |fast[g]| (the loop without per-row checks runs while it stays below 2^52). */
  private fastBound = 0;
  /** The group count of the current update (`size`), and `addLanes`'s lanes (made at the first). */
  private size = 0;
  private lanes: Float64Array | null = null;
  private laneCounts: Float64Array | null = null;
  private readonly scale: number;
  private readonly state0: DecimalType;
  constructor(
    arg: DecimalType,
    readonly out: DecimalType,
    readonly average: boolean,
  ) {
    this.scale = decimalParts(arg).scale;
    this.state0 = decimalSumType(arg);
  }
  private ensure(g: number): void {
    this.fast = grow(this.fast, g);
    this.counts = grow(this.counts, g);
    this.overflow = grow(this.overflow, g);
    if (this.big) while (this.big.length < this.fast.length) this.big.push(0n);
  }
  private bigOf(): bigint[] {
    this.big ??= new Array<bigint>(this.fast.length).fill(0n);
    return this.big;
  }
  /**
   * Adds unscaled values into their groups, skipping rows that `validity` marks null and, with
   * `count` (partial states), rows whose count is 0; a row adds `count[i]` (else 1) to its count.
   */
  private add(groups: Int32Array, v: DecimalVec, n: number, validity: Uint8Array | null, count: Float64Array | null) {
    const fast = this.fast;
    const counts = this.counts;
    const known = vecDoubles(v, n);
    if (known) {
      const d = known.doubles;
      let i = 0;
      if (validity === null && count === null) {
        // Runs of rows in which no group can reach 2^52 (the bound says how many): plain double
        // additions. When the room runs out and there are few groups (no more than rows left),
        // every group is carried into its BigInt and the room starts again.
        const max = Math.max(known.max, 1);
        while (i < n) {
          let room = Math.floor((EXACT_LIMIT - 1 - this.fastBound) / max);
          if (room < MIN_RUN && this.fast.length <= n - i) {
            this.carryAll();
            room = Math.floor((EXACT_LIMIT - 1) / max);
          }
          if (room < MIN_RUN) break;
          const start = i;
          i = Math.min(n, i + room);
          if (this.size <= LANE_GROUPS) {
            this.lanes ??= new Float64Array(4 * LANE_GROUPS);
            this.laneCounts ??= new Float64Array(4 * LANE_GROUPS);
            addLanes(groups, d, fast, counts, start, i, this.size, this.lanes, this.laneCounts);
          } else addRun(groups, d, fast, counts, start, i);
          this.fastBound += (i - start) * max;
        }
        if (i === n) return;
      }
      for (; i < n; i++) {
        if ((validity !== null && !isValid(validity, i)) || (count !== null && count[i] === 0)) continue;
        const g = groups[i]!;
        const s = fast[g]! + d[i]!; // both below 2^52: exact
        if (s >= EXACT_LIMIT || s <= -EXACT_LIMIT) {
          this.bigOf()[g]! += BigInt(s);
          fast[g] = 0;
        } else fast[g] = s;
        counts[g]! += count !== null ? count[i]! : 1;
      }
      // Every |fast[g]| is now below 2^52; a later batch's bound starts there.
      this.fastBound = EXACT_LIMIT - 1;
      return;
    }
    const big = this.bigOf();
    const x = v.values;
    for (let i = 0; i < n; i++) {
      if ((validity !== null && !isValid(validity, i)) || (count !== null && count[i] === 0)) continue;
      const g = groups[i]!;
      big[g]! += x[i]!;
      counts[g]! += count !== null ? count[i]! : 1;
    }
  }
  update(groups: Int32Array, size: number, values: Vec | null, n: number): void {
    this.ensure(size);
    this.size = size;
    const v = values as DecimalVec;
    this.add(groups, v, n, v.validity, null);
  }
  /** Carries every group's double into its BigInt (when the bound says a double could soon lose exactness). */
  private carryAll(): void {
    const big = this.bigOf();
    const fast = this.fast;
    for (let g = 0; g < fast.length; g++) {
      if (fast[g] === 0) continue;
      big[g]! += BigInt(fast[g]!);
      fast[g] = 0;
    }
    this.fastBound = 0;
  }
  /** Group g's whole sum as a BigInt. */
  private total(g: number): bigint {
    const f = BigInt(this.fast[g]!);
    return this.big ? this.big[g]! + f : f;
  }
  /**
   * Per-group sums at the sum's scale as a column of `type` (null where a group overflowed, has
   * no rows when `needRows`, or does not fit `precision`): the exact doubles themselves (int64
   * built when read) when no group ever carried into BigInts, else BigInts.
   */
  private sumsColumn(groups: number, type: DecimalType, needRows: boolean): DecimalVec {
    const { precision } = decimalParts(type);
    const counts = this.counts;
    const overflow = this.overflow;
    let validity: Uint8Array | null = null;
    /** Marks group g null (the bitmap made at the first). */
    const unset = (g: number) => {
      validity ??= newValidity(groups);
      setValid(validity, g, false);
    };
    if (!this.big && precision >= 16) {
      // Lazy over the exact doubles: a shuffle sends them as they are, a merge adds them as they are.
      const fast = this.fast;
      const d = new Float64Array(groups);
      let max = 0;
      for (let g = 0; g < groups; g++) {
        if (overflow[g] !== 0 || (needRows && counts[g] === 0)) {
          unset(g);
          continue;
        }
        const x = fast[g]!;
        d[g] = x;
        if (x > max) max = x;
        else if (-x > max) max = -x;
      }
      return decimalVecOfDoubles(type, d, max, validity);
    }
    const values = decimalArray(type, groups);
    for (let g = 0; g < groups; g++) {
      const s = overflow[g] !== 0 || (needRows && counts[g] === 0) ? null : this.total(g);
      if (s !== null && fits(s, precision)) values[g] = s;
      else unset(g);
    }
    return { type, values, validity };
  }
  state(groups: number): Vec[] {
    this.ensure(groups);
    return [this.sumsColumn(groups, this.state0, false), countsAsInt64(this.counts, groups)];
  }
  merge(groups: Int32Array, size: number, state: readonly Vec[], n: number): void {
    this.ensure(size);
    this.size = size;
    const s = state[0] as DecimalVec;
    const c = countsOf(state[1]!, n);
    for (let i = 0; i < n; i++) {
      // A partial state that overflowed (NULL with rows behind it) makes its group overflow.
      if (c[i] !== 0 && !isValid(s.validity, i)) this.overflow[groups[i]!] = 1;
    }
    this.add(groups, s, n, s.validity, c);
    // Counts of overflowed partials still count.
    for (let i = 0; i < n; i++) if (c[i] !== 0 && !isValid(s.validity, i)) this.counts[groups[i]!]! += c[i]!;
  }
  reset(g: number): void {
    if (g < this.fast.length) this.fast[g] = 0;
    if (this.big && g < this.big.length) this.big[g] = 0n;
    if (g < this.counts.length) this.counts[g] = 0;
    if (g < this.overflow.length) this.overflow[g] = 0;
  }
  release(): void {
    recycle(this.fast);
    recycle(this.counts);
    recycle(this.overflow);
  }
  evaluate(groups: number): Vec {
    return this.evaluateAs(groups, this.average, this.out);
  }
  evaluateAs(groups: number, average: boolean, out: DataType): Vec {
    this.ensure(groups);
    const type = out as DecimalType;
    if (!average) return this.sumsColumn(groups, type, true);
    const wanted = (g: number) => this.counts[g] !== 0 && !this.overflow[g];
    const { precision, scale } = decimalParts(type);
    const values = decimalArray(type, groups);
    const ok = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      if (!wanted(g)) continue;
      const v = divRound(this.total(g) * pow10(scale - this.scale), BigInt(this.counts[g]!));
      if (fits(v, precision)) {
        values[g] = v;
        ok[g] = 1;
      }
    }
    return { type, values, validity: seenValidity(ok, groups) };
  }
}
