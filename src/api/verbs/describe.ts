/**
 * describe / summary: Spark's summary statistics as a DataFrame of strings — a `summary` column
 * naming the statistic, then one column per input column, one row per statistic in the order
 * asked. Numbers' mean / stddev are over the values, strings' over their values read as doubles
 * (NULL for text), percentiles (percentile_approx, numbers only) keep the column's type. Only
 * number and string columns are described (others are left out, as Spark). Planned as one
 * aggregate of the input (every statistic of every column, so the input is read once) whose one
 * row an Expand turns into one row per statistic, in the order asked.
 */
import { resolveColumn } from '../../../planner/columns.js';
import { PlanError } from '../../../planner/errors.js';
import { expand, type PlanNode } from '../../../planner/plan.js';
import type { DataType, Field } from '../../../planner/types.js';
import { isNumeric } from '../../../planner/types.js';
import { approx_count_distinct, percentile_approx, stddev } from '../aggregates.js';
import type { Column } from '../column.js';
import type { DataFrame } from '../dataframe.js';
import { avg, col, count, countDistinct, lit, max, min } from '../functions.js';

/** describe()'s statistics. */
export const DESCRIBE_STATS = ['count', 'mean', 'stddev', 'min', 'max'] as const;
/** summary()'s default statistics. */
export const SUMMARY_STATS = ['count', 'mean', 'stddev', 'min', '25%', '50%', '75%', 'max'] as const;

const asDouble = (f: Field): Column | null =>
  isNumeric(f.type) ? col(f.name) : f.type === 'string' ? col(f.name).cast('float64') : null;

type Stat = (f: Field) => Column | null;
const STATS: Readonly<Record<string, Stat>> = {
  count: (f) => count(f.name),
  mean: (f) => {
    const x = asDouble(f);
    return x && avg(x);
  },
  stddev: (f) => {
    const x = asDouble(f);
    return x && stddev(x);
  },
  min: (f) => min(f.name),
  max: (f) => max(f.name),
  count_distinct: (f) => countDistinct(f.name),
  approx_count_distinct: (f) => approx_count_distinct(f.name),
};

/** A statistic by name: one of STATS or a percentage such as '75%'. */
function statOf(name: string): Stat {
  const known = Object.hasOwn(STATS, name) ? STATS[name] : undefined;
  if (known) return known;
  const m = /^(\d+(?:\.\d*)?|\.\d+)%$/.exec(typeof name === 'string' ? name : '');
  const p = m ? Number(m[1]) / 100 : Number.NaN;
  if (!(p >= 0 && p <= 1))
    throw new PlanError(
      'BAD_ARGUMENT',
      `summary: unknown statistic '${String(name)}'; use ${Object.keys(STATS).join(', ')} or a percentage such as '75%'`,
      { statistic: name },
    );
  return (f) => (isNumeric(f.type) ? percentile_approx(f.name, p) : null);
}

/** The columns described: the number and string columns among those named, else among all (as Spark). */
async function describedFields(df: DataFrame, names: readonly string[]): Promise<Field[]> {
  const schema = await df.schema();
  const named = names.length ? names.map((n) => resolveColumn(schema, n).field) : schema;
  return named.filter((f) => isNumeric(f.type) || f.type === 'string');
}

/** The plan of one row per statistic (in `stats` order): `summary`, then each field's value as a string. */
export async function summarize(df: DataFrame, stats: readonly string[], names: readonly string[]): Promise<PlanNode> {
  const fns = stats.map(statOf);
  if (!fns.length) throw new PlanError('BAD_ARGUMENT', 'summary: no statistics asked for');
  const fields = await describedFields(df, names);
  const values = stats.map((_, k) => fields.map((f) => fns[k]!(f)));
  const name = (k: number, j: number) => `__${k}_${j}`;
  // count(*) keeps the aggregate one row even when no column is described.
  const row = df.agg(
    count().alias('__rows'),
    ...values.flatMap((vs, k) => vs.flatMap((v, j) => (v ? [v.cast('string').alias(name(k, j))] : []))),
  );
  const none = lit(null).cast('string' as DataType).expr;
  const projections = stats.map((stat, k) => [
    lit(stat).expr,
    ...fields.map((_, j) => (values[k]![j] ? col(name(k, j)).expr : none)),
  ]);
  return expand(row.plan, projections, ['summary', ...fields.map((f) => f.name)]);
}
