/**
 * The extension points are registries that drive every pass: the aggregate registry drives plan
 * validation and the partial-state layout (each accumulator's state must be the layout its entry
 * declares, and partial → merge → evaluate must equal evaluating in one phase).
 */
import { describe, expect, it } from 'vitest';
import { ACCUMULATORS } from '../operators/accumulators.js';
import { valueAt, vecFromValues, vecLength, type Vec } from '../operators/vector.js';
import { AGG_FNS, AGGREGATES, type AggFn, type AggOptions, aggCallType, aggregateSpec } from '../planner/aggregates.js';
import { splitsIntoPartial, stateFields } from '../planner/aggstate.js';
import { StratusError } from '../planner/errors.js';
import * as E from '../planner/expr.js';
import * as P from '../planner/plan.js';
import type { AggCall } from '../planner/stages.js';
import { validatePlanDocument } from '../planner/validate.js';

const planWith = (fn: string) =>
  JSON.parse(
    JSON.stringify({
      version: P.PLAN_VERSION,
      root: P.aggregate(P.scan('t'), [], [E.agg('sum', E.col('x'))]),
      sink: { kind: 'collect' },
    }).replace('"fn":"sum"', `"fn":${JSON.stringify(fn)}`),
  );

describe('aggregate registry', () => {
  it('validation accepts every registered aggregate and rejects others, naming the valid ones', () => {
    for (const fn of AGG_FNS) expect(() => validatePlanDocument(planWith(fn))).not.toThrow();
    let err: unknown;
    try {
      validatePlanDocument(planWith('no_such_aggregate'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StratusError);
    const se = err as StratusError;
    expect(se.category).toBe('plan');
    expect(se.code).toBe('UNKNOWN_AGGREGATE');
    expect(se.message).toContain('unknown aggregate function "no_such_aggregate"');
    expect(se.message).toContain('plan.root.aggs[0].fn');
    for (const fn of Object.keys(AGGREGATES)) expect(se.message).toContain(`'${fn}'`);
    expect(se.details.validAggregates).toEqual(AGG_FNS);
  });

  it('the analyzer types a call from its entry and names what a misfit argument needs', async () => {
    const { analyze } = await import('../planner/analyzer.js');
    const { field } = await import('../planner/types.js');
    const catalog = new Map([['t', [field('s', 'string'), field('x', 'int32')]]]);
    const plan = (fn: AggFn, arg: E.Expr | null) => P.aggregate(P.scan('t'), [], [E.agg(fn, arg)]);
    expect(() => analyze(plan('avg', E.col('s')), catalog)).toThrow(/avg needs a number, got string/);
    expect(() => analyze(plan('sum', null), catalog)).toThrow(/sum needs a number, got no argument/);
    expect(() => analyze(plan('count', null), catalog)).not.toThrow();
  });

  it('scalar functions: only registered names resolve, not inherited object keys', async () => {
    const { analyze } = await import('../planner/analyzer.js');
    const { field } = await import('../planner/types.js');
    const { FUNCTIONS } = await import('../planner/functions.js');
    const { kernelFor } = await import('../operators/functions.js');
    const catalog = new Map([['t', [field('s', 'string')]]]);
    for (const fn of ['toString', 'constructor', 'median'])
      expect(() => analyze(P.project(P.scan('t'), [E.call(fn, [E.col('s')])]), catalog)).toThrow(
        new RegExp(`unknown function '${fn}'; known functions are 'year', 'month'`),
      );
    for (const fn of Object.keys(FUNCTIONS)) expect(typeof kernelFor(fn)).toBe('function');
    expect(() => kernelFor('toString')).toThrow(/no kernel for function 'toString'/);
  });

  // Every aggregate with a partial state: its accumulator's state() has the declared columns,
  // and folding two partial states gives what one accumulator over all rows gives.
  const inputs: Record<'float64' | 'string', readonly unknown[]> = {
    float64: [3, null, 1.5, -2, 7, Number.NaN, 4],
    string: ['b', null, 'a', 'c', 'a', 'z', null],
  };
  const groups = Int32Array.from([0, 1, 0, 1, 2, 2, 0]);
  // Options and further arguments a call needs (the same column again as corr's second).
  const OPTIONS: Partial<Record<AggFn, AggOptions>> = { percentile_approx: { percentages: [0.25, 0.5], array: true } };
  for (const fn of AGG_FNS) {
    if (fn === 'udaf') continue; // needs a registered UDAF: test/aggregates-udaf.test.ts
    for (const type of ['float64', 'string'] as const) {
      const options = OPTIONS[fn] ?? {};
      const moreTypes = aggregateSpec(fn).more === 1 ? [type] : [];
      const typed = aggCallType(fn, type, { more: moreTypes, options });
      if ('error' in typed) continue; // a number-only aggregate over strings
      const outType = typed.type === 'null' ? type : typed.type;
      const call: AggCall = { fn, arg: E.col('x'), name: 'a', argType: type, outType, moreTypes, options };
      const init = { moreTypes, options };
      const more = (vals: readonly unknown[]) => moreTypes.map(() => vecFromValues(type, vals));
      it(`${fn}(${type}): state layout and partial → final equal one phase`, () => {
        const whole = ACCUMULATORS[fn](type, outType, init);
        const values = vecFromValues(type, inputs[type]);
        whole.update(groups, 3, values, 7, more(inputs[type]));
        const expected = rows(whole.evaluate(3));
        if (!splitsIntoPartial([call])) {
          expect(AGGREGATES[fn].state).toBeNull();
          expect(() => whole.state(3)).toThrow(/no partial state/);
          return;
        }
        const [a, b] = [ACCUMULATORS[fn](type, outType, init), ACCUMULATORS[fn](type, outType, init)];
        a.update(
          groups.subarray(0, 4),
          2,
          vecFromValues(type, inputs[type].slice(0, 4)),
          4,
          more(inputs[type].slice(0, 4)),
        );
        b.update(
          Int32Array.from([0, 0, 1]),
          2,
          vecFromValues(type, inputs[type].slice(4)),
          3,
          more(inputs[type].slice(4)),
        );
        const layout = stateFields(call);
        const sa = a.state(2);
        expect(sa.map((v) => v.type)).toEqual(layout.map((f) => f.type));
        const final = ACCUMULATORS[fn](type, outType, init);
        final.merge(Int32Array.from([0, 1]), 2, sa, 2);
        // b's groups 0, 1 hold the rows of whole's group 2 and 0.
        final.merge(Int32Array.from([2, 0]), 3, b.state(2), 2);
        expect(rows(final.evaluate(3))).toEqual(expected);
      });
    }
  }
});

/** Row values; a list's as a JS array. */
const rows = (v: Vec) =>
  Array.from({ length: vecLength(v) }, (_, i) => {
    const x = valueAt(v, i);
    return x !== null && typeof x === 'object' && 'toArray' in x ? [...(x as unknown as Iterable<unknown>)] : x;
  });
