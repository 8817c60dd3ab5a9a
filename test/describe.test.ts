/**
 * describe() / summary() against DuckDB: every statistic of every described column of the
 * expression fixture (ints, bigints, doubles with NaN, strings with numbers, text, NULLs), and
 * describe() of TPC-H lineitem's decimal and string columns. Stratus gives strings (Spark's
 * casts); they are read back as numbers and compared with DuckDB's aggregates — exactly for
 * counts, min, max and percentiles, to 1e-12 relative for means and standard deviations.
 */
import { describe, expect, it } from 'vitest';
import { col, count, type DataFrame } from '../src/index.js';
import { useExpressionFixture } from './support/fixtures.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01 } from './support/tpch.js';

const fx = useExpressionFixture('describe', { executors: 2 });

/** decimal: scale 2, so Spark's mean is decimal(…, 6), rounded HALF_UP. */
type Kind = 'number' | 'decimal' | 'string';
/** DuckDB's answer for one statistic of one column (a double, or a string for string min / max). */
function duckStat(stat: string, c: string, kind: Kind): string {
  // Spark reads strings as doubles for mean / stddev (NULL when not a number).
  const x = kind === 'string' ? `TRY_CAST(trim(${c}) AS DOUBLE)` : `${c}::DOUBLE`;
  const p = /^(\d+)%$/.exec(stat);
  if (p)
    return kind === 'string'
      ? 'NULL'
      : `list_sort(list(${x}))[greatest(ceil(${p[1]} / 100 * count(${c})), 1)::INTEGER]`;
  switch (stat) {
    case 'count':
      return `count(${c})::DOUBLE`;
    case 'mean':
      return kind === 'decimal' ? `round(avg(${c}), 6)::DOUBLE` : `avg(${x})`;
    case 'stddev':
      return `stddev_samp(${x})`;
    case 'min':
    case 'max':
      return kind === 'string' ? `${stat}(${c})` : `${stat}(${c})::DOUBLE`;
    default:
      throw new Error(stat);
  }
}

/** Compare a Stratus summary with DuckDB's statistics of the same columns of `table`. */
async function expectSummary(
  df: DataFrame,
  stats: readonly string[],
  columns: Readonly<Record<string, Kind>>,
  table: string,
  query: (sql: string) => Promise<{ rows: unknown[][] }>,
): Promise<void> {
  const names = Object.keys(columns);
  expect(await df.dtypes).toEqual([['summary', 'string'], ...names.map((n) => [n, 'string'])]);
  const rows = await df.collectRows();
  expect(rows.map((r) => r.summary)).toEqual(stats);
  const sql = `SELECT ${stats.flatMap((st) => names.map((n) => duckStat(st, n, columns[n]!))).join(', ')} FROM ${table}`;
  const expected = (await query(sql)).rows[0]!;
  for (const [i, st] of stats.entries())
    for (const [j, n] of names.entries()) {
      const want = expected[i * names.length + j];
      const got = rows[i]![n];
      const where = `${st} of ${n}: got ${got}, DuckDB ${want}`;
      if (want === null || want === undefined) expect(got, where).toBeNull();
      else if (typeof want === 'string') expect(got, where).toBe(want);
      else if (st === 'mean' || st === 'stddev')
        expect(Math.abs(Number(got) - Number(want)), where).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(Number(want))),
        );
      else expect(Number(got), where).toBe(Number(want));
      if (want !== null && want !== undefined) expect(typeof got, where).toBe('string');
    }
}

describe('describe / summary', () => {
  it('describe(): count, mean, stddev, min, max of every number and string column', async () => {
    const df = fx.frame().drop('f'); // f has NaNs: DuckDB's NaN ordering and averages differ
    const columns = {
      id: 'number',
      i: 'number',
      j: 'number',
      l: 'number',
      d: 'number',
      e: 'number',
      s: 'string',
      t: 'string',
      g: 'string',
    } as const;
    await expectSummary(await df.describe(), ['count', 'mean', 'stddev', 'min', 'max'], columns, fx.table, fx.query);
  });

  it('summary() adds quartiles (numbers only); any statistics in the order asked', async () => {
    const df = fx.frame().select('i', 'l', 'd', 's');
    const columns = { i: 'number', l: 'number', d: 'number', s: 'string' } as const;
    const all = ['count', 'mean', 'stddev', 'min', '25%', '50%', '75%', 'max'];
    await expectSummary(await df.summary(), all, columns, fx.table, fx.query);
    await expectSummary(
      await df.summary('max', '10%', 'count', '99%'),
      ['max', '10%', 'count', '99%'],
      columns,
      fx.table,
      fx.query,
    );
  });

  it("values are Spark's strings: integers plainly, doubles in Spark's form", async () => {
    const rows = await (await fx.frame().describe('i', 'd', 'dt', 'b')).collectRows();
    // Dates and booleans are not described (as Spark).
    expect(Object.keys(rows[0]!)).toEqual(['summary', 'i', 'd']);
    const by = Object.fromEntries(rows.map((r) => [r.summary, r]));
    expect(by.count).toEqual({ summary: 'count', i: '44', d: '44' });
    expect(by.min!.i).toBe('-2147483648');
    expect(by.max!.d).toBe('1.0E10');
  });

  it('describe of lineitem: decimals and strings, against DuckDB', async () => {
    const df = fx.session.read
      .parquet(`${SF01}/lineitem`)
      .select('l_quantity', 'l_extendedprice', 'l_discount', 'l_shipmode');
    const columns = {
      l_quantity: 'decimal',
      l_extendedprice: 'decimal',
      l_discount: 'decimal',
      l_shipmode: 'string',
    } as const;
    await expectSummary(await df.describe(), ['count', 'mean', 'stddev', 'min', 'max'], columns, 'lineitem', (q) =>
      duckdbQuery(q, SF01),
    );
  });

  it('reads the input once: one aggregate of every statistic, reshaped (not one scan per statistic)', async () => {
    const df = fx.session.read.parquet(`${SF01}/lineitem`).select('l_quantity', 'l_discount', 'l_shipmode');
    const scanned = () => {
      const stages = fx.session.lastJobSummary!.stages;
      return {
        rowGroups: stages.reduce((a, st) => a + st.rowGroups, 0),
        scans: stages.filter((st) => st.rowGroups > 0).length,
      };
    };
    await df.agg(count().alias('n')).collect();
    const once = scanned();
    expect(once.rowGroups).toBeGreaterThan(1);
    await (await df.summary()).collect();
    expect(scanned()).toEqual(once);
    await (await df.describe()).collect();
    expect(scanned()).toEqual(once);
  });

  it('refuses unknown statistics and columns, naming them', async () => {
    const df = fx.frame();
    await expect(df.summary('count', 'median')).rejects.toThrow(/unknown statistic 'median'/);
    await expect(df.summary('101%')).rejects.toThrow(/unknown statistic '101%'/);
    await expect(df.describe('nope')).rejects.toMatchObject({ code: 'COLUMN_NOT_FOUND' });
    expect((await (await df.select(col('dt')).describe()).collectRows()).map((r) => Object.keys(r))).toEqual(
      Array(5).fill(['summary']),
    );
  });
});
