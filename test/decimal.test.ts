/**
 * decimal(p, s) is exact end to end: values of short (≤ 18 digits) and wide (38 digits) decimals
 * go through read → filter / group / join / sort / aggregates / shuffle → collect digit for
 * digit, keep their type in results, printSchema and writes, and follow Spark's result types and
 * HALF_UP rounding for arithmetic, sum and avg. Compared with DuckDB as exact text; where DuckDB
 * differs from Spark (its avg and / are doubles, its casts to integers round), the expected value
 * is computed with BigInts from DuckDB's exact inputs.
 */
import * as path from 'node:path';
import { DuckDBDecimalValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { divRound, formatDecimal, parseDecimal, pow10 } from '../operators/decimal.js';
import {
  abs,
  avg,
  coalesce,
  col,
  count,
  countDistinct,
  greatest,
  least,
  lit,
  max,
  min,
  round,
  session,
  sum,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { expectSameResults, type Cell, type ResultSet } from './support/compare.js';
import { writeParquet } from './support/timestamps.js';
import { tempDir } from './support/tpch.js';

const W_MAX = `${'9'.repeat(28)}.${'9'.repeat(10)}`;

/**
 * 60 rows: `amt` decimal(10,2) with NULLs, negatives, ties and its extremes; `q` decimal(4,1);
 * `w` decimal(38,10) with values beyond 2^64 and its extremes; `g` a small key.
 */
const T_SQL = `
  SELECT
    id::INTEGER AS id,
    (id % 4)::INTEGER AS g,
    CASE
      WHEN id % 11 = 0 THEN NULL
      WHEN id = 1 THEN 99999999.99
      WHEN id = 2 THEN -99999999.99
      ELSE ((id * 7919) % 20011 - 10000) / 100.0 + (id % 3) * 0.005
    END::DECIMAL(10,2) AS amt,
    CASE WHEN id % 7 = 0 THEN NULL ELSE ((id * 37) % 199 - 99) / 10.0 END::DECIMAL(4,1) AS q,
    CASE
      WHEN id % 13 = 0 THEN NULL
      WHEN id = 3 THEN ${W_MAX}::DECIMAL(38,10)
      WHEN id = 4 THEN -${W_MAX}::DECIMAL(38,10)
      ELSE (id * 123456789012345678901::DECIMAL(38,0) + id / 7.0)::DECIMAL(38,10)
    END AS w
  FROM range(0, 60) AS t(id)`;

const SIDE_SQL = `
  SELECT DISTINCT amt, ('t' || (amt * 100)::BIGINT % 5) AS tag FROM (${T_SQL}) WHERE id % 3 = 0
  UNION ALL SELECT 0.00::DECIMAL(10,2), 'zero'`;

let s: Session;
let conn: DuckDBConnection;
let closeDuck: () => void;
let dir: string;
let t: DataFrame;
let side: DataFrame;
let tSql: string;
let sideSql: string;

/** DuckDB rows with decimals as exact text and integers as numbers. */
async function duck(sql: string): Promise<ResultSet> {
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows().map((row) =>
    row.map((v): Cell => {
      if (v instanceof DuckDBDecimalValue) return formatDecimal(v.value, v.scale);
      if (typeof v === 'bigint') return Number(v);
      if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
      return String(v);
    }),
  );
  return { columns: reader.columnNames(), rows };
}

/** Stratus rows with decimals as exact text. */
function exact(table: arrow.Table): ResultSet {
  const fields = table.schema.fields;
  const cols = fields.map((f) => table.getChild(f.name)!);
  const rows: Cell[][] = [];
  for (let i = 0; i < table.numRows; i++)
    rows.push(
      cols.map((c, k) => {
        const v = c.get(i);
        const type = fields[k]!.type;
        if (v === null || v === undefined) return null;
        if (arrow.DataType.isDecimal(type)) return formatDecimal(BigInt(String(v)), type.scale);
        return typeof v === 'bigint' ? Number(v) : v;
      }),
    );
  return { columns: fields.map((f) => f.name), rows };
}

async function expectSame(df: DataFrame, sql: string, ordered = false): Promise<void> {
  expectSameResults(exact(await df.collect()), await duck(sql), { ordered });
}

beforeAll(async () => {
  dir = tempDir('stratus-decimal-');
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

describe('decimals are exact', () => {
  it('schema, printSchema and collect keep decimal(p,s) and every digit', async () => {
    expect((await t.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int32',
      'g:int32',
      'amt:decimal(10,2)',
      'q:decimal(4,1)',
      'w:decimal(38,10)',
    ]);
    const table = await t.collect();
    expect(String(table.schema.fields[2]!.type)).toBe('Decimal[10e+2]');
    await expectSame(t, `SELECT * FROM ${tSql}`);
    const rows = await t.filter(col('id').isin(3, 4)).orderBy('id').select('w').take(2);
    expect(rows).toEqual([{ w: W_MAX }, { w: `-${W_MAX}` }]);
  });

  it('filters compare exactly with decimals and integers, and as doubles with doubles', async () => {
    await expectSame(
      t.filter(col('amt').eq(lit('99999999.99').cast('decimal(10,2)'))).select('id'),
      `SELECT id FROM ${tSql} WHERE amt = 99999999.99`,
    );
    await expectSame(t.filter(col('amt').gt(50)).select('id'), `SELECT id FROM ${tSql} WHERE amt > 50`);
    await expectSame(t.filter(col('amt').leq(col('q'))).select('id'), `SELECT id FROM ${tSql} WHERE amt <= q`);
    await expectSame(t.filter(col('q').lt(-2.5)).select('id'), `SELECT id FROM ${tSql} WHERE q::DOUBLE < -2.5`);
    await expectSame(
      t.filter(col('w').gt(lit('123456789012345678901').cast('decimal(38,10)'))).select('id'),
      `SELECT id FROM ${tSql} WHERE w > 123456789012345678901`,
    );
  });

  it('grouping, distinct, count(DISTINCT) and min/max by decimal keys', async () => {
    await expectSame(
      t.groupBy('amt').agg(count('*').alias('n')),
      `SELECT amt, count(*) AS n FROM ${tSql} GROUP BY amt`,
    );
    await expectSame(t.groupBy('w').agg(count('*').alias('n')), `SELECT w, count(*) AS n FROM ${tSql} GROUP BY w`);
    await expectSame(t.select('q').distinct(), `SELECT DISTINCT q FROM ${tSql}`);
    await expectSame(
      t
        .groupBy('g')
        .agg(
          min('amt').alias('lo'),
          max('amt').alias('hi'),
          min('w').alias('wlo'),
          max('w').alias('whi'),
          countDistinct('q').alias('dq'),
        ),
      `SELECT g, min(amt) AS lo, max(amt) AS hi, min(w) AS wlo, max(w) AS whi, count(DISTINCT q) AS dq FROM ${tSql} GROUP BY g`,
    );
  });

  it('sum is exact with Spark type decimal(p+10, s), through partial aggregation and the shuffle', async () => {
    const df = t.groupBy('g').agg(sum('amt').alias('s'), sum('q').alias('sq'));
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(20,2)', 'decimal(14,1)']);
    await expectSame(df, `SELECT g, sum(amt) AS s, sum(q) AS sq FROM ${tSql} GROUP BY g`);
    await expectSame(
      t.filter(col('id').gt(4)).groupBy('g').agg(sum('w').alias('sw')),
      `SELECT g, sum(w) AS sw FROM ${tSql} WHERE id > 4 GROUP BY g`,
    );
    await expectSame(t.agg(sum('amt').alias('s')), `SELECT sum(amt) AS s FROM ${tSql}`);
  });

  it('sum of decimal(38,10) past 38 digits is NULL (Spark non-ANSI overflow)', async () => {
    const r = exact(await t.filter(col('id').isin(3, 5)).agg(sum('w').alias('s')).collect());
    expect(r.rows).toEqual([[null]]);
  });

  it('avg is decimal(p+4, s+4), HALF_UP, equal to the exact mean', async () => {
    const df = t.groupBy('g').agg(avg('amt').alias('a'), avg('q').alias('aq'));
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(14,6)', 'decimal(8,5)']);
    const inputs = await duck(`SELECT g, sum(amt), count(amt), sum(q), count(q) FROM ${tSql} GROUP BY g`);
    const mean = (sumText: Cell, n: Cell, scale: number, outScale: number) =>
      formatDecimal(
        divRound(parseDecimal(String(sumText), scale)! * pow10(outScale - scale), BigInt(n as number)),
        outScale,
      );
    expectSameResults(
      exact(await df.collect()),
      {
        columns: ['g', 'a', 'aq'],
        rows: inputs.rows.map(([g, sa, na, sq, nq]) => [g!, mean(sa!, na!, 2, 6), mean(sq!, nq!, 1, 5)]),
      },
      { ordered: false },
    );
  });

  it('+ - * follow Spark types and equal DuckDB exactly; / and % round HALF_UP at Spark scale', async () => {
    const df = t.select(
      'id',
      col('amt').plus(col('q')).alias('p'),
      col('amt').minus(1).alias('m'),
      col('amt').multiply(col('q')).alias('x'),
      col('w').plus(col('amt')).alias('wp'),
    );
    expect((await df.schema()).map((f) => f.type)).toEqual([
      'int32',
      'decimal(11,2)',
      'decimal(13,2)',
      'decimal(15,3)',
      'decimal(38,9)',
    ]);
    await expectSame(
      df.filter(col('id').notEqual(3).and(col('id').notEqual(4))).drop('wp'),
      `SELECT id, amt + q AS p, amt - 1 AS m, amt * q AS x FROM ${tSql} WHERE id NOT IN (3, 4)`,
    );
    const div = t.select('id', col('amt').divide(col('q')).alias('d'), col('amt').mod(col('q')).alias('r'));
    expect((await div.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(16,7)', 'decimal(5,2)']);
    const inputs = await duck(`SELECT id, amt, q FROM ${tSql}`);
    const expected = inputs.rows.map(([id, a, q]) => {
      if (a === null || q === null) return [id!, null, null];
      const x = parseDecimal(String(a), 2)!;
      const y = parseDecimal(String(q), 1)!;
      if (y === 0n) return [id!, null, null];
      return [id!, formatDecimal(divRound(x * pow10(6), y), 7), formatDecimal(x % (y * 10n), 2)];
    });
    expectSameResults(exact(await div.collect()), { columns: ['id', 'd', 'r'], rows: expected }, { ordered: false });
  });

  it('casts: to string with every scale digit, from strings and doubles HALF_UP, to integers truncating', async () => {
    await expectSame(
      t.select('id', col('amt').cast('string').alias('s'), col('q').cast('decimal(6,3)').alias('q3')),
      `SELECT id, amt::VARCHAR AS s, q::DECIMAL(6,3) AS q3 FROM ${tSql}`,
    );
    const r = exact(
      await t
        .filter(col('id').eq(1))
        .select(
          lit('2.345').cast('decimal(4,2)').alias('a'),
          lit('-2.345').cast('decimal(4,2)').alias('b'),
          lit(2.675).cast('decimal(4,2)').alias('c'),
          lit('123.4').cast('decimal(4,2)').alias('overflow'),
          lit('x1').cast('decimal(4,2)').alias('bad'),
          lit('-7.9').cast('decimal(4,2)').cast('int32').alias('i'),
          col('amt').cast('decimal(10,1)').alias('narrow'),
          col('amt').cast('decimal(9,1)').alias('tooNarrow'),
        )
        .collect(),
    ).rows;
    // 2.675 is 2.67499999999999982236431605997495353221893310546875 as a double.
    expect(r).toEqual([['2.35', '-2.35', '2.67', null, null, -7, '100000000.0', null]]);
  });

  it('joins and sorts on decimal keys', async () => {
    await expectSame(
      t.join(side, 'amt').select('id', 'amt', 'tag'),
      `SELECT id, amt, tag FROM ${tSql} AS a JOIN ${sideSql} AS b USING (amt)`,
    );
    await expectSame(
      t.select('amt', 'id').orderBy(col('amt').desc(), 'id'),
      `SELECT amt, id FROM ${tSql} ORDER BY amt DESC NULLS LAST, id`,
      true,
    );
    await expectSame(
      t.select('w', 'id').orderBy('w', 'id'),
      `SELECT w, id FROM ${tSql} ORDER BY w NULLS FIRST, id`,
      true,
    );
  });

  it('written back, DuckDB reads the same decimal types and values', async () => {
    const out = path.join(dir, 'copy');
    await t.write.mode('overwrite').parquet(out);
    const types = await duck(
      `SELECT DISTINCT typeof(amt), typeof(q), typeof(w) FROM read_parquet('${out}/**/*.parquet')`,
    );
    expect(types.rows).toEqual([['DECIMAL(10,2)', 'DECIMAL(4,1)', 'DECIMAL(38,10)']]);
    expectSameResults(
      await duck(`SELECT * FROM read_parquet('${out}/**/*.parquet')`),
      await duck(`SELECT * FROM ${tSql}`),
      { ordered: false },
    );
  });

  it('coalesce, greatest, least, abs and round keep decimals exact', async () => {
    await expectSame(
      t.select(
        'id',
        coalesce(col('q'), col('amt')).alias('c'),
        greatest(col('q'), col('amt')).alias('gr'),
        least(col('q'), lit(0)).alias('le'),
        abs(col('amt')).alias('a'),
      ),
      `SELECT id, coalesce(q, amt) AS c, greatest(q, amt) AS gr, least(q, 0) AS le, abs(amt) AS a FROM ${tSql}`,
    );
    const r = exact(
      await t
        .filter(col('id').eq(5))
        .select(round(col('amt'), 1).alias('r'), 'amt')
        .collect(),
    ).rows[0]!;
    expect(r[0]).toBe(formatDecimal(divRound(parseDecimal(String(r[1]), 2)!, 10n), 1)); // decimal(10,1), Spark's type
  });

  it('fillna keeps decimal columns decimal', async () => {
    const df = t.select('id', 'q').fillna(2.25);
    expect((await df.schema()).map((f) => f.type)).toEqual(['int32', 'decimal(4,1)']);
    await expectSame(df, `SELECT id, coalesce(q, 2.3) AS q FROM ${tSql}`);
  });

  it('bad decimal types are named when the plan is built', () => {
    expect(() => col('amt').cast('decimal(39,2)')).toThrow(/cannot cast to 'decimal\(39,2\)'/);
    expect(() => col('amt').cast('decimal(4,5)')).toThrow(/decimal\(p,s\)/);
  });
});
