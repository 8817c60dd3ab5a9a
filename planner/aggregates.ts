/**
 * The aggregate registry: one entry per aggregate function, and the only list of them. Every
 * planner pass reads it — the analyzer (result type), plan validation (known names), the
 * partial-state layout (aggstate.ts), the partial_aggregation rule (whether a call splits into
 * partial + final) and the text form. The code that computes an aggregate is its accumulator, in
 * `ACCUMULATORS` (operators/accumulators.ts), a table typed on the same `AggFn`: a new entry here
 * fails the build until it has one.
 */
import { MORE_AGGREGATES, needsArgument, needsNumber, number } from './aggregatesMore.js';
import type { DataType, DecimalType } from './types.js';
import { decimalParts, decimalType, isDecimal, isFloating, MAX_DECIMAL_PRECISION } from './types.js';

/** An argument's type: a data type, the NULL literal's type, or null for no argument (count(*)). */
export type AggArgType = DataType | 'null' | null;

/**
 * A call's literal parameters (plain JSON, part of its text form): what some aggregates take
 * besides their column arguments. Each aggregate reads only its own.
 */
export interface AggOptions {
  /** first / last / any_value: skip nulls (Spark's `ignoreNulls`). */
  readonly ignoreNulls?: boolean;
  /** approx_count_distinct: the largest relative standard deviation allowed (Spark's `rsd`, default 0.05). */
  readonly rsd?: number;
  /** percentile_approx: the percentages, each in [0, 1]. */
  readonly percentages?: readonly number[];
  /** percentile_approx: whether the percentages were given as an array (the result is then an array). */
  readonly array?: boolean;
  /** percentile_approx: Spark's `accuracy` (default 10000; the rank error is about 1/accuracy). */
  readonly accuracy?: number;
  /** udaf: the registered user aggregate's name and result type. */
  readonly udaf?: string;
  readonly returns?: DataType;
}

/** What a call has besides its first argument's type: its further arguments' types and its options. */
export interface AggSig {
  readonly more: readonly (DataType | 'null')[];
  readonly options: AggOptions;
}

export const NO_SIG: AggSig = Object.freeze({ more: Object.freeze([]), options: Object.freeze({}) });

/**
 * A column of the partial state: its name suffix and type ('arg': the argument's type; 'result':
 * the call's; or a function of the argument's type and the call).
 */
export interface StateField {
  readonly suffix: string;
  readonly type: DataType | 'arg' | 'result' | ((arg: DataType | null, sig: AggSig) => DataType);
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
  readonly resultType: (arg: AggArgType, sig: AggSig) => DataType | 'null' | { readonly expects: string };
  /** Column arguments after the first (corr's second; 'any' for a UDAF's); default none. */
  readonly more?: number | 'any';
  /** What is wrong with a call's options, or null (checked at plan time; the error names the call). */
  readonly check?: (options: AggOptions) => string | null;
  /**
   * The columns a partial aggregate ships through the shuffle per group, in the order its
   * accumulator's `state()` returns them; null when it has no partial state (the planner then
   * aggregates in one phase: raw rows are shuffled to their group).
   */
  readonly state: readonly StateField[] | null;
  /** The call's text form given its arguments' (default `fn(arg, …)`) and its options. */
  readonly text?: (arg: string, options: AggOptions, more: readonly string[]) => string;
}

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
  /**
   * The first value seen per group (null included; with `ignoreNulls` the first non-null);
   * dropDuplicates keeps the other columns with it.
   */
  first: {
    resultType: (t) => t ?? needsArgument,
    state: [
      { suffix: 'first', type: 'arg' },
      { suffix: 'seen', type: 'int64' },
    ],
    text: (arg, o) => (o.ignoreNulls ? `first(${arg}) IGNORE NULLS` : `first(${arg})`),
  },
  ...MORE_AGGREGATES,
} as const satisfies Record<string, AggregateSpec>;

/** The aggregate functions: the registry's keys. */
export type AggFn = keyof typeof AGGREGATES;

export const AGG_FNS = Object.keys(AGGREGATES) as AggFn[];

/** The registry entry of an aggregate, typed as the common spec. */
export const aggregateSpec = (fn: AggFn): AggregateSpec => AGGREGATES[fn];

export const isAggFn = (name: string): name is AggFn => Object.hasOwn(AGGREGATES, name);

/**
 * The result type of a call given its argument types and options, or what is wrong with it (the
 * analyzer and the window checks wrap the message in their errors).
 */
export function aggCallType(
  fn: AggFn,
  arg: AggArgType,
  sig: AggSig,
): { readonly type: DataType | 'null' } | { readonly error: string } {
  const spec = aggregateSpec(fn);
  const want = spec.more ?? 0;
  if (want !== 'any' && sig.more.length !== want)
    return {
      error: `${fn} takes ${want + 1} column argument${want ? 's' : ''}, got ${sig.more.length + (arg ? 1 : 0)}`,
    };
  const bad = spec.check?.(sig.options);
  if (bad) return { error: `${fn}: ${bad}` };
  const r = spec.resultType(arg, sig);
  if (typeof r === 'object') {
    const got = [arg, ...sig.more].filter((x) => x !== null);
    return { error: `${fn} needs ${r.expects}, got ${got.join(', ') || 'no argument'}` };
  }
  return { type: r };
}
