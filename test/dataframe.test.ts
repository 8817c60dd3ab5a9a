/**
 * DataFrame verbs against DuckDB as the oracle, on whole results: global orderBy over several
 * range partitions (asc/desc, nulls first/last, ties), top-N, distinct and dropDuplicates,
 * union/unionByName, intersect/except, dropna/fillna, repartition, column edits, limit/count/
 * take, aggregation over empty input, computed grouping keys, HAVING, and plan-time errors.
 * Scalar expressions and NULL semantics of expressions live in expressions/nulls tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avg, col, count, max, min, session, sum, type Column, type DataFrame, type Session } from '../src/index.js';
import { expectSameResults } from './support/compare.js';
import { typedRows, writeDfFixtures, type DfFixtures, type TypedResult } from './support/fixtures-df.js';
import { tempDir } from './support/tpch.js';

const L_COLS = ['k', 'k2', 'id', 'v', 's', 'big'];

let fx: DfFixtures;
let s: Session;
let l: DataFrame;
let r: DataFrame;
let u: DataFrame;

beforeAll(async () => {
  fx = await writeDfFixtures(tempDir('stratus-df-fx-'));
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  l = s.read.parquet(fx.path.l);
  r = s.read.parquet(fx.path.r);
  u = s.read.parquet(fx.path.u);
});
afterAll(async () => {
  await s?.stop();
  fx?.close();
});

/** Stratus and DuckDB agree on column names, engine types and rows (in order when `ordered`). */
async function expectSame(df: DataFrame, sql: string, ordered = false): Promise<TypedResult> {
  const actual = typedRows(await df.collect());
  const expected = await fx.query(sql);
  expectSameResults(actual, expected, { ordered });
  expect(actual.types).toEqual(expected.types);
  return actual;
}

describe('orderBy: a global order over several range partitions', () => {
  const cases: readonly [string, () => (string | Column)[], string][] = [
    ['asc by default, nulls first', () => ['v', 'id'], 'v ASC NULLS FIRST, id'],
    ['asc(): nulls first', () => [col('v').asc(), col('id').desc()], 'v ASC NULLS FIRST, id DESC'],
    ['desc(): nulls last', () => [col('v').desc(), 'id'], 'v DESC NULLS LAST, id'],
    ['ascNullsLast()', () => [col('v').ascNullsLast(), 'id'], 'v ASC NULLS LAST, id'],
    ['descNullsFirst()', () => [col('v').descNullsFirst(), 'id'], 'v DESC NULLS FIRST, id'],
    [
      'strings desc, then ints asc (both with nulls and ties)',
      () => [col('s').desc(), col('k'), col('id')],
      's DESC NULLS LAST, k ASC NULLS FIRST, id',
    ],
    ['int64 desc', () => [col('big').desc(), col('id').desc()], 'big DESC NULLS LAST, id DESC'],
    [
      'a computed key',
      () => [col('k').multiply(-1).plus(col('id').mod(3)).asc(), 'id'],
      '(-k + id % 3) ASC NULLS FIRST, id',
    ],
  ];
  for (const [name, keys, sqlOrder] of cases) {
    it(name, () => expectSame(l.orderBy(...keys()), `SELECT * FROM ${fx.sql.l} ORDER BY ${sqlOrder}`, true));
  }

  it('orderBy after groupBy, and a filter after orderBy keeps the order', async () => {
    await expectSame(
      l.groupBy('k').agg(count().alias('n'), sum('v').alias('sv')).orderBy(col('n').desc(), col('sv').asc()),
      `SELECT k, count(*) AS n, sum(v) AS sv FROM ${fx.sql.l} GROUP BY k ORDER BY n DESC, sv ASC NULLS FIRST`,
      true,
    );
    await expectSame(
      l.orderBy(col('v').desc(), 'id').filter(col('k').gt(2)),
      `SELECT * FROM ${fx.sql.l} WHERE k > 2 ORDER BY v DESC NULLS LAST, id`,
      true,
    );
  });
  it('orderBy over a union', () =>
    expectSame(
      l.select('id', 'v').union(r.select('rid', 'w')).orderBy(col('v').desc(), 'id'),
      `SELECT id, v FROM ${fx.sql.l} UNION ALL SELECT rid, w FROM ${fx.sql.r} ORDER BY v DESC NULLS LAST, id`,
      true,
    ));
  it('sort() is orderBy()', () =>
    expectSame(l.sort(col('s').asc(), 'id'), `SELECT * FROM ${fx.sql.l} ORDER BY s ASC NULLS FIRST, id`, true));

  it('strings order by code point (UTF-8 bytes), as Spark does, across ranges', () =>
    expectSame(u.orderBy('t', 'id'), `SELECT * FROM ${fx.sql.u} ORDER BY t ASC NULLS FIRST, id`, true));

  it('NaN sorts above every other double (Spark), asc and desc', async () => {
    await expectSame(u.orderBy('f', 'id'), `SELECT * FROM ${fx.sql.u} ORDER BY f ASC NULLS FIRST, id`, true);
    await expectSame(
      u.orderBy(col('f').desc(), 'id'),
      `SELECT * FROM ${fx.sql.u} ORDER BY f DESC NULLS LAST, id`,
      true,
    );
  });
});

describe('orderBy + limit (top-N)', () => {
  it('the first n rows of the global order', async () => {
    await expectSame(
      l.orderBy(col('v').desc(), 'id').limit(7),
      `SELECT * FROM ${fx.sql.l} ORDER BY v DESC NULLS LAST, id LIMIT 7`,
      true,
    );
    await expectSame(
      l.orderBy('s', col('id').desc()).limit(12),
      `SELECT * FROM ${fx.sql.l} ORDER BY s ASC NULLS FIRST, id DESC LIMIT 12`,
      true,
    );
  });
  it('a projection between the sort and the limit keeps the order', () =>
    expectSame(
      l.orderBy(col('v').descNullsFirst(), 'id').select('id', 'v').limit(9),
      `SELECT id, v FROM ${fx.sql.l} ORDER BY v DESC NULLS FIRST, id LIMIT 9`,
      true,
    ));
  it('a limit above the row count returns every row, in order', () =>
    expectSame(
      l.orderBy(col('k').desc(), 'id').limit(1000),
      `SELECT * FROM ${fx.sql.l} ORDER BY k DESC NULLS LAST, id`,
      true,
    ));
});

describe('distinct and dropDuplicates', () => {
  it('distinct() keeps one of each row (NULLs equal)', () =>
    expectSame(l.select('k', 'k2').distinct(), `SELECT DISTINCT k, k2 FROM ${fx.sql.l}`));
  it('distinct() over every column removes exact duplicates only', () =>
    expectSame(l.union(l).distinct(), `SELECT * FROM ${fx.sql.l}`));
  it('dropDuplicates() with no columns is distinct()', () =>
    expectSame(l.select('k2', 's').dropDuplicates(), `SELECT DISTINCT k2, s FROM ${fx.sql.l}`));

  it('dropDuplicates(cols) keeps one whole input row per key', async () => {
    const actual = typedRows(await l.dropDuplicates(['k', 'k2']).collect());
    expect(actual.columns).toEqual(L_COLS);
    // Which row survives is arbitrary (as in Spark): compare the keys, and check each row is an input row.
    const keys = { columns: ['k', 'k2'], rows: actual.rows.map((row) => row.slice(0, 2)) };
    expectSameResults(keys, await fx.query(`SELECT DISTINCT k, k2 FROM ${fx.sql.l}`), { ordered: false });
    const input = new Set((await fx.query(`SELECT * FROM ${fx.sql.l}`)).rows.map((row) => JSON.stringify(row)));
    for (const row of actual.rows)
      expect(input.has(JSON.stringify(row)), `not an input row: ${JSON.stringify(row)}`).toBe(true);
  });
});

describe('union, intersect, except', () => {
  it("union is positional UNION ALL and takes the first input's names", () =>
    expectSame(
      l.select('id', 'k', 'k2').union(r.select('rid', 'k', 'k2')),
      `SELECT id, k, k2 FROM ${fx.sql.l} UNION ALL SELECT rid, k, k2 FROM ${fx.sql.r}`,
    ));
  it('unionAll keeps duplicates', async () => {
    const got = await expectSame(l.unionAll(l), `SELECT * FROM ${fx.sql.l} UNION ALL SELECT * FROM ${fx.sql.l}`);
    expect(got.rows).toHaveLength(120);
  });
  it('unionByName matches columns by name, whatever their order', () =>
    expectSame(
      l.select('k', 'k2', 'id').unionByName(r.select(col('rid').alias('id'), 'k2', 'k')),
      `SELECT k, k2, id FROM ${fx.sql.l} UNION ALL SELECT k, k2, rid FROM ${fx.sql.r}`,
    ));
  it('intersect: distinct rows in both, NULLs equal', async () => {
    const got = await expectSame(
      l.select('k', 'k2').intersect(r.select('k', 'k2')),
      `SELECT k, k2 FROM ${fx.sql.l} INTERSECT SELECT k, k2 FROM ${fx.sql.r}`,
    );
    expect(got.rows.some((row) => row.includes(null))).toBe(true);
  });
  it('except / subtract: distinct rows of the left not in the right, NULLs equal', async () => {
    const sql = `SELECT k, k2 FROM ${fx.sql.l} EXCEPT SELECT k, k2 FROM ${fx.sql.r}`;
    await expectSame(l.select('k', 'k2').except(r.select('k', 'k2')), sql);
    await expectSame(l.select('k', 'k2').subtract(r.select('k', 'k2')), sql);
  });
});

describe('dropna and fillna', () => {
  it('dropna() drops rows with a NULL in any column', () =>
    expectSame(
      l.dropna(),
      `SELECT * FROM ${fx.sql.l} WHERE k IS NOT NULL AND k2 IS NOT NULL AND v IS NOT NULL AND s IS NOT NULL AND big IS NOT NULL`,
    ));
  it('dropna(all, subset) drops rows whose subset columns are all NULL', () =>
    expectSame(l.dropna('all', ['v', 's']), `SELECT * FROM ${fx.sql.l} WHERE v IS NOT NULL OR s IS NOT NULL`));
  it('dropna(any, subset) drops rows with a NULL in a subset column', () =>
    expectSame(l.dropna('any', ['k', 'v']), `SELECT * FROM ${fx.sql.l} WHERE k IS NOT NULL AND v IS NOT NULL`));
  it('fillna(number, subset) fills only those columns and keeps their types', () =>
    expectSame(
      l.fillna(0, ['v', 'k']),
      `SELECT COALESCE(k, 0) AS k, k2, id, COALESCE(v, 0) AS v, s, big FROM ${fx.sql.l}`,
    ));
  it('fillna(number) fills every numeric column and keeps their types (int64 stays int64)', () =>
    expectSame(
      l.fillna(-1),
      `SELECT COALESCE(k, -1) AS k, k2, id, COALESCE(v, -1) AS v, s, COALESCE(big, -1) AS big FROM ${fx.sql.l}`,
    ));
  it('fillna(2.5) on an int column fills the value cast to int (2), as Spark does', () =>
    expectSame(
      l.select('id', 'k', 'v').fillna(2.5, ['k', 'v']),
      `SELECT id, COALESCE(k, 2) AS k, COALESCE(v, 2.5) AS v FROM ${fx.sql.l}`,
    ));
  it('fillna(string) fills only string columns; a subset narrows it', async () => {
    await expectSame(
      l.fillna('none'),
      `SELECT k, COALESCE(k2, 'none') AS k2, id, v, COALESCE(s, 'none') AS s, big FROM ${fx.sql.l}`,
    );
    await expectSame(
      l.fillna('none', ['s', 'v']),
      `SELECT k, k2, id, v, COALESCE(s, 'none') AS s, big FROM ${fx.sql.l}`,
    );
  });
});

describe('repartition', () => {
  it('repartition(n) and repartition(n, col) keep every row', async () => {
    const all = `SELECT * FROM ${fx.sql.l}`;
    const rr = l.repartition(4);
    expect(await rr.explain()).toMatch(/output=shuffle\(roundrobin.*n=4\)/);
    await expectSame(rr, all);
    const byKey = l.repartition(5, 'k');
    expect(await byKey.explain()).toMatch(/output=shuffle\(hash\[k\], n=5\)/);
    await expectSame(byKey, all);
    await expectSame(
      l.repartition(2, col('k2')).groupBy('k2').count(),
      `SELECT k2, count(*) AS count FROM ${fx.sql.l} GROUP BY k2`,
    );
  });
});

describe('column edits', () => {
  it('withColumn replaces an existing column in place and appends a new one', () =>
    expectSame(
      l.withColumn('v', col('v').multiply(2)).withColumn('w', col('id').plus(col('k'))),
      `SELECT k, k2, id, v * 2 AS v, s, big, id + k AS w FROM ${fx.sql.l}`,
    ));
  it('withColumn names the column by its argument, not by an alias on the expression', () =>
    expectSame(
      l.select('id').withColumn('x', col('id').plus(1).alias('zzz')),
      `SELECT id, id + 1 AS x FROM ${fx.sql.l}`,
    ));
  it('a column copied under a second name comes back intact (select and withColumn)', async () => {
    await expectSame(l.select('id', col('id').alias('x')), `SELECT id, id AS x FROM ${fx.sql.l}`);
    await expectSame(l.select('id').withColumn('x', col('id')), `SELECT id, id AS x FROM ${fx.sql.l}`);
  });
  it('withColumnRenamed renames in place; a missing name is a no-op', () =>
    expectSame(
      l.withColumnRenamed('v', 'value').withColumnRenamed('nope', 'x'),
      `SELECT k, k2, id, v AS value, s, big FROM ${fx.sql.l}`,
    ));
  it('drop removes columns; missing names are ignored', () =>
    expectSame(l.drop('v', 's', 'nope'), `SELECT k, k2, id, big FROM ${fx.sql.l}`));
  it("cast changes a column's type in place", () =>
    expectSame(
      l
        .withColumn('k', col('k').cast('float64'))
        .withColumn('id', col('id').cast('string'))
        .select('k', 'id', col('big').cast('int32').alias('b32'), col('v').cast('int64').alias('v64')),
      // Spark truncates doubles toward zero when casting to integers; DuckDB rounds, hence trunc.
      `SELECT k::DOUBLE AS k, id::VARCHAR AS id, big::INTEGER AS b32, trunc(v)::BIGINT AS v64 FROM ${fx.sql.l}`,
    ));
});

describe('limit, count, take, head', () => {
  it('limit(0) returns no rows but keeps the schema', async () => {
    for (const df of [l.limit(0), l.orderBy('v').limit(0), l.groupBy('k').count().limit(0)]) {
      const t = await df.collect();
      expect(t.numRows).toBe(0);
      expect(t.schema.fields.length).toBeGreaterThan(0);
    }
    expect(typedRows(await l.limit(0).collect()).columns).toEqual(L_COLS);
  });
  it('limit(n) without an order returns n input rows', async () => {
    const got = typedRows(await l.limit(13).collect());
    expect(got.rows).toHaveLength(13);
    const input = new Set((await fx.query(`SELECT * FROM ${fx.sql.l}`)).rows.map((row) => JSON.stringify(row)));
    for (const row of got.rows) expect(input.has(JSON.stringify(row))).toBe(true);
  });
  it('count() of full, filtered, empty and aggregated results', async () => {
    expect(await l.count()).toBe(60);
    expect(await l.filter(col('v').gt(0)).count()).toBe(
      Number((await fx.query(`SELECT count(*) FROM ${fx.sql.l} WHERE v > 0`)).rows[0]![0]),
    );
    expect(await l.filter(col('id').lt(0)).count()).toBe(0);
    expect(await l.filter(col('id').lt(0)).groupBy('k').count().count()).toBe(0);
    expect(await l.groupBy('k').count().count()).toBe(10);
    expect(await l.select('k').distinct().count()).toBe(10);
    expect(await l.orderBy('v').count()).toBe(60);
    expect(await l.select('k', 'k2').union(r.select('k', 'k2')).count()).toBe(100);
  });
  it('take(n) and head(n) return plain rows in order', async () => {
    const expected = (await fx.query(`SELECT * FROM ${fx.sql.l} ORDER BY id LIMIT 3`)).rows.map((row) =>
      Object.fromEntries(L_COLS.map((c, i) => [c, row[i]])),
    );
    const sorted = l.orderBy('id');
    expect(await sorted.take(3)).toEqual(expected);
    expect(await sorted.head(3)).toEqual(expected);
    expect(await sorted.head()).toEqual(expected.slice(0, 1));
    expect(await l.filter(col('id').lt(0)).take(5)).toEqual([]);
  });
});

describe('aggregation', () => {
  it('a global aggregate over empty input is one row: count 0, the others NULL', () =>
    expectSame(
      l
        .filter(col('id').lt(0))
        .agg(
          count().alias('n'),
          count('v').alias('nv'),
          sum('v').alias('sv'),
          sum('k').alias('sk'),
          avg('v').alias('av'),
          min('s').alias('mn'),
          max('big').alias('mx'),
        ),
      `SELECT count(*) AS n, count(v) AS nv, sum(v) AS sv, sum(k)::BIGINT AS sk, avg(v) AS av, min(s) AS mn, max(big) AS mx FROM ${fx.sql.l} WHERE id < 0`,
    ));
  it('a grouped aggregate over empty input has no rows', () =>
    expectSame(
      l.filter(col('id').lt(0)).groupBy('k').agg(sum('v').alias('sv')),
      `SELECT k, sum(v) AS sv FROM ${fx.sql.l} WHERE id < 0 GROUP BY k`,
    ));
  it('groupBy a computed key, aggregating expressions', () =>
    expectSame(
      l
        .groupBy(col('id').mod(4).alias('bucket'))
        .agg(
          sum(col('v').multiply(2)).alias('s2'),
          count('v').alias('nv'),
          max(col('v').plus(col('k'))).alias('m'),
          avg(col('big')).alias('ab'),
        ),
      `SELECT id % 4 AS bucket, sum(v * 2) AS s2, count(v) AS nv, max(v + k) AS m, avg(big) AS ab FROM ${fx.sql.l} GROUP BY id % 4`,
    ));
  it('an expression over aggregates', () =>
    expectSame(
      l.groupBy('k2').agg(sum('v').divide(count('v')).alias('mean'), max('id').minus(min('id')).alias('span')),
      `SELECT k2, sum(v) / count(v) AS mean, max(id) - min(id) AS span FROM ${fx.sql.l} GROUP BY k2`,
    ));
  it('filter after aggregation (HAVING), on aggregates and on keys', async () => {
    const grouped = l.groupBy('k').agg(count().alias('n'), avg('v').alias('av'));
    await expectSame(
      grouped.filter(col('n').geq(6).and(col('av').lt(0.7))),
      `SELECT k, count(*) AS n, avg(v) AS av FROM ${fx.sql.l} GROUP BY k HAVING count(*) >= 6 AND avg(v) < 0.7`,
    );
    await expectSame(
      grouped.filter(col('k').gt(3).or(col('n').equalTo(5))),
      `SELECT k, count(*) AS n, avg(v) AS av FROM ${fx.sql.l} GROUP BY k HAVING k > 3 OR count(*) = 5`,
    );
  });
});

describe('plan-time errors', () => {
  /** The promise rejects with a schema error whose code, column and message are as given. */
  async function expectSchemaError(
    p: Promise<unknown>,
    code: string,
    column: string,
    mentions: readonly string[],
  ): Promise<Error> {
    const err = await p.then(
      () => null,
      (e: unknown) => e as Error & { code?: string; category?: string; details?: Record<string, unknown> },
    );
    expect(err, 'expected an error').not.toBeNull();
    expect(err).toMatchObject({ category: 'schema', code, details: expect.objectContaining({ column }) });
    expect(err!.message).toContain(`'${column}'`);
    for (const m of mentions) expect(err!.message).toContain(`'${m}'`);
    return err!;
  }

  it('an unknown column in select names it and the valid columns', async () => {
    const err = await expectSchemaError(l.select('id', 'nope').collect(), 'COLUMN_NOT_FOUND', 'nope', L_COLS);
    expect((err as unknown as { details: { validColumns: string[] } }).details.validColumns).toEqual(L_COLS);
  });
  it('an unknown column in filter names it and the valid columns', () =>
    expectSchemaError(l.filter(col('nope').gt(1)).collect(), 'COLUMN_NOT_FOUND', 'nope', L_COLS));
  it('an unknown column in a join condition names it and the columns of both sides', () =>
    expectSchemaError(
      l.join(r.withColumnRenamed('k', 'rk'), col('k').equalTo(col('nope'))).collect(),
      'COLUMN_NOT_FOUND',
      'nope',
      ['k', 'rk', 'rid'],
    ));
  it('a using-join on a name the right side lacks names that column, not an internal one', async () => {
    const err = await expectSchemaError(l.join(r.select('rid', 'w'), 'k').collect(), 'COLUMN_NOT_FOUND', 'k', [
      'rid',
      'w',
    ]);
    expect(err.message).not.toContain('__right_');
  });
  it('a column both join sides have is ambiguous when referenced after the join', async () => {
    const joined = l
      .select('id', 'v')
      .join(r.select('rid', col('w').alias('v')), col('id').equalTo(col('rid').minus(100)));
    await expectSchemaError(joined.select('v').collect(), 'AMBIGUOUS_COLUMN', 'v', []);
    await expectSchemaError(joined.filter(col('v').gt(0)).collect(), 'AMBIGUOUS_COLUMN', 'v', []);
  });
  it('union of inputs with different column counts is a schema error', async () => {
    const err = await l
      .select('id')
      .union(r.select('rid', 'k'))
      .collect()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ category: 'schema', code: 'UNION_ARITY' });
  });
  it('unionByName with a column missing on one side names it', () =>
    expectSchemaError(l.select('id', 'k').unionByName(r.select('rid', 'k')).collect(), 'COLUMN_NOT_FOUND', 'id', [
      'rid',
      'k',
    ]));
});
