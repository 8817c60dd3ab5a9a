/**
 * DataFrame: an immutable, lazy view of a logical plan. Transformations return new frozen
 * DataFrames (each one line over a verb in ./verbs); actions run the plan as a job.
 */
import type * as arrow from 'apache-arrow';
import type { PlanNode } from '../../planner/plan.js';
import type { Schema } from '../../planner/types.js';
import { Column } from './column.js';
import { DICT_MORE_AGGREGATES } from './aggregates.js';
import { avg as avgFn, count as countFn, max as maxFn, min as minFn, sum as sumFn } from './functions.js';
import { expr } from '../sql/exprText.js';
import type { Session } from './session.js';
import { PlanError } from '../../planner/errors.js';
import { normalizeDataUrl } from '../storage/url.js';
import { type JsonRowsOptions, type JsonValue, toJSONRows } from './jsonRows.js';
import { formatTable, tableRows } from './show.js';
import { checkStorageLevel, DEFAULT_STORAGE_LEVEL, type StorageLevel } from './cache.js';
import { agg, countRows, type GroupShape, groupedAgg } from './verbs/aggregate.js';
import { cubeSets, rollupSets, setsOf } from './verbs/grouping.js';
import { foundPivot, givenPivot, type PivotValue, pivotValuesPlan } from './verbs/pivot.js';
import { explainText } from './verbs/explain.js';
import { drop, select, withColumn, withColumnRenamed } from './verbs/columns.js';
import { filter, limit, orderBy } from './verbs/rows.js';
import { sample } from './verbs/sample.js';
import { DESCRIBE_STATS, SUMMARY_STATS, summarize } from './verbs/describe.js';
import { join } from './verbs/join.js';
import { mapRows } from './verbs/maprows.js';
import { type TextOptionValue, textWriteOptions } from './textOptions.js';
import { distinct, dropna, fillna, repartition, setOperation, union } from './verbs/sets.js';

export class DataFrame {
  constructor(
    readonly session: Session,
    readonly plan: PlanNode,
    /** Set by `broadcast(df)`: ship this side of a join to every task instead of shuffling. */
    readonly broadcastHint = false,
  ) {
    Object.freeze(this);
  }

  private next(plan: PlanNode): DataFrame {
    return new DataFrame(this.session, plan);
  }

  /** The resolved schema (reads Parquet footers). */
  async schema(): Promise<Schema> {
    return (await this.session.analyze(this.plan)).schema;
  }

  /** Column names, in order (reads Parquet footers). @example await df.columns */
  get columns(): Promise<string[]> {
    return this.schema().then((s) => s.map((f) => f.name));
  }
  /** (name, type) pairs, in order. @example await df.dtypes // [['id', 'int64'], …] */
  get dtypes(): Promise<[string, string][]> {
    return this.schema().then((s) => s.map((f) => [f.name, String(f.type)] as [string, string]));
  }

  // ---- transformations -------------------------------------------------------------------
  select(...cols: (string | Column)[]): DataFrame {
    return this.next(select(this.plan, cols));
  }
  /** Select SQL expressions. @example df.selectExpr('id', 'v * 2 as v2') */
  selectExpr(...exprs: string[]): DataFrame {
    return this.select(...exprs.map(expr));
  }
  /** Keep rows where a Column condition or SQL expression text holds. @example df.filter('id > 5') */
  filter(condition: Column | string): DataFrame {
    return this.next(filter(this.plan, typeof condition === 'string' ? expr(condition) : condition));
  }
  where(condition: Column | string): DataFrame {
    return this.filter(condition);
  }
  limit(n: number): DataFrame {
    return this.next(limit(this.plan, n));
  }
  /**
   * A Bernoulli sample: each row kept with probability `fraction`, the same rows for the same
   * seed and partitioning (Spark's sample; withReplacement must be false).
   * @example df.sample(0.1, 42) @example df.sample(false, 0.5)
   */
  sample(fraction: number, seed?: number): DataFrame;
  sample(withReplacement: boolean, fraction: number, seed?: number): DataFrame;
  sample(...args: (number | boolean | undefined)[]): DataFrame {
    return this.next(sample(this.plan, args));
  }
  orderBy(...cols: (string | Column)[]): DataFrame {
    return this.next(orderBy(this.plan, cols));
  }
  sort(...cols: (string | Column)[]): DataFrame {
    return this.orderBy(...cols);
  }
  groupBy(...keys: (string | Column)[]): GroupedData {
    return new GroupedData(this, keys);
  }
  /** Aggregate per (k1..kn), (k1..kn-1), …, (): subtotals and a grand total. @example df.rollup('a', 'b').agg(sum('x'), grouping('b')) */
  rollup(...keys: (string | Column)[]): GroupedData {
    return new GroupedData(this, keys, { kind: 'sets', sets: rollupSets(keys.length) });
  }
  /** Aggregate per every subset of the keys. @example df.cube('a', 'b').agg(count(), grouping_id()) */
  cube(...keys: (string | Column)[]): GroupedData {
    return new GroupedData(this, keys, { kind: 'sets', sets: cubeSets(keys.length) });
  }
  /** Aggregate per each listed set of the keys (SQL's GROUPING SETS). @example df.groupingSets([['a', 'b'], ['a'], []], 'a', 'b') */
  groupingSets(sets: readonly (readonly (string | Column)[])[], ...keys: (string | Column)[]): GroupedData {
    return new GroupedData(this, keys, { kind: 'sets', sets: setsOf(sets, keys) });
  }
  /** Aggregate the whole frame: Columns, or Spark's dict form `{ column: 'sum' }`. */
  agg(...aggs: Column[] | [Readonly<Record<string, string>>]): DataFrame {
    return this.next(agg(this.plan, [], aggColumns(aggs)));
  }
  /**
   * Join with another DataFrame on column names (the key appears once) or a condition.
   * @example orders.join(lineitem, col('o_orderkey').equalTo(col('l_orderkey')))
   * @example customers.join(broadcast(nation), 'nationkey', 'left')
   */
  join(other: DataFrame, on: string | readonly string[] | Column, how = 'inner'): DataFrame {
    const hint = other.broadcastHint ? 'right' : this.broadcastHint ? 'left' : null;
    return this.next(join(this.plan, other.plan, on, how, hint));
  }
  distinct(): DataFrame {
    return this.next(distinct(this.plan, null));
  }
  dropDuplicates(cols: readonly string[] = []): DataFrame {
    return this.next(distinct(this.plan, cols));
  }
  union(other: DataFrame): DataFrame {
    return this.next(union([this.plan, other.plan], false));
  }
  unionAll(other: DataFrame): DataFrame {
    return this.union(other);
  }
  unionByName(other: DataFrame): DataFrame {
    return this.next(union([this.plan, other.plan], true));
  }
  intersect(other: DataFrame): DataFrame {
    return this.next(setOperation('intersect', this.plan, other.plan));
  }
  except(other: DataFrame): DataFrame {
    return this.next(setOperation('except', this.plan, other.plan));
  }
  subtract(other: DataFrame): DataFrame {
    return this.except(other);
  }
  dropna(how: 'any' | 'all' = 'any', subset: readonly string[] | null = null): DataFrame {
    return this.next(dropna(this.plan, how, subset));
  }
  fillna(value: number | string | boolean, subset: readonly string[] | null = null): DataFrame {
    return this.next(fillna(this.plan, value, subset));
  }
  repartition(n: number, ...cols: (string | Column)[]): DataFrame {
    return this.next(repartition(this.plan, n, cols));
  }
  /** Registered row → row function (see `mapFunction`). @example df.map('tag') */
  map(name: string): DataFrame {
    return this.next(mapRows(this.plan, name, 'map'));
  }
  /** Registered row → rows function (see `flatMapFunction`). */
  flatMap(name: string): DataFrame {
    return this.next(mapRows(this.plan, name, 'flatMap'));
  }
  /** Registered RecordBatch → RecordBatch function (see `batchFunction`): the fast path. */
  mapBatches(name: string): DataFrame {
    return this.next(mapRows(this.plan, name, 'batches'));
  }
  crossJoin(other: DataFrame): DataFrame {
    return this.next(join(this.plan, other.plan, null, 'cross', other.broadcastHint ? 'right' : null));
  }

  withColumn(name: string, c: Column): DataFrame {
    return this.next(withColumn(this.plan, name, c));
  }
  withColumnRenamed(from: string, to: string): DataFrame {
    return this.next(withColumnRenamed(this.plan, from, to));
  }
  drop(...names: string[]): DataFrame {
    return this.next(drop(this.plan, names));
  }

  /**
   * Spark's describe: count, mean, stddev, min and max of the named (default: every) number and
   * string column, as strings, one row per statistic named in a `summary` column.
   * @example (await df.describe('l_quantity', 'l_comment')).show()
   */
  async describe(...cols: string[]): Promise<DataFrame> {
    return this.next(await summarize(this, DESCRIBE_STATS, cols));
  }
  /**
   * Spark's summary: the given statistics (default count, mean, stddev, min, 25%, 50%, 75%, max;
   * also count_distinct, approx_count_distinct and any 'NN%') of every number and string column.
   * @example (await df.summary('count', 'min', '50%', 'max')).show()
   */
  async summary(...stats: string[]): Promise<DataFrame> {
    return this.next(await summarize(this, stats.length ? stats : SUMMARY_STATS, []));
  }

  /** Register this DataFrame as a session-scoped view for `session.sql()`. @example df.createOrReplaceTempView('t') */
  createOrReplaceTempView(name: string): void {
    this.session.registerView(name, this);
  }

  /**
   * Keep the result once computed: the next job that needs it writes it to the session's store,
   * later actions and jobs read it instead of re-running the plan. @example const hot = df.filter(...).cache()
   */
  cache(): DataFrame {
    return this.persist();
  }
  /** As `cache()`; every Spark storage level is accepted and means "in the store". @example df.persist('DISK_ONLY') */
  persist(level: StorageLevel | string = DEFAULT_STORAGE_LEVEL): DataFrame {
    this.session.persist(this.plan, checkStorageLevel(level));
    return this;
  }
  /** Drop the kept result (its files are deleted); later actions run the plan again. */
  unpersist(_blocking = false): DataFrame {
    this.session.unpersist(this.plan);
    return this;
  }
  /** The storage level the result is kept at, or 'NONE'. */
  get storageLevel(): StorageLevel | 'NONE' {
    return this.session.storageLevel(this.plan);
  }

  // ---- actions ---------------------------------------------------------------------------
  /** Run the job and return the result as an Arrow table. */
  collect(): Promise<arrow.Table> {
    return this.session.execute(this.plan, 'collect');
  }
  /**
   * Run the job and return its rows as plain objects that `JSON.stringify` accepts, every value
   * exact: int64 a number when |v| ≤ 2^53 − 1 else a string (`{ int64: 'string' }`: always),
   * decimals exact strings, dates 'YYYY-MM-DD', timestamps ISO 8601, binaries base64 (see
   * `toJSONRows` for every type).
   * @example JSON.stringify(await df.groupBy('k').agg(sum('id')).collectRows())
   */
  async collectRows(opts: JsonRowsOptions = {}): Promise<Record<string, JsonValue>[]> {
    return toJSONRows(await this.collect(), opts);
  }
  /** Number of rows. */
  async count(): Promise<number> {
    const t = await this.session.execute(agg(this.plan, [], [countFn().alias('count')]), 'count');
    return Number(t.getChildAt(0)!.get(0));
  }
  /** The first n rows as plain objects. */
  async take(n: number): Promise<Record<string, unknown>[]> {
    return tableRows(await this.limit(n).collect(), this.session.timeZone);
  }
  async head(n = 1): Promise<Record<string, unknown>[]> {
    return this.take(n);
  }
  /** Print the first n rows as a table. */
  async show(n = 20): Promise<void> {
    console.log(formatTable(await this.limit(n).collect(), this.session.timeZone));
  }
  async printSchema(): Promise<void> {
    console.log(
      ['root', ...(await this.schema()).map((f) => ` |-- ${f.name}: ${f.type} (nullable = ${f.nullable})`)].join('\n'),
    );
  }

  /** Write the rows as Parquet: `df.write.mode('overwrite').partitionBy('year').parquet(path)`. */
  get write(): DataFrameWriter {
    return new DataFrameWriter(this, 'errorIfExists', []);
  }

  /** The logical, optimized and staged plans, one node per line: the staged plan is the one the driver runs. */
  async explain(): Promise<string> {
    return explainText(await this.session.plan(this.plan), this.session.pendingCaches(this.plan));
  }
}

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
function aggColumns(aggs: readonly (Column | Readonly<Record<string, string>>)[]): Column[] {
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

/** Mark a DataFrame to be broadcast to every task of a join. @example a.join(broadcast(b), 'k') */
export function broadcast(df: DataFrame): DataFrame {
  return new DataFrame(df.session, df.plan, true);
}

export type SaveMode = 'errorIfExists' | 'overwrite' | 'append' | 'ignore';

/** Immutable writer settings; `parquet(path)` runs the job and commits its output atomically. */
export class DataFrameWriter {
  constructor(
    private readonly df: DataFrame,
    private readonly saveMode: SaveMode,
    private readonly partitionCols: readonly string[],
    private readonly fmt: 'parquet' | 'csv' | 'json' = 'parquet',
    private readonly settings: Readonly<Record<string, TextOptionValue>> = {},
  ) {
    Object.freeze(this);
  }
  private with(
    change: Partial<{ mode: SaveMode; cols: readonly string[]; fmt: 'parquet' | 'csv' | 'json'; settings: object }>,
  ) {
    return new DataFrameWriter(
      this.df,
      change.mode ?? this.saveMode,
      change.cols ?? this.partitionCols,
      change.fmt ?? this.fmt,
      (change.settings as Record<string, TextOptionValue>) ?? this.settings,
    );
  }
  mode(m: SaveMode | 'error' | 'errorifexists'): DataFrameWriter {
    const mode: SaveMode = m === 'error' || m === 'errorifexists' ? 'errorIfExists' : m;
    if (!['errorIfExists', 'overwrite', 'append', 'ignore'].includes(mode))
      throw new PlanError('BAD_ARGUMENT', `unknown save mode '${m}'; use errorIfExists, overwrite, append or ignore`);
    return this.with({ mode });
  }
  partitionBy(...cols: string[]): DataFrameWriter {
    return this.with({ cols });
  }
  /** The format `save` writes (Parquet by default). @example df.write.format('csv').option('header', true).save('out/') */
  format(f: 'parquet' | 'csv' | 'json'): DataFrameWriter {
    if (!['parquet', 'csv', 'json'].includes(f))
      throw new PlanError('BAD_ARGUMENT', `unknown write format '${f}'; formats are parquet, csv, json`, { format: f });
    return this.with({ fmt: f });
  }
  /** One writer option (CSV / NDJSON: Spark's names; checked when the format writes). */
  option(name: string, value: TextOptionValue): DataFrameWriter {
    return this.with({ settings: { ...this.settings, [name]: value } });
  }
  options(opts: Readonly<Record<string, TextOptionValue>>): DataFrameWriter {
    return this.with({ settings: { ...this.settings, ...opts } });
  }
  /** Write in the format set with `format`. */
  save(path: string): Promise<{ rows: number; files: number }> {
    return this.fmt === 'parquet' ? this.parquet(path) : this.text(this.fmt, path, {});
  }
  parquet(path: string): Promise<{ rows: number; files: number }> {
    const other = Object.keys(this.settings)[0];
    if (other !== undefined)
      throw new PlanError('BAD_ARGUMENT', `write option '${other}' is not a Parquet option`, { option: other });
    return this.df.session.write(this.df.plan, {
      kind: 'write',
      path: normalizeDataUrl(path),
      format: 'parquet',
      mode: this.saveMode,
      partitionBy: this.partitionCols,
    });
  }
  /**
   * Write CSV files (options: header, sep / delimiter, quote, escape, nullValue, dateFormat,
   * timestampFormat), committed as Parquet writes are. @example df.write.mode('overwrite').csv('out/', { header: true })
   */
  csv(path: string, opts: Readonly<Record<string, TextOptionValue>> = {}): Promise<{ rows: number; files: number }> {
    return this.text('csv', path, opts);
  }
  /** Write NDJSON files (one object per line; null fields left out). @example df.write.json('out/') */
  json(path: string, opts: Readonly<Record<string, TextOptionValue>> = {}): Promise<{ rows: number; files: number }> {
    return this.text('json', path, opts);
  }
  private text(format: 'csv' | 'json', path: string, opts: Readonly<Record<string, TextOptionValue>>) {
    return this.df.session.write(this.df.plan, {
      kind: 'write',
      path: normalizeDataUrl(path),
      format,
      text: textWriteOptions(format, { ...this.settings, ...opts }),
      mode: this.saveMode,
      partitionBy: this.partitionCols,
    });
  }
}
