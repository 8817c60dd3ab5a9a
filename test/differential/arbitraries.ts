/**
 * Differential test, generators: fast-check arbitraries for whole cases (two tables and a
 * pipeline). fast-check draws them from a seed and, when a case fails, shrinks it: fewer rows,
 * columns, steps and simpler choices (every arbitrary here shrinks toward its first option /
 * zero, which the value pool and the builder map to the simplest thing).
 *
 * @example
 * fc.sample(caseArb(DEFAULT_FLAGS), { seed: 1, numRuns: 1 })
 */
import fc from 'fast-check';
import type { AggSpec, Calc, Case, Operand, Pred, SideStep, SortKey, Step, TableSpec } from './model.js';
import { columnTypes, type GenFlags, valueFor } from './values.js';

/** Limits of generated cases (rows are kept small: a job costs the same for 10 or 100 rows). */
export interface CaseLimits {
  readonly maxColsA: number;
  readonly maxColsB: number;
  readonly maxRowsA: number;
  readonly maxRowsB: number;
  readonly maxSteps: number;
  /** Largest repeat factor of table a's rows (b's is 4). */
  readonly maxRepeat: number;
}

export const DEFAULT_LIMITS: CaseLimits = {
  maxColsA: 5,
  maxColsB: 4,
  maxRowsA: 60,
  maxRowsB: 30,
  maxSteps: 4,
  maxRepeat: 40,
};

/** Skewed natural numbers: mostly tiny (repeated keys, edge values), sometimes anything. */
const skewedNat = fc.oneof(
  { arbitrary: fc.nat(4), weight: 6 },
  { arbitrary: fc.nat(24), weight: 3 },
  { arbitrary: fc.nat(100_000), weight: 1 },
);

/** A column choice (resolved modulo the columns that fit). */
const choice = fc.noBias(fc.nat(11));
/** An unbiased pick among k + 1 options (fast-check's plain nat favours 0 and k). */
const oneOf = (k: number) => fc.noBias(fc.nat(k));

export function tableArb(
  prefix: string,
  maxCols: number,
  maxRows: number,
  maxRepeat: number,
  flags: GenFlags,
): fc.Arbitrary<TableSpec> {
  const types = columnTypes(flags);
  const cell = fc.option(skewedNat, { freq: 5, nil: null });
  return fc
    .record({
      types: fc.array(oneOf(types.length - 1), { minLength: 1, maxLength: maxCols }),
      rows: fc.array(fc.array(cell, { minLength: maxCols, maxLength: maxCols }), { maxLength: maxRows, size: 'max' }),
      writer: fc.constantFrom<'wasm' | 'duckdb'>('wasm', 'duckdb'),
      rowGroupSize: fc.integer({ min: 1, max: 16 }),
      files: fc.integer({ min: 1, max: 3 }),
      repeat: fc.oneof(
        { withCrossShrink: true },
        { arbitrary: fc.constant(1), weight: 5 },
        { arbitrary: fc.integer({ min: 2, max: maxRepeat }), weight: 1 },
      ),
    })
    .map(({ types: ts, rows, writer, rowGroupSize, files, repeat }) => {
      const columns = ts.map((t, i) => ({ name: `${prefix}${i}`, type: types[t]! }));
      return {
        columns,
        rows: rows.map((cells) =>
          columns.map((c, i) => (cells[i] == null ? null : valueFor(c.type, cells[i]!, flags))),
        ),
        writer,
        rowGroupSize,
        files,
        repeat,
      };
    });
}

const operandArb: fc.Arbitrary<Operand> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('lit' as const), v: skewedNat }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('col' as const), c: choice }), weight: 1 },
);

const { pred: predArb } = fc.letrec<{ pred: Pred }>((tie) => ({
  pred: fc.oneof(
    { maxDepth: 2, withCrossShrink: true, depthIdentifier: 'pred' },
    { arbitrary: fc.record({ k: fc.constant('cmp' as const), op: oneOf(5), c: choice, rhs: operandArb }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constant('isnull' as const), c: choice, negated: fc.boolean() }), weight: 1 },
    {
      arbitrary: fc.record({
        k: fc.constant('in' as const),
        c: choice,
        vs: fc.array(skewedNat, { minLength: 1, maxLength: 4 }),
        withNull: fc.boolean(),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ k: fc.constant('bool' as const), c: choice }), weight: 1 },
    {
      arbitrary: fc.record({ k: fc.constantFrom('and' as const, 'or' as const), l: tie('pred'), r: tie('pred') }),
      weight: 2,
    },
    { arbitrary: fc.record({ k: fc.constant('not' as const), p: tie('pred') }), weight: 1 },
  ),
}));
export { predArb };

const calcArb: fc.Arbitrary<Calc> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('arith' as const), op: oneOf(4), c: choice, rhs: operandArb }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant('neg' as const), c: choice }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('pred' as const), p: predArb }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('coalesce' as const), c: choice, rhs: operandArb }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('when' as const), p: predArb, c: choice, rhs: operandArb }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('cast' as const), c: choice }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('length' as const), c: choice }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('concat' as const), c: choice, rhs: operandArb }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant('fn' as const), f: oneOf(40), c: choice, n: fc.nat(1000), d: choice }),
    weight: 4,
  },
);

const aggArb: fc.Arbitrary<AggSpec> = fc.record({ fn: oneOf(6), c: choice });

const sideStepArb: fc.Arbitrary<SideStep> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('filter' as const), p: predArb }), weight: 3 },
  {
    arbitrary: fc.record({
      k: fc.constant('select' as const),
      keep: fc.array(choice, { minLength: 1, maxLength: 4 }),
      calcs: fc.array(calcArb, { maxLength: 2 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('groupBy' as const),
      keys: fc.array(choice, { maxLength: 3 }),
      aggs: fc.array(aggArb, { minLength: 1, maxLength: 4 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('distinct' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('dropna' as const),
      all: fc.boolean(),
      subset: fc.array(choice, { maxLength: 2 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('fillna' as const),
      kind: oneOf(2),
      v: skewedNat,
      subset: fc.array(choice, { maxLength: 2 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('withColumn' as const),
      calc: calcArb,
      replace: fc.option(choice, { nil: null }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ k: fc.constant('drop' as const), c: choice }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('rename' as const), c: choice }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('repartition' as const),
      n: fc.nat(4),
      keys: fc.array(choice, { maxLength: 2 }),
    }),
    weight: 1,
  },
);

const sortKeyArb: fc.Arbitrary<SortKey> = fc.record({ c: choice, desc: fc.boolean(), nullsFirst: fc.boolean() });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: sideStepArb, weight: 10 },
  {
    arbitrary: fc.record({
      k: fc.constant('sort' as const),
      keys: fc.array(sortKeyArb, { minLength: 1, maxLength: 3 }),
      limit: fc.option(fc.nat(20), { nil: null }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('limit' as const), n: fc.nat(30) }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('join' as const),
      how: oneOf(6),
      right: fc.array(sideStepArb, { maxLength: 2 }),
      on: fc.array(fc.record({ l: choice, r: choice }), { minLength: 1, maxLength: 2 }),
      using: fc.boolean(),
      residual: fc.option(predArb, { freq: 4, nil: null }),
      broadcast: oneOf(2),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('setop' as const),
      op: oneOf(3),
      fromB: fc.boolean(),
      right: fc.array(fc.record({ k: fc.constant('filter' as const), p: predArb }), { maxLength: 1 }),
      pick: fc.array(choice, { maxLength: 5 }),
    }),
    weight: 1,
  },
);

export function caseArb(flags: GenFlags, limits: CaseLimits = DEFAULT_LIMITS): fc.Arbitrary<Case> {
  return fc.record({
    a: tableArb('a', limits.maxColsA, limits.maxRowsA, limits.maxRepeat, flags),
    b: tableArb('b', limits.maxColsB, limits.maxRowsB, 4, flags),
    steps: fc.array(stepArb, { maxLength: limits.maxSteps }),
    // Mapped from numbers so that they shrink to collect() and the default session.
    action: fc.nat(7).map((n) => (n === 7 ? ('count' as const) : ('collect' as const))),
    config: fc.nat(3).map((n) => (n === 3 ? 1 : 0)),
  });
}
