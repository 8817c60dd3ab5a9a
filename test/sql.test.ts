/**
 * SQL beyond TPC-H: errors that name the construct, table or column (and the position), small
 * features against DuckDB on whole results, and the conveniences on the same translator —
 * expr(), selectExpr(), filter('…'), columns / dtypes, GroupedData shortcuts and agg({ x: 'sum' }).
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataFrame, expr, session, type Session, sum } from '../src/index.js';
import { TPCH_TABLES } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
const table = (name: string): DataFrame => s.read.parquet(path.join(SF01, name));
beforeAll(() => {
  s = session({ store: tempDir(), executors: 2, progress: false });
  for (const t of TPCH_TABLES) table(t).createOrReplaceTempView(t);
});
afterAll(async () => {
  await s.stop();
  await closeDuckdbOracles();
});

async function sqlError(text: string): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await s.sql(text);
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error(`expected ${text} to fail`);
}

describe('sql() errors name the thing at fault', () => {
  it('unknown table lists the views', async () => {
    const e = await sqlError('select x from nosuch');
    expect(e.code).toBe('SQL_UNKNOWN_TABLE');
    expect(e.message).toContain("'nosuch'");
    expect(e.message).toContain("'lineitem'");
  });
  it('unknown column, plain and qualified, lists the columns in scope', async () => {
    const e = await sqlError('select n_name from nation where n_nope = 1');
    expect(e.code).toBe('SQL_UNKNOWN_COLUMN');
    expect(e.message).toContain("'n_nope'");
    expect(e.message).toContain("'n_regionkey'");
    const q = await sqlError('select n.n_nope from nation n');
    expect(q.code).toBe('SQL_UNKNOWN_COLUMN');
    expect(q.message).toContain("'n.n_nope'");
    const t = await sqlError('select x.n_name from nation n');
    expect(t.code).toBe('SQL_UNKNOWN_TABLE');
    expect(t.message).toContain("'x'");
  });
  it('ambiguous column names both tables', async () => {
    const e = await sqlError('select n_name from nation a, nation b where a.n_nationkey = b.n_nationkey');
    expect(e.code).toBe('SQL_AMBIGUOUS_COLUMN');
    expect(e.message).toMatch(/'a', 'b'/);
  });
  it('syntax errors give line and column', async () => {
    const e = await sqlError('select n_name\nfrom nation\nwhere n_name = = 1');
    expect(e.code).toBe('SQL_PARSE');
    expect(e.details.line).toBe(3);
    expect(e.message).toMatch(/line 3, column \d+/);
  });
  it('unsupported constructs are named', async () => {
    const cases: [string, RegExp][] = [
      ['select n_name from nation union select r_name from region', /set operation UNION/],
      [
        'select sum(n_nationkey) over (order by n_name rows between 1 preceding and current row) from nation',
        /window frame clause/,
      ],
      ['select n_name from nation limit 5 offset 2', /LIMIT with OFFSET/],
      ['select n_name from nation where exists (select * from region)', /uncorrelated EXISTS/],
      [
        'select distinct n_name from nation order by n_nationkey + 1',
        /ORDER BY an expression not in the select list of a SELECT DISTINCT/,
      ],
      ['select mystery(n_name) from nation', /function mystery\(\)/],
      ['insert into nation values (1)', /INSERT/],
    ];
    for (const [text, re] of cases) {
      const e = await sqlError(text);
      expect(e.code, text).toBe('SQL_UNSUPPORTED');
      expect(e.message, text).toMatch(re);
    }
  });
  it('a column outside GROUP BY and aggregates is named', async () => {
    const e = await sqlError('select n_name, count(*) from nation group by n_regionkey');
    expect(e.code).toBe('SQL_NOT_GROUPED');
    expect(e.message).toContain("'n_name'");
  });
  it('an IN subquery must return one column', async () => {
    const e = await sqlError('select n_name from nation where n_regionkey in (select r_regionkey, r_name from region)');
    expect(e.code).toBe('SQL_BAD_SUBQUERY');
  });
  it('expr() errors give the column in the expression text', () => {
    expect(() => expr('a + + * 2')).toThrow(/syntax error in expression "a \+ \+ \* 2" at column \d+/);
    expect(() => expr('a, b')).toThrow(/expected one expression, got 2/);
    expect(() => table('nation').groupBy('n_regionkey').agg({ n_nationkey: 'no_such_agg' })).toThrow(
      /unknown aggregate 'no_such_agg' for column 'n_nationkey'/,
    );
    expect(() => table('nation').groupBy('n_regionkey').sum()).toThrow(/sum\(\) needs at least one column/);
  });
});

/** Run `text` through session.sql and through DuckDB; compare whole results. */
async function sameAsDuckdb(text: string, ordered: boolean): Promise<void> {
  const [t, expected] = await Promise.all([(await s.sql(text)).collect(), duckdbQuery(text, SF01)]);
  expectSameResults(rowsFromArrow(t), expected, { ordered, relTol: 1e-9 });
}

describe('SQL features against DuckDB', () => {
  it('CTE, JOIN … ON, simple CASE, ||, BETWEEN, ORDER BY position, LIMIT', async () => {
    await sameAsDuckdb(
      `with r as (select r_regionkey, r_name from region)
       select n_name || '-' || r_name as nr, case n_regionkey when 0 then 'zero' else 'other' end as z
       from nation join r on n_regionkey = r_regionkey
       where n_nationkey between 3 and 20 order by 1 limit 7`,
      true,
    );
  });
  it('DISTINCT, DESC, grouped HAVING on an aggregate, IN / NOT EXISTS subqueries', async () => {
    await sameAsDuckdb('select distinct n_regionkey from nation order by n_regionkey desc', true);
    await sameAsDuckdb(
      `select c_nationkey, count(*) as n, max(c_acctbal) as top from customer
       group by c_nationkey having count(*) > 600 order by n desc, c_nationkey`,
      true,
    );
    await sameAsDuckdb(
      `select n_name from nation
       where n_regionkey in (select r_regionkey from region where r_name like 'A%')
       and not exists (select * from supplier where s_nationkey = n_nationkey and s_acctbal > 9900)
       order by n_name`,
      true,
    );
  });
  it('AND binds tighter than OR (the parser gives them one precedence; we re-associate)', async () => {
    await sameAsDuckdb(
      'select n_name from nation where n_regionkey = 1 or n_regionkey = 2 and n_nationkey > 20 or n_nationkey = 0',
      false,
    );
    await sameAsDuckdb(
      'select n_nationkey, n_regionkey = 1 or n_regionkey = 2 and n_nationkey > 8 as b from nation',
      false,
    );
  });
  it('NOT IN (subquery) with NULLs on either side, and over an empty subquery, as SQL', async () => {
    const nullable = 'case when n_nationkey < 3 then null else n_nationkey end';
    for (const sub of [
      'select r_regionkey from region where r_regionkey > 2',
      'select case when r_regionkey = 0 then null else r_regionkey end from region',
      'select r_regionkey from region where r_regionkey > 100',
    ]) {
      await sameAsDuckdb(`select n_nationkey from nation where n_regionkey not in (${sub})`, false);
      await sameAsDuckdb(`select n_nationkey from nation where ${nullable} not in (${sub})`, false);
    }
  });
  it('GROUP BY position and select alias', async () => {
    await sameAsDuckdb(
      'select substring(c_phone, 1, 2) as cc, c_mktsegment, count(*) as n from customer group by 1, c_mktsegment order by 1, 2',
      true,
    );
    await sameAsDuckdb('select n_regionkey * 10 as r10, count(*) as n from nation group by r10 order by r10', true);
  });
  it('ORDER BY expressions and columns outside the select list, grouped or not', async () => {
    await sameAsDuckdb('select n_name from nation n order by n.n_regionkey desc, n_nationkey % 7, 1 limit 12', true);
    await sameAsDuckdb(
      'select n_regionkey as r from nation group by n_regionkey order by count(*) desc, max(n_name) limit 3',
      true,
    );
  });
  it('window functions OVER (PARTITION BY … ORDER BY …)', async () => {
    await sameAsDuckdb(
      `select n_name, row_number() over (partition by n_regionkey order by n_name) as rn,
         rank() over (order by n_regionkey) as rk,
         lag(n_name, 1, 'none') over (partition by n_regionkey order by n_nationkey) as prev,
         sum(n_nationkey) over (partition by n_regionkey) as tot
       from nation`,
      false,
    );
  });
  it('decimal literals are exact decimals', async () => {
    await sameAsDuckdb(
      'select c_custkey, c_acctbal * 0.0001 as a, c_acctbal + 0.005 as b from customer where c_custkey < 50',
      false,
    );
  });
  it('LEFT JOIN keeps unmatched rows (nulls), IS NULL, coalesce', async () => {
    await sameAsDuckdb(
      `select n.n_name, s.s_suppkey, coalesce(s.s_name, 'none') as who, s.s_phone is null as missing
       from nation n left join supplier s on s.s_nationkey = n.n_nationkey and s.s_acctbal > 9950`,
      false,
    );
  });
});

describe('expr, selectExpr, filter text, columns, dtypes, GroupedData shortcuts, agg dict', () => {
  it('selectExpr and filter(text) build the same plan as the Column DSL', async () => {
    const text = table('nation')
      .selectExpr('n_nationkey * 2 as k2', 'upper(n_name) as u')
      .filter("k2 > 10 and u like '%A%' or k2 = 0");
    const [t, expected] = await Promise.all([
      text.collect(),
      duckdbQuery(
        "select * from (select n_nationkey * 2 as k2, upper(n_name) as u from nation) where k2 > 10 and u like '%A%' or k2 = 0",
        SF01,
      ),
    ]);
    expectSameResults(rowsFromArrow(t), expected, { ordered: false });
  });
  it('columns and dtypes', async () => {
    expect(await table('region').columns).toEqual(['r_regionkey', 'r_name', 'r_comment']);
    const dtypes = await table('region').dtypes;
    expect(dtypes.map((d) => d[0])).toEqual(['r_regionkey', 'r_name', 'r_comment']);
    expect(dtypes[1]![1]).toBe('string');
  });
  it("groupBy shortcuts and agg({ x: 'sum' }) name columns as Spark", async () => {
    const g = () => table('customer').groupBy('c_nationkey');
    const cases: [DataFrame, string][] = [
      [g().sum('c_acctbal', 'c_custkey'), 'sum(c_acctbal) as "sum(c_acctbal)", sum(c_custkey) as "sum(c_custkey)"'],
      [g().avg('c_acctbal'), 'avg(c_acctbal) as "avg(c_acctbal)"'],
      [g().min('c_acctbal'), 'min(c_acctbal) as "min(c_acctbal)"'],
      [g().max('c_acctbal'), 'max(c_acctbal) as "max(c_acctbal)"'],
      [
        g().agg({ c_acctbal: 'sum', c_custkey: 'count' }),
        'sum(c_acctbal) as "sum(c_acctbal)", count(c_custkey) as "count(c_custkey)"',
      ],
      [
        g().agg(expr('count(distinct c_mktsegment) as segs'), sum('c_acctbal').alias('total')),
        'count(distinct c_mktsegment) as segs, sum(c_acctbal) as total',
      ],
    ];
    for (const [df, aggs] of cases) {
      const [t, expected] = await Promise.all([
        df.collect(),
        duckdbQuery(`select c_nationkey, ${aggs} from customer group by c_nationkey`, SF01),
      ]);
      expectSameResults(rowsFromArrow(t), expected, { ordered: false, relTol: 1e-9 });
    }
    const whole = table('customer').agg({ c_acctbal: 'max' });
    const [t, expected] = await Promise.all([
      whole.collect(),
      duckdbQuery('select max(c_acctbal) as "max(c_acctbal)" from customer', SF01),
    ]);
    expectSameResults(rowsFromArrow(t), expected, { ordered: false });
  });
});
