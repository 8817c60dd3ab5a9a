/**
 * The accumulators of the aggregates in planner/aggregatesMore.ts (and first), by registry name;
 * spread into `ACCUMULATORS` (operators/accumulators.ts).
 */
import type { AggFn } from '../../planner/aggregates.js';
import type { MORE_AGGREGATES } from '../../planner/aggregatesMore.js';
import { ExecutionError } from '../../planner/errors.js';
import type { DataType } from '../../planner/types.js';
import { storageType } from '../../planner/types.js';
import type { AccInit, Accumulator } from '../accumulators.js';
import { listElementType } from '../lists.js';
import { CollectAcc } from './collect.js';
import { HllAcc } from './hll.js';
import { PickAcc } from './pick.js';
import { MedianAcc, PercentileApproxAcc } from './quantiles.js';
import { ComomentsAcc, MomentsAcc } from './statistics.js';
import { UdafAcc } from './udaf.js';

type Factory = (argType: DataType | null, outType: DataType, init: AccInit) => Accumulator;

const moments = (fn: 'stddev' | 'stddev_samp' | 'stddev_pop' | 'variance' | 'var_samp' | 'var_pop') => () =>
  new MomentsAcc(fn);
const comoments = (fn: 'covar_samp' | 'covar_pop' | 'corr') => () => new ComomentsAcc(fn);
const pick =
  (last: boolean): Factory =>
  (arg, out, init) =>
    new PickAcc(storageType(arg ?? out), last, init.options.ignoreNulls === true);
const collect =
  (distinct: boolean): Factory =>
  (_arg, out) =>
    new CollectAcc(listElementType(out)!, distinct);

export const MORE_ACCUMULATORS: Record<keyof typeof MORE_AGGREGATES | Extract<AggFn, 'first'>, Factory> = {
  first: pick(false),
  last: pick(true),
  any_value: pick(false),
  stddev: moments('stddev'),
  stddev_samp: moments('stddev_samp'),
  stddev_pop: moments('stddev_pop'),
  variance: moments('variance'),
  var_samp: moments('var_samp'),
  var_pop: moments('var_pop'),
  covar_samp: comoments('covar_samp'),
  covar_pop: comoments('covar_pop'),
  corr: comoments('corr'),
  approx_count_distinct: (arg, _out, init) => new HllAcc(arg ?? 'null', init.options.rsd ?? 0.05),
  percentile_approx: (arg, out, init) =>
    new PercentileApproxAcc(init.options.array ? listElementType(out)! : (arg ?? out), init.options),
  median: (arg) => new MedianAcc(arg ?? 'float64'),
  collect_list: collect(false),
  collect_set: collect(true),
  udaf: (_arg, out, init) => {
    const name = init.options.udaf ?? '';
    const u = init.udafs?.get(name);
    if (!u)
      throw new ExecutionError(
        'FUNCTION_NOT_IN_BUNDLE',
        `UDAF '${name}' is not registered in this job's bundle; register it with udaf() in a module the job imports`,
        { function: name },
      );
    return new UdafAcc(name, u, out);
  },
};
