/**
 * The aggregate registry: one entry per aggregate function, and the only list of them. Every
 * planner pass reads it — the analyzer (result type), plan validation (known names), the
 * partial-state layout (aggstate.ts), the partial_aggregation rule (whether a call splits into
 * partial + final) and the text form. The code that computes an aggregate is its accumulator, in
 * `ACCUMULATORS` (operators/accumulators.ts), a table typed on the same `AggFn`: a new entry here
 * fails the build until it has one.
 */
import type { DataType, DecimalType } from './types.js';
import { decimalParts, decimalType, isDecimal, isFloating, isNumeric, MAX_DECIMAL_PRECISION } from './types.js';

/** An argument's type: a data type, the NULL literal's type, or null for no argument (count(*)). */
export type AggArgType = DataType | 'null' | null;

/**
 * A column of the partial state: its name suffix and type ('arg': the argument's type; 'result':
 * the call's; or a function of the argument's type).
 */
export interface StateField {
  readonly suffix: string;
  readonly type: DataType | 'arg' | 'result' | ((arg: DataType | null) => DataType);
}

/** Spark's sum of decimal(p, s): decimal(p + 10, s), at most 38 digits. */
export function decimalSumType(t: DecimalType): DecimalType {
  const { precision, scale } = decimalParts(t);
  return decimalType(Math.min(MAX_DECIMAL_PRECISION, precision + 10), scale);
}

/** Spark's avg of decimal(p, s): decimal(p + 4, s + 4), at most 38 digits. */
function decimalAvgType(t: DecimalType): DecimalType {
  const { precision, scale } = decimalParts(t);
  return decimalType(Math.min(MAX_DECIMAL_PRECISION, precision + 4), Math.min(MAX_DECIMAL_PRECISION, scale + 4));
}

export interface AggregateSpec {
  /** The result type for an argument type, or what the aggregate expects when it does not fit. */
  readonly resultType: (arg: AggArgType) => DataType | 'null' | { readonly expects: string };
  /**
   * The columns a partial aggregate ships through the shuffle per group, in the order its
   * accumulator's `state()` returns them; null when it has no partial state (the planner then
   * aggregates in one phase: raw rows are shuffled to their group).
   */
  readonly state: readonly StateField[] | null;
  /** The call's text form given its argument's (default `fn(arg)`). */
  readonly text?: (arg: string) => string;
}

const number = (t: AggArgType) => t === 'null' || (t !== null && isNumeric(t));
const needsNumber = { expects: 'a number' } as const;
const needsArgument = { expects: 'an argument' } as const;

export const AGGREGATES = {
  /** count(*) counts rows; count(x) non-null values. */
  count: { resultType: () => 'int64', state: [{ suffix: 'count', type: 'int64' }] },
  count_distinct: {
    resultType: (t) => (t === null ? needsArgument : 'int64'),
    state: null,
    text: (arg) => `count(DISTINCT ${arg})`,
  },
  /**
   * Integers sum exactly into an int64 that wraps on overflow (Spark's non-ANSI long sum);
   * decimals exactly into a decimal with 10 more digits (NULL if it overflows); doubles into a double.
   */
  sum: {
    resultType: (t) =>
      !number(t)
        ? needsNumber
        : t !== null && t !== 'null' && isDecimal(t)
          ? decimalSumType(t)
          : t === 'null' || isFloating(t!)
            ? 'float64'
            : 'int64',
    state: [
      { suffix: 'sum', type: 'result' },
      { suffix: 'count', type: 'int64' },
    ],
  },
  /** As in Spark: the mean of decimals is a decimal with 4 more digits (HALF_UP); of other numbers, a double. */
  avg: {
    resultType: (t) =>
      !number(t) ? needsNumber : t !== null && t !== 'null' && isDecimal(t) ? decimalAvgType(t) : 'float64',
    state: [
      { suffix: 'sum', type: (t) => (t !== null && isDecimal(t) ? decimalSumType(t) : 'float64') },
      { suffix: 'count', type: 'int64' },
    ],
  },
  min: { resultType: (t) => t ?? needsArgument, state: [{ suffix: 'min', type: 'arg' }] },
  max: { resultType: (t) => t ?? needsArgument, state: [{ suffix: 'max', type: 'arg' }] },
  /** The first value seen per group (null included); dropDuplicates keeps the other columns with it. */
  first: {
    resultType: (t) => t ?? needsArgument,
    state: [
      { suffix: 'first', type: 'arg' },
      { suffix: 'seen', type: 'int64' },
    ],
  },
} as const satisfies Record<string, AggregateSpec>;

/** The aggregate functions: the registry's keys. */
export type AggFn = keyof typeof AGGREGATES;

export const AGG_FNS = Object.keys(AGGREGATES) as AggFn[];

/** The registry entry of an aggregate, typed as the common spec. */
export const aggregateSpec = (fn: AggFn): AggregateSpec => AGGREGATES[fn];

export const isAggFn = (name: string): name is AggFn => Object.hasOwn(AGGREGATES, name);
