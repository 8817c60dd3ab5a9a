/**
 * int64 is exact end to end: values at and beyond 2^53 (INT64 min and max, 2^53+1, negatives,
 * NULLs) go through read → filter / arithmetic / group / join / sort / aggregates / shuffle →
 * collect digit for digit, and through write → DuckDB reads back the same ids. Compared with
 * DuckDB as text (so no value passes through a double on either side); overflow follows Spark
 * (long arithmetic and sum wrap), checked against BigInt arithmetic. uint32 keeps its type and computes as an int64;
 * uint64 is refused when the plan is made, naming the column.
 */
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avg,
  col,
  count,
  countDistinct,
  lit,
  max,
  min,
  session,
  sum,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { PLAN_VERSION } from '../planner/plan.js';
import { loadPlan } from '../planner/validate.js';
import { expectSameResults, type Cell, type ResultSet } from './support/compare.js';
import { duckRows, writeParquet } from './support/timestamps.js';
import { tempDir } from './support/tpch.js';

const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;
const P53 = 9007199254740992n;

/**
 * 64 rows: `big` holds the extremes and four values just above 2^53 that doubles cannot tell
 * apart, five rows each (so grouping by a double would merge them); `k` is a small key; `u` a
 * uint32 up to its max. Written as several files of several row groups.
 */
const T_SQL = `
  SELECT
    id::INTEGER AS id,
    CASE
      WHEN id % 16 = 0 THEN NULL
      WHEN id = 1 THEN ${MAX}
      WHEN id = 2 THEN ${MIN}
      WHEN id = 3 THEN ${MAX - 1n}
      WHEN id = 4 THEN ${MIN + 1n}
      WHEN id = 5 THEN -${P53 + 1n}
      WHEN id = 6 THEN -1
      WHEN id BETWEEN 7 AND 26 THEN ${P53} + 1 + (id % 4)
      ELSE (id * 1000000007) * (CASE WHEN id % 2 = 0 THEN 1 ELSE -1 END)
    END::BIGINT AS big,
    (id % 5)::INTEGER AS k,
    CASE WHEN id % 7 = 0 THEN NULL ELSE (4294967295 - id)::UINTEGER END AS u
  FROM range(0, 64) AS t(id)`;

/** Join partner: one row per distinct large value, plus ids that match nothing. */
const SIDE_SQL = `
  SELECT (${P53} + 1 + r)::BIGINT AS big, ('v' || r) AS tag FROM range(0, 6) AS t(r)
  UNION ALL SELECT ${MAX}::BIGINT, 'max' UNION ALL SELECT NULL::BIGINT, 'null'`;

let s: Session;
let conn: DuckDBConnection;
let closeDuck: () => void;
let dir: string;
let t: DataFrame;
let side: DataFrame;
let tSql: string;
let sideSql: string;

/** DuckDB rows with BIGINT/HUGEINT as decimal text. */
const duck = (sql: string): Promise<ResultSet> => duckRows(conn, sql);

/** Stratus rows with int64 as decimal text. */
function exact(table: Table): ResultSet {
  const fields = table.schema.fields;
  const cols = fields.map((f) => table.getChild(f.name)!);
  const rows: Cell[][] = [];
  for (let i = 0; i < table.numRows; i++)
    rows.push(
      cols.map((c) => {
        const v = c.get(i);
        return typeof v === 'bigint' ? String(v) : (v ?? null);
      }),
    );
  return { columns: fields.map((f) => f.name), rows };
}

async function expectSame(df: DataFrame, sql: string, ordered = false): Promise<void> {
  expectSameResults(exact(await df.collect()), await duck(sql), { ordered });
}

beforeAll(async () => {
  dir = tempDir('stratus-int64-');
  const instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  closeDuck = () => {
    conn.closeSync();
    instance.closeSync();
  };
  const write = (sql: string, name: string, files: number, key: string) =>
    writeParquet(conn, sql, dir, name, files, key, 8);
  const tDir = await write(T_SQL, 't', 3, 'id');
  const sideDir = await write(SIDE_SQL, 'side', 2, 'tag');
  tSql = `read_parquet('${tDir}/*.parquet')`;
  sideSql = `read_parquet('${sideDir}/*.parquet')`;
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  t = s.read.parquet(tDir);
  side = s.read.parquet(sideDir);
});
afterAll(async () => {
  await s?.stop();
  closeDuck?.();
});

describe('int64 values are exact', () => {
  it('collect returns every value, INT64 min and max and 2^53+1 included', async () => {
    const table = await t.select('id', 'big').collect();
    expect(table.schema.fields[1]!.type.toString()).toBe('Int64');
    await expectSame(t.select('id', 'big'), `SELECT id, big FROM ${tSql}`);
    const byId = new Map(exact(table).rows.map((r) => [r[0], r[1]]));
    expect(byId.get(1)).toBe(String(MAX));
    expect(byId.get(2)).toBe(String(MIN));
    expect(byId.get(7)).toBe(String(P53 + 4n));
    expect(byId.get(0)).toBe(null);
  });

  it('printSchema and schema say int64', async () => {
    expect((await t.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int32',
      'big:int64',
      'k:int32',
      'u:uint32',
    ]);
  });

  it('a filter on equality with a large literal matches exactly one value', async () => {
    await expectSame(
      t.filter(col('big').eq(lit(P53 + 1n))).select('id', 'big'),
      `SELECT id, big FROM ${tSql} WHERE big = ${P53 + 1n}`,
    );
    expect((await t.filter(col('big').eq(P53 + 2n)).collect()).numRows).toBe(5);
    await expectSame(t.filter(col('big').eq(MAX)).select('id'), `SELECT id FROM ${tSql} WHERE big = ${MAX}`);
  });

  it('range filters and isin at the edges of the range', async () => {
    await expectSame(
      t
        .filter(
          col('big')
            .gt(P53 + 2n)
            .and(col('big').leq(MAX - 1n)),
        )
        .select('id', 'big'),
      `SELECT id, big FROM ${tSql} WHERE big > ${P53 + 2n} AND big <= ${MAX - 1n}`,
    );
    await expectSame(
      t.filter(col('big').isin(MIN, P53 + 3n, -1n)).select('id'),
      `SELECT id FROM ${tSql} WHERE big IN (${MIN}, ${P53 + 3n}, -1)`,
    );
    await expectSame(t.filter(col('big').lt(col('k'))).select('id'), `SELECT id FROM ${tSql} WHERE big < k`);
  });

  it('grouping by a large key makes one group per value (with and without partial aggregation)', async () => {
    const sql = `SELECT big, count(*) AS n, sum(k) AS sk FROM ${tSql} GROUP BY big`;
    await expectSame(t.groupBy('big').agg(count('*').alias('n'), sum('k').alias('sk')), sql);
    await expectSame(
      t.groupBy('big').agg(count('*').alias('n'), countDistinct('k').alias('dk')),
      `SELECT big, count(*) AS n, count(DISTINCT k) AS dk FROM ${tSql} GROUP BY big`,
    );
    await expectSame(t.select('big').distinct(), `SELECT DISTINCT big FROM ${tSql}`);
    await expectSame(
      t.groupBy('k', 'big').agg(count('*').alias('n')),
      `SELECT k, big, count(*) AS n FROM ${tSql} GROUP BY k, big`,
    );
  });

  it('sum, min, max and count(DISTINCT) of int64 are exact; avg is a double', async () => {
    const inRange = t.filter(col('id').gt(4));
    await expectSame(
      inRange
        .groupBy('k')
        .agg(sum('big').alias('s'), min('big').alias('lo'), max('big').alias('hi'), countDistinct('big').alias('d')),
      `SELECT k, sum(big)::BIGINT AS s, min(big) AS lo, max(big) AS hi, count(DISTINCT big) AS d FROM ${tSql} WHERE id > 4 GROUP BY k`,
    );
    await expectSame(inRange.agg(sum('big').alias('s')), `SELECT sum(big)::BIGINT AS s FROM ${tSql} WHERE id > 4`);
    await expectSame(
      t.agg(min('big').alias('lo'), max('big').alias('hi')),
      `SELECT min(big) AS lo, max(big) AS hi FROM ${tSql}`,
    );
    const a = exact(await inRange.agg(avg('big').alias('a')).collect()).rows[0]![0] as number;
    const e = (await duck(`SELECT avg(big) AS a FROM ${tSql} WHERE id > 4`)).rows[0]![0] as number;
    expect(Math.abs(a - e)).toBeLessThanOrEqual(Math.abs(e) * 1e-12);
  });

  it('sum wraps around like a Java long once it leaves the int64 range (Spark non-ANSI)', async () => {
    const rows = exact(
      await t
        .filter(col('id').isin(1, 3, 6))
        .agg(sum('big').alias('s'))
        .collect(),
    ).rows;
    expect(rows[0]![0]).toBe(String(BigInt.asIntN(64, MAX + (MAX - 1n) - 1n)));
  });

  it('arithmetic is exact, and + - * wrap to 64 bits', async () => {
    await expectSame(
      t
        .filter(col('id').gt(4))
        .select(
          'id',
          col('big').plus(1).alias('a'),
          col('big').minus(col('k')).alias('b'),
          col('big').multiply(-1).alias('c'),
          col('big').mod(1000).alias('d'),
        ),
      `SELECT id, big + 1 AS a, big - k AS b, big * -1 AS c, big % 1000 AS d FROM ${tSql} WHERE id > 4`,
    );
    const wrapped = exact(
      await t
        .filter(col('id').isin(1, 2))
        .select(
          'id',
          col('big').plus(lit(1n)).alias('p'),
          col('big').multiply(2).alias('m'),
          col('big').negate().alias('n'),
        )
        .orderBy('id')
        .collect(),
    ).rows;
    expect(wrapped).toEqual([
      [1, String(MIN), String(BigInt.asIntN(64, MAX * 2n)), String(-MAX)],
      [2, String(MIN + 1n), '0', String(MIN)],
    ]);
  });

  it('casts to and from string are exact; to double and int32 follow Spark', async () => {
    await expectSame(
      t.select('id', col('big').cast('string').alias('s'), col('big').cast('string').cast('int64').alias('back')),
      `SELECT id, big::VARCHAR AS s, big AS back FROM ${tSql}`,
    );
    await expectSame(
      t.filter(col('id').gt(2)).select('id', col('big').cast('float64').alias('d')),
      `SELECT id, big::DOUBLE AS d FROM ${tSql} WHERE id > 2`,
    );
    const low = exact(await t.filter(col('id').eq(7)).select(col('big').cast('int32').alias('i')).collect()).rows;
    expect(low).toEqual([[Number(BigInt.asIntN(32, P53 + 4n))]]);
  });

  it('joins on large keys match exactly (broadcast and shuffled)', async () => {
    const sql = `SELECT id, big, tag FROM ${tSql} AS t JOIN ${sideSql} AS s USING (big)`;
    await expectSame(t.join(side, 'big').select('id', 'big', 'tag'), sql);
    const s2 = session({
      store: tempDir(),
      executors: 2,
      progress: false,
      job: { shufflePartitions: 3, broadcastThreshold: 0 },
    });
    try {
      await expectSame(
        s2.read
          .parquet(path.join(dir, 't'))
          .join(s2.read.parquet(path.join(dir, 'side')), 'big', 'left')
          .select('id', 'big', 'tag'),
        `SELECT id, big, tag FROM ${tSql} AS t LEFT JOIN ${sideSql} AS s USING (big)`,
      );
    } finally {
      await s2.stop();
    }
  });

  it('orderBy sorts by the exact value across range partitions', async () => {
    await expectSame(
      t.select('big', 'id').orderBy('big', 'id'),
      `SELECT big, id FROM ${tSql} ORDER BY big NULLS FIRST, id`,
      true,
    );
    await expectSame(
      t.select('big', 'id').orderBy(col('big').desc(), col('id')),
      `SELECT big, id FROM ${tSql} ORDER BY big DESC NULLS LAST, id`,
      true,
    );
  });

  it('a union of int32 and int64 columns widens to int64; other mismatches are named', async () => {
    await expectSame(
      t.select('id', 'k').unionAll(t.select('id', 'big')),
      `SELECT id, k::BIGINT AS k FROM ${tSql} UNION ALL SELECT id, big FROM ${tSql}`,
    );
    await expect(
      t
        .select('id')
        .unionAll(t.select(col('big').cast('string')))
        .collect(),
    ).rejects.toThrow(/union column 1 \('id'\) is int32 in the first input and string in input 2/);
  });

  it('uint32 keeps every value; it computes as an int64 (Spark reads UINT32 as long)', async () => {
    await expectSame(t.select('id', 'u'), `SELECT id, u FROM ${tSql}`);
    const plus = t.select('id', col('u').plus(lit(1)).alias('u1'));
    expect((await plus.schema()).map((f) => f.type)).toEqual(['int32', 'int64']);
    await expectSame(plus, `SELECT id, u::BIGINT + 1 AS u1 FROM ${tSql}`);
  });

  it('written back, DuckDB reads the same ids', async () => {
    const out = path.join(dir, 'copy');
    await t.select('id', 'big', 'u').write.mode('overwrite').parquet(out);
    const types = await duck(`SELECT DISTINCT typeof(big), typeof(u) FROM read_parquet('${out}/**/*.parquet')`);
    expect(types.rows).toEqual([['BIGINT', 'UINTEGER']]);
    expectSameResults(
      await duck(`SELECT id, big, u::BIGINT AS u FROM read_parquet('${out}/**/*.parquet')`),
      await duck(`SELECT id, big, u::BIGINT AS u FROM ${tSql}`),
      { ordered: false },
    );
  });

  it('a large int64 partition column round-trips through hive directories', async () => {
    const out = path.join(dir, 'parts');
    await t
      .filter(col('id').isin(1, 2, 7, 8))
      .select('id', 'big')
      .write.mode('overwrite')
      .partitionBy('big')
      .parquet(out);
    await expectSame(s.read.parquet(out).select('id', 'big'), `SELECT id, big FROM ${tSql} WHERE id IN (1, 2, 7, 8)`);
  });

  it('take and show keep every digit', async () => {
    const rows = await t.filter(col('id').isin(1, 6)).orderBy('id').select('id', 'big').take(2);
    expect(rows).toEqual([
      { id: 1, big: MAX },
      { id: 6, big: -1 },
    ]);
  });

  it('int64 literals travel in plans as exact text; out-of-range ones are refused', () => {
    const doc = { version: PLAN_VERSION, root: t.filter(col('big').eq(MIN)).plan, sink: { kind: 'collect' } };
    const text = JSON.stringify(doc);
    expect(text).toContain(`"value":"${MIN}","type":"int64"`);
    expect(loadPlan(text)).toEqual(doc);
    expect(() => lit(MAX + 1n)).toThrow(/outside the int64 range/);
    expect(() => loadPlan(text.replace(`"${MIN}"`, `"${MIN - 1n}"`))).toThrow(/expected an int64/);
  });

  it('uint64 columns pass through untouched; computing on them is refused when the plan is made, naming the column', async () => {
    const file = path.join(dir, 'u64.parquet');
    await conn.run(
      `COPY (SELECT 1::INTEGER AS id, 18446744073709551615::UBIGINT AS huge) TO '${file}' (FORMAT parquet)`,
    );
    expect(await s.read.parquet(file).select('id').collectRows()).toEqual([{ id: 1 }]);
    expect(await s.read.parquet(file).collectRows()).toEqual([{ id: 1, huge: '18446744073709551615' }]);
    await expect(
      s.read
        .parquet(file)
        .select(col('huge').plus(lit(1)))
        .collect(),
    ).rejects.toThrow(/column 'huge' has type uint64/);
  });
});
