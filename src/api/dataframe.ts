/**
 * DataFrame: an immutable, lazy view of a logical plan. Transformations return new frozen
 * DataFrames (each one line over a verb in ./verbs); actions run the plan as a job.
 */
import type * as arrow from 'apache-arrow';
import type { PlanNode } from '../../planner/plan.js';
import type { Schema } from '../../planner/types.js';
import type { Column } from './column.js';
import { expr } from '../sql/exprText.js';
import type { Session } from './session.js';
import { count as countFn } from './functions.js';
import { type JsonRowsOptions, type JsonValue, toJSONRows } from './jsonRows.js';
import { formatTable, tableRows } from './show.js';
import { checkStorageLevel, DEFAULT_STORAGE_LEVEL, type StorageLevel } from './cache.js';
import { agg } from './verbs/aggregate.js';
import { aggColumns, GroupedData } from './groupedData.js';
import { DataFrameWriter } from './writer.js';
import { cubeSets, rollupSets, setsOf } from './verbs/grouping.js';
import { explainText } from './verbs/explain.js';
import { drop, select, withColumn, withColumnRenamed } from './verbs/columns.js';
import { filter, limit, orderBy } from './verbs/rows.js';
import { sample } from './verbs/sample.js';
import { DESCRIBE_STATS, SUMMARY_STATS, summarize } from './verbs/describe.js';
import { join } from './verbs/join.js';
import { mapRows } from './verbs/maprows.js';
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

/** Mark a DataFrame to be broadcast to every task of a join. @example a.join(broadcast(b), 'k') */
export function broadcast(df: DataFrame): DataFrame {
  return new DataFrame(df.session, df.plan, true);
}
