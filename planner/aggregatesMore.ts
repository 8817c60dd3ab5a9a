/**
 * Registry entries of the statistical, sketch, collection and user-defined aggregates (spread
 * into `AGGREGATES`, planner/aggregates.ts, the one registry): their result types as Spark gives
 * them, the partial-state columns each ships through the shuffle, option checks and text forms.
 * Their accumulators are in operators/accumulators/*.ts.
 *
 * - stddev / variance / covariance / corr: a double, NULL over no rows (the sample forms also
 *   over one row, as Spark without its legacy flag). State: count, means and co-moments (Welford,
 *   merged with Chan's formulas).
 * - approx_count_distinct: an int64 from a HyperLogLog sketch (state: its registers, binary).
 * - percentile_approx: a value of the argument's type (an array of them for an array of
 *   percentages) from a mergeable quantile sketch (state: binary); median: Spark's exact
 *   interpolated percentile 0.5, a double (state: the values, binary).
 * - last / any_value: as first; collect_list / collect_set: a list of the argument's type, never
 *   NULL (empty over no rows). State: the list itself.
 * - udaf: a registered user aggregate; its state is JSON text.
 */
import type { AggArgType, AggOptions, AggregateSpec, AggSig } from './aggregates.js';
import { listType } from './listFunctions.js';
import type { DataType } from './types.js';
import { isNumeric, isOpaque, isTimestamp } from './types.js';

export const number = (t: AggArgType) => t === 'null' || (t !== null && isNumeric(t));
export const needsNumber = { expects: 'a number' } as const;
export const needsArgument = { expects: 'an argument' } as const;

const twoNumbers = (t: AggArgType, s: AggSig) =>
  number(t) && s.more.length === 1 && (s.more[0] === 'null' || isNumeric(s.more[0] as DataType))
    ? 'float64'
    : { expects: 'two numbers' };

const moments: AggregateSpec = {
  resultType: (t) => (number(t) ? 'float64' : needsNumber),
  state: [
    { suffix: 'n', type: 'float64' },
    { suffix: 'mean', type: 'float64' },
    { suffix: 'm2', type: 'float64' },
  ],
};

const comoments: AggregateSpec = {
  resultType: twoNumbers,
  more: 1,
  state: ['n', 'xmean', 'ymean', 'cxy', 'm2x', 'm2y'].map((suffix) => ({ suffix, type: 'float64' as const })),
};

/** A non-opaque argument (a value the engine computes on). */
const plain = (t: AggArgType): t is DataType | 'null' => t !== null && (t === 'null' || !isOpaque(t));

/** HyperLogLog++'s register index bits for a relative standard deviation (Spark's formula). */
export const hllPrecision = (rsd: number): number => Math.ceil(2 * Math.log2(1.106 / rsd));

const firstLike = (name: string): AggregateSpec => ({
  resultType: (t) => t ?? needsArgument,
  state: [
    { suffix: name, type: 'arg' },
    { suffix: 'seen', type: 'int64' },
  ],
  text: (arg, o) => (o.ignoreNulls ? `${name}(${arg}) IGNORE NULLS` : `${name}(${arg})`),
});

const listOf = (t: AggArgType): DataType | { expects: string } =>
  plain(t) ? listType(t === 'null' ? 'int32' : t) : { expects: 'a value of a primitive type' };

export const DEFAULT_ACCURACY = 10000;

export const MORE_AGGREGATES = {
  stddev: moments,
  stddev_samp: moments,
  stddev_pop: moments,
  variance: moments,
  var_samp: moments,
  var_pop: moments,
  covar_samp: comoments,
  covar_pop: comoments,
  corr: comoments,
  /** HyperLogLog++ with 2^p registers, p from `rsd` as Spark computes it (4 ≤ p ≤ 18). */
  approx_count_distinct: {
    resultType: (t) => (plain(t) ? 'int64' : { expects: 'a value of a primitive type' }),
    state: [{ suffix: 'hll', type: 'binary' }],
    check: (o) => {
      const rsd = o.rsd ?? 0.05;
      if (!(typeof rsd === 'number' && Number.isFinite(rsd) && rsd > 0))
        return `rsd must be a positive number, got ${rsd}`;
      const p = hllPrecision(rsd);
      if (p < 4) return `rsd ${rsd} is too large: HyperLogLog++ needs at least 4 index bits (rsd at most 0.39)`;
      if (p > 18) return `rsd ${rsd} is too small: the sketch would need 2^${p} registers (rsd at least 0.0022)`;
      return null;
    },
    text: (arg, o) =>
      o.rsd === undefined ? `approx_count_distinct(${arg})` : `approx_count_distinct(${arg}, ${o.rsd})`,
  },
  /** Spark's percentile_approx: an input value whose rank is within about n/accuracy of the wanted one. */
  percentile_approx: {
    resultType: (t, s) =>
      t !== null && t !== 'null' && (isNumeric(t) || t === 'date' || isTimestamp(t))
        ? s.options.array
          ? listType(t)
          : t
        : t === 'null'
          ? 'float64'
          : { expects: 'a number, a date or a timestamp' },
    state: [{ suffix: 'sketch', type: 'binary' }],
    check: (o) => {
      const ps = o.percentages ?? [];
      if (!ps.length) return 'needs at least one percentage';
      for (const p of ps)
        if (!(typeof p === 'number' && p >= 0 && p <= 1)) return `percentage ${p} must be between 0.0 and 1.0`;
      const a = o.accuracy ?? DEFAULT_ACCURACY;
      if (!(Number.isInteger(a) && a > 0 && a <= 2 ** 31 - 1))
        return `accuracy must be a positive integer (at most 2147483647), got ${a}`;
      return null;
    },
    text: (arg, o) => {
      const ps = o.array ? `array(${(o.percentages ?? []).join(', ')})` : String(o.percentages?.[0]);
      return `percentile_approx(${arg}, ${ps}, ${o.accuracy ?? DEFAULT_ACCURACY})`;
    },
  },
  /** Spark's median: the exact percentile 0.5, interpolated between the two middle values (a double). */
  median: {
    resultType: (t) => (number(t) ? 'float64' : needsNumber),
    state: [{ suffix: 'values', type: 'binary' }],
  },
  /** The last value seen per group (null included; with `ignoreNulls` the last non-null). */
  last: firstLike('last'),
  /** Some value of the group: the first seen (Spark's any_value). */
  any_value: firstLike('any_value'),
  /** The group's non-null values in the order seen, as a list (empty, never NULL, over none). */
  collect_list: { resultType: listOf, state: [{ suffix: 'list', type: 'result' }] },
  /** The group's distinct non-null values, as a list (in no promised order). */
  collect_set: { resultType: listOf, state: [{ suffix: 'list', type: 'result' }] },
  /** A registered user aggregate (udaf() in stratus/functions); its state travels as JSON text. */
  udaf: {
    resultType: (_t, s) => s.options.returns ?? { expects: 'a declared result type' },
    more: 'any',
    state: [{ suffix: 'state', type: 'string' }],
    check: (o: AggOptions) => (typeof o.udaf === 'string' && o.udaf ? null : 'needs the name of a registered UDAF'),
    text: (arg, o, more) => `${o.udaf}(${[arg, ...more].join(', ')})`,
  },
} as const satisfies Record<string, AggregateSpec>;
