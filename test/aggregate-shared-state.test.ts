/**
 * sum(x) and avg(x) of one argument keep one state (operators/accumulators.ts `accumulatorsOf`):
 * the later call is a twin that reads the earlier one's running sum and count, so each row is
 * summed once. Its values, its partial state and a final merge must equal those of an
 * accumulator of its own; calls that keep different states (integer sum vs avg, other
 * arguments) stay apart.
 */
import { describe, expect, it } from 'vitest';
import { ACCUMULATORS, accumulatorsOf, NO_INIT, type Accumulator } from '../operators/accumulators.js';
import type { Vec } from '../operators/vector.js';
import { vecFromValues } from '../operators/vector.js';
import { aggCallType, NO_SIG, type AggFn } from '../planner/aggregates.js';
import { col, lit, binary } from '../planner/expr.js';
import type { Expr } from '../planner/expr.js';
import type { AggCall } from '../planner/stages.js';
import type { DataType } from '../planner/types.js';

function call(fn: AggFn, arg: Expr, argType: DataType, name: string): AggCall {
  const r = aggCallType(fn, argType, NO_SIG);
  if (!('type' in r)) throw new Error(r.error);
  return { fn, arg, name, argType, outType: r.type as DataType };
}

const groups = Int32Array.of(0, 1, 0, 2, 1, 0, 2, 2);
const SIZE = 3;

/** Values of a column as plain JS (BigInts for decimals), nulls as null. */
function cells(v: Vec, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) =>
    v.validity && !((v.validity[i >> 3]! >> (i & 7)) & 1) ? null : (v as { values: ArrayLike<unknown> }).values[i],
  );
}

function feed(accs: Accumulator[], cols: (Vec | null)[]): void {
  accs.forEach((a, i) => {
    if (!a.twin) a.update(groups, SIZE, cols[i]!, groups.length);
  });
}

/** Each call's result from an accumulator of its own. */
function alone(calls: AggCall[], cols: (Vec | null)[]): unknown[][] {
  return calls.map((c, i) => {
    const a = ACCUMULATORS[c.fn](c.argType, c.outType, NO_INIT);
    a.update(groups, SIZE, cols[i]!, groups.length);
    return cells(a.evaluate(SIZE), SIZE);
  });
}

describe('sum and avg of one argument share one state', () => {
  const dec = 'decimal(15,2)' as DataType;
  const d = vecFromValues(dec, [101n, -250n, 333n, null, 7n, 1n, 999999n, 5n]);
  const x = col('x');

  it('decimals: the avg is a twin of the sum; values equal separate accumulators', () => {
    const calls = [call('sum', x, dec, 'a'), call('avg', x, dec, 'b'), call('avg', col('y'), dec, 'c')];
    const accs = accumulatorsOf(calls, () => NO_INIT);
    expect(accs.map((a) => a.twin === true)).toEqual([false, true, false]);
    const cols = [d, d, d];
    feed(accs, cols);
    const got = accs.map((a) => cells(a.evaluate(SIZE), SIZE));
    expect(got).toEqual(alone(calls, cols));
    // Unscaled: group 0 sums 101 + 333 + 1 = 435.00 over 3 rows (145 at scale 6), group 1 -243.00
    // over 2 (-121.5), group 2 1000004.00 over 2 (the null is no row).
    expect(got[0]).toEqual([43500n, -24300n, 100000400n]);
    expect(got[1]).toEqual([145000000n, -121500000n, 500002000000n]);
  });

  it('a twin ships the same partial state, and a final merge of it equals one of its own', () => {
    const calls = [call('avg', x, dec, 'a'), call('sum', x, dec, 'b')];
    const partial = accumulatorsOf(calls, () => NO_INIT);
    feed(partial, [d, d]);
    const [s0, s1] = [partial[0]!.state(SIZE), partial[1]!.state(SIZE)];
    expect(s1.map((v) => cells(v, SIZE))).toEqual(s0.map((v) => cells(v, SIZE)));
    const final = accumulatorsOf(calls, () => NO_INIT);
    const ids = Int32Array.of(0, 1, 2);
    // Merged twice (two partials), as a final aggregate would: every figure doubles.
    for (let k = 0; k < 2; k++)
      final.forEach((a, i) => {
        if (!a.twin) a.merge(ids, SIZE, i ? s1 : s0, SIZE);
      });
    expect(cells(final[1]!.evaluate(SIZE), SIZE)).toEqual([87000n, -48600n, 200000800n]);
    expect(cells(final[0]!.evaluate(SIZE), SIZE)).toEqual([145000000n, -121500000n, 500002000000n]);
  });

  it('doubles share; integer sum (exact int64) and avg (double) keep their own states', () => {
    const f = vecFromValues('float64', [1.5, 2, 3, null, 4, 5.5, 6, 7]);
    const dbl = [call('sum', x, 'float64', 'a'), call('avg', x, 'float64', 'b')];
    const accs = accumulatorsOf(dbl, () => NO_INIT);
    expect(accs[1]!.twin).toBe(true);
    feed(accs, [f, f]);
    expect(accs.map((a) => cells(a.evaluate(SIZE), SIZE))).toEqual(alone(dbl, [f, f]));
    const ints = [call('sum', x, 'int32', 'a'), call('avg', x, 'int32', 'b')];
    expect(accumulatorsOf(ints, () => NO_INIT).some((a) => a.twin)).toBe(false);
    const other = [call('sum', x, dec, 'a'), call('avg', binary('+', x, lit(1)), dec, 'b')];
    expect(accumulatorsOf(other, () => NO_INIT).some((a) => a.twin)).toBe(false);
  });
});
