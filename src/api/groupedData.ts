/**
 * GroupedData: what `groupBy`, `rollup`, `cube` and `groupingSets` return — aggregates per group
 * (Columns, Spark's dict form, or the sum / avg / min / max shortcuts), and `pivot`.
 */
import { PlanError } from '../../planner/errors.js';
import { DICT_MORE_AGGREGATES } from './aggregates.js';
import { Column } from './column.js';
import { DataFrame } from './dataframe.js';
import { avg as avgFn, count as countFn, max as maxFn, min as minFn, sum as sumFn } from './functions.js';
import { countRows, type GroupShape, groupedAgg } from './verbs/aggregate.js';
import { foundPivot, givenPivot, type PivotValue, pivotValuesPlan } from './verbs/pivot.js';

export class GroupedData {
  constructor(
    readonly df: DataFrame,
    readonly keys: readonly (string | Column)[],
    /** groupBy, rollup / cube (grouping sets of the keys) or pivot. */
    readonly shape: GroupShape = { kind: 'groupBy' },
  ) {
    Object.freeze(this);
  }
  /** Aggregates per group: Columns, or Spark's dict form `{ column: 'sum' | 'avg' | 'mean' | 'min' | 'max' | 'count' }`. */
  agg(...aggs: Column[] | [Readonly<Record<string, string>>]): DataFrame {
    return new DataFrame(this.df.session, groupedAgg(this.df.plan, this.keys, this.shape, aggColumns(aggs)));
  }
  count(): DataFrame {
    if (this.shape.kind !== 'groupBy') return this.agg(countFn().alias('count'));
    return new DataFrame(this.df.session, countRows(this.df.plan, this.keys));
  }
  /**
   * One output column per value of `column` (per value and aggregate when there are several:
   * `value_aggregate`). Without values a job finds them first (sorted, at most 10,000), so the
   * call returns a Promise.
   * @example df.groupBy('year').pivot('course', ['dotNET', 'Java']).sum('earnings')
   * @example (await df.groupBy('year').pivot('course')).agg(sum('earnings'), avg('hours'))
   */
  pivot(column: string | Column): Promise<GroupedData>;
  pivot(column: string | Column, values: readonly PivotValue[]): GroupedData;
  pivot(column: string | Column, values?: readonly PivotValue[]): GroupedData | Promise<GroupedData> {
    if (this.shape.kind !== 'groupBy')
      throw new PlanError(
        'BAD_ARGUMENT',
        `pivot() follows groupBy(), not ${this.shape.kind === 'sets' ? 'rollup() or cube()' : 'pivot()'}`,
      );
    if (values !== undefined) return this.pivoted(givenPivot(column, values));
    const { session, plan } = this.df;
    const values$ = pivotValuesPlan(plan, column);
    return Promise.all([session.analyze(values$), session.execute(values$, 'pivot values')]).then(([a, table]) =>
      this.pivoted(foundPivot(column, table, a.schema[0]!.type)),
    );
  }
  private pivoted(pivot: Extract<GroupShape, { kind: 'pivot' }>['pivot']): GroupedData {
    return new GroupedData(this.df, this.keys, { kind: 'pivot', pivot });
  }
  /** sum of each named column per group, named `sum(x)`. @example df.groupBy('k').sum('v') */
  sum(...cols: string[]): DataFrame {
    return this.shortcut('sum', cols);
  }
  avg(...cols: string[]): DataFrame {
    return this.shortcut('avg', cols);
  }
  mean(...cols: string[]): DataFrame {
    return this.shortcut('avg', cols);
  }
  min(...cols: string[]): DataFrame {
    return this.shortcut('min', cols);
  }
  max(...cols: string[]): DataFrame {
    return this.shortcut('max', cols);
  }
  private shortcut(fn: keyof typeof DICT_AGGREGATES, cols: readonly string[]): DataFrame {
    if (!cols.length) throw new PlanError('BAD_ARGUMENT', `${fn}() needs at least one column name`, { function: fn });
    return this.agg(...cols.map((c) => aggregateByName(c, fn)));
  }
}

const DICT_AGGREGATES = {
  sum: sumFn,
  avg: avgFn,
  mean: avgFn,
  min: minFn,
  max: maxFn,
  count: countFn,
  ...DICT_MORE_AGGREGATES,
} as const;

/** `fn(column)` named as Spark names it (`sum(x)`). */
function aggregateByName(column: string, fn: string): Column {
  const f = DICT_AGGREGATES[fn.toLowerCase() as keyof typeof DICT_AGGREGATES];
  if (!f)
    throw new PlanError(
      'BAD_ARGUMENT',
      `unknown aggregate '${fn}' for column '${column}'; use ${Object.keys(DICT_AGGREGATES).join(', ')}`,
      { column, aggregate: fn },
    );
  if (typeof column !== 'string' || !column)
    throw new PlanError('BAD_ARGUMENT', `agg() dict keys must be column names, got ${JSON.stringify(column)}`);
  const c = column === '*' && fn.toLowerCase() === 'count' ? countFn() : f(column);
  return c.alias(`${fn.toLowerCase()}(${column})`);
}

/** Columns, or one `{ column: aggregate }` object, as a list of aggregate Columns. */
export function aggColumns(aggs: readonly (Column | Readonly<Record<string, string>>)[]): Column[] {
  if (aggs.length === 1 && !(aggs[0] instanceof Column) && typeof aggs[0] === 'object' && aggs[0] !== null)
    return Object.entries(aggs[0]).map(([column, fn]) => aggregateByName(column, String(fn)));
  for (const a of aggs)
    if (!(a instanceof Column))
      throw new PlanError(
        'BAD_ARGUMENT',
        `agg() takes aggregate Columns (e.g. sum('x')) or one { column: 'sum' } object, got ${typeof a}`,
      );
  return aggs as Column[];
}
