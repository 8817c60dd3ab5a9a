/**
 * Nested and exotic columns (list, struct, map, uuid, uint64, interval) in files DuckDB wrote:
 * the files stay readable; such columns are known at analysis with their exact types, pass
 * through projections, filters, sorts and joins on other columns, limits, unions,
 * dropDuplicates and writes untouched (DuckDB reads back identical values); anything that needs
 * their values fails at plan time naming the column and the type; an interval nested in a list,
 * which the Parquet decoder cannot read exactly, is refused only when it is read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, count, countDistinct, type DataFrame, lit, type Session, session, sum } from '../src/index.js';

let s: Session;
let duck: DuckDBConnection;
let dir: string;
let file: string;
let other: string;

/** Every kind of column DuckDB writes that the engine carries without computing on it. */
const NESTED_SQL = `
  SELECT i::INT AS id,
    CASE WHEN i % 5 = 0 THEN NULL ELSE [i, i + 1, NULL]::INT[] END AS l,
    CASE WHEN i % 7 = 0 THEN NULL ELSE {'a': i::BIGINT * 1000000000000, 'b': 'x' || i, 'c': [i::INT]} END AS s,
    CASE WHEN i % 3 = 0 THEN NULL ELSE MAP {'k' || i: i::BIGINT, 'z': NULL} END AS m,
    CASE WHEN i % 4 = 0 THEN NULL ELSE ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID END AS u,
    CASE WHEN i % 6 = 0 THEN NULL ELSE (18446744073709551615 - i)::UBIGINT END AS ub,
    INTERVAL (i) DAY + INTERVAL 1 MONTH AS iv,
    [INTERVAL (i) DAY + INTERVAL 1 MONTH] AS liv,
    CASE WHEN i % 8 = 0 THEN NULL ELSE [[i::INT], [], NULL] END AS ll,
    (i % 3)::INT AS g
  FROM range(20) t(i)`;

/** The pass-through columns (all but the interval), as DuckDB renders them in collectRows' form. */
const AS_JSON = `id, l, s, m, u::VARCHAR AS u, ub, ll, g`;

const sorted = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function expectSame(df: DataFrame, sql: string): Promise<void> {
  expect(sorted(await df.collectRows({ int64: 'string' }))).toEqual(sorted(await duckRows(sql)));
}

async function planError(df: DataFrame): Promise<Error & { code?: string; category?: string }> {
  const err = await df.collect().then(
    () => null,
    (e: Error) => e,
  );
  if (!err) throw new Error('expected a plan error');
  return err;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-nested-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  file = path.join(dir, 'nested.parquet');
  other = path.join(dir, 'other.parquet');
  await duck.run(`COPY (${NESTED_SQL}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 4)`);
  await duck.run(
    `COPY (SELECT i::INT AS id, 'o' || i AS name FROM range(0, 20, 2) t(i)) TO '${other}' (FORMAT parquet)`,
  );
  await duck.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file}')`);
  await duck.run(`CREATE TABLE o AS SELECT * FROM read_parquet('${other}')`);
  s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
}, 60_000);

afterAll(async () => {
  await s?.stop();
  duck?.closeSync();
});

const nested = () => s.read.parquet(file).drop('iv', 'liv');

describe('known at analysis', () => {
  it('printSchema and df.schema() show every type exactly', async () => {
    const schema = await s.read.parquet(file).schema();
    expect(schema.map((f) => `${f.name}: ${f.type}`)).toEqual([
      'id: int32',
      'l: list<int32>',
      's: struct<a: int64, b: string, c: list<int32>>',
      'm: map<string, int64>',
      'u: uuid',
      'ub: uint64',
      'iv: interval',
      'liv: list<interval>',
      'll: list<list<int32>>',
      'g: int32',
    ]);
    const lines: string[] = [];
    const log = console.log;
    console.log = (x: string) => lines.push(x);
    try {
      await s.read.parquet(file).printSchema();
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toContain(' |-- s: struct<a: int64, b: string, c: list<int32>> (nullable = true)');
  });
});

describe('pass through untouched', () => {
  it('select, filter and sort on other columns, limit: values as DuckDB reads them', async () => {
    await expectSame(nested(), `SELECT ${AS_JSON} FROM t`);
    await expectSame(
      nested()
        .filter(col('id').gt(lit(6)).and(col('l').isNotNull()))
        .select('u', 'l', col('s').alias('s2')),
      `SELECT u::VARCHAR AS u, l, s AS s2 FROM t WHERE id > 6 AND l IS NOT NULL`,
    );
    const top = await nested().orderBy(col('id').desc()).limit(5).collectRows({ int64: 'string' });
    expect(top).toEqual(await duckRows(`SELECT ${AS_JSON} FROM t ORDER BY id DESC LIMIT 5`));
  });

  it('through a shuffle: a join on another key, a global sort, dropDuplicates, count', async () => {
    const o = s.read.parquet(other);
    await expectSame(
      nested().join(o, 'id').select('id', 'name', 'l', 'm', 'ub'),
      `SELECT id, name, l, m, ub FROM t JOIN o USING (id)`,
    );
    await expectSame(
      nested().join(o, 'id', 'left').select('id', 'name', 's', 'u'),
      `SELECT id, name, s, u::VARCHAR AS u FROM t LEFT JOIN o USING (id)`,
    );
    await expectSame(
      o.join(nested(), 'id', 'full').select('id', 'name', 'll'),
      `SELECT id, name, ll FROM o FULL JOIN t USING (id)`,
    );
    const sortedRows = await nested().orderBy('g', col('id').desc()).collectRows({ int64: 'string' });
    expect(sortedRows).toEqual(await duckRows(`SELECT ${AS_JSON} FROM t ORDER BY g, id DESC`));
    // dropDuplicates keeps each key's first row: the nested values come with it intact.
    const firsts = await nested().orderBy('id').dropDuplicates(['g']).collectRows({ int64: 'string' });
    expect(firsts.length).toBe(3);
    const all = new Map((await duckRows(`SELECT ${AS_JSON} FROM t`)).map((r) => [JSON.stringify(r), r]));
    for (const r of firsts) expect(all.has(JSON.stringify(r))).toBe(true);
    await expectSame(
      nested().groupBy('g').agg(count('l').alias('n'), count('*').alias('rows')),
      `SELECT g, count(l) AS n, count(*) AS rows FROM t GROUP BY g`,
    );
    await expectSame(
      nested().union(nested().filter(col('id').lt(lit(3)))),
      `SELECT ${AS_JSON} FROM t UNION ALL SELECT ${AS_JSON} FROM t WHERE id < 3`,
    );
  });

  it('written back, DuckDB reads identical values', async () => {
    const out = path.join(dir, 'written');
    await nested()
      .filter(col('id').ne(lit(13)))
      .write.mode('overwrite')
      .parquet(out);
    const back = `read_parquet('${out}/*.parquet')`;
    const cols = 'id, l, s, m, u::BLOB AS u, ub, ll, g';
    const diff = async (a: string, b: string) =>
      (
        await duck.runAndReadAll(
          `SELECT count(*)::INT AS n FROM (SELECT ${cols} FROM ${a} EXCEPT ALL SELECT ${cols} FROM ${b})`,
        )
      ).getRowObjectsJson()[0]!.n;
    expect(await diff(back, '(SELECT * FROM t WHERE id <> 13)')).toBe(0);
    expect(await diff('(SELECT * FROM t WHERE id <> 13)', back)).toBe(0);
    const types = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${back}`))
      .getRowObjectsJson()
      .map((r) => `${r.column_name}: ${r.column_type}`);
    expect(types).toEqual([
      'id: INTEGER',
      'l: INTEGER[]',
      's: STRUCT(a BIGINT, b VARCHAR, c INTEGER[])',
      'm: MAP(VARCHAR, BIGINT)',
      'u: UUID', // parquet-wasm writes no UUID annotation: added to the footer (operators/parquetAnnotate.ts)
      'ub: UBIGINT',
      'll: INTEGER[][]',
      'g: INTEGER',
    ]);
    // Read back by Stratus itself: the same types and rows.
    expect((await s.read.parquet(out).schema()).map((f) => f.type)).toEqual(
      (await nested().schema()).map((f) => f.type),
    );
    expect(await s.read.parquet(out).count()).toBe(19);
  });
});

describe('refused at plan time, naming the column and the type', () => {
  const cases: [string, () => DataFrame, string, string][] = [
    ['arithmetic', () => nested().select(col('ub').plus(lit(1))), 'ub', 'uint64'],
    ['a comparison in a filter', () => nested().filter(col('u').eq(col('u'))), 'u', 'uuid'],
    ['a cast', () => nested().select(col('l').cast('string')), 'l', 'list<int32>'],
    ['a grouping key', () => nested().groupBy('m').agg(count('*')), 'm', 'map<string, int64>'],
    ['a sort key', () => nested().orderBy('s'), 's', 'struct<a: int64, b: string, c: list<int32>>'],
    ['a join key', () => nested().join(nested().select('l'), 'l'), 'l', 'list<int32>'],
    ['distinct', () => nested().select('id', 'll').distinct(), 'll', 'list<list<int32>>'],
    ['an aggregate other than count', () => nested().agg(countDistinct('u')), 'u', 'uuid'],
    ['sum', () => nested().agg(sum('ub')), 'ub', 'uint64'],
    ['arithmetic on an interval', () => s.read.parquet(file).select(col('iv').plus(lit(1))), 'iv', 'interval'],
    ['an interval sort key', () => s.read.parquet(file).drop('liv').orderBy('iv'), 'iv', 'interval'],
  ];
  for (const [what, df, column, type] of cases)
    it(what, async () => {
      const err = await planError(df());
      expect(err.code).toBe('UNSUPPORTED_TYPE_USE');
      expect(err.message).toContain(`column '${column}' has type ${type}`);
    });

  it('an interval nested in a list is refused when read, and only then (a top-level interval reads exactly)', async () => {
    const err = await planError(s.read.parquet(file).select('id', 'liv'));
    expect(err.code).toBe('UNREADABLE_TYPE');
    expect(err.message).toContain(`column 'liv'`);
    expect(err.message).toContain('interval');
    const iv = await s.read
      .parquet(file)
      .filter(col('id').eq(lit(3)))
      .select('iv')
      .collectRows();
    expect(iv).toEqual([{ iv: { months: 1, days: 3, micros: 0 } }]);
    // Read alone (no column for parquet-wasm to decode), every row group.
    const alone = await s.read.parquet(file).select('iv').collectRows();
    expect(alone.length).toBe(20);
    expect(alone[19]).toEqual({ iv: { months: 1, days: 19, micros: 0 } });
    // Only its validity is read by isNull: no plan error.
    expect(await s.read.parquet(file).filter(col('iv').isNotNull()).count()).toBe(20);
    // The file's other columns read fine, count(*) included.
    expect(await s.read.parquet(file).count()).toBe(20);
    expect(await s.read.parquet(file).select('id').count()).toBe(20);
  });
});
