/**
 * NULL semantics against DuckDB as the oracle: three-valued logic, filters keep only TRUE,
 * comparisons and arithmetic with NULL, IS [NOT] NULL, coalesce, and aggregates over NULLs
 * (count(col) vs count(*), all-NULL groups, NULL group keys). Null join keys are tested with
 * the joins.
 */
import { describe, it } from 'vitest';
import {
  abs,
  avg,
  coalesce,
  col,
  concat,
  count,
  countDistinct,
  isnotnull,
  isnull,
  lit,
  max,
  min,
  not,
  round,
  sum,
  upper,
  when,
  year,
  type Column,
} from '../src/index.js';
import { expectSameResults } from './support/compare.js';
import {
  expectSameTyped,
  typedRowsFromArrow,
  useExpressionFixture,
  type ExpressionCase as Case,
} from './support/fixtures.js';

const fx = useExpressionFixture('nulls');
const { check, checkFilter } = fx;

describe('three-valued logic', () => {
  it('AND / OR / NOT over all nine pairs of TRUE, FALSE, NULL', () =>
    check([
      ['and', col('b').and(col('b2')), 'b AND b2'],
      ['or', col('b').or(col('b2')), 'b OR b2'],
      ['not_b', col('b').not(), 'NOT b'],
      ['not_fn', not(col('b2')), 'NOT b2'],
      ['and_t', col('b').and(true), 'b AND true'],
      ['and_f', col('b').and(false), 'b AND false'],
      ['and_n', col('b').and(lit(null)), 'b AND NULL'],
      ['or_t', col('b').or(true), 'b OR true'],
      ['or_f', col('b').or(false), 'b OR false'],
      ['or_n', col('b').or(lit(null)), 'b OR NULL'],
      ['n_and', lit(null).and(col('b2')), 'NULL AND b2'],
      ['n_or_n', lit(null).or(lit(null)), 'NULL::BOOLEAN OR NULL::BOOLEAN'],
      ['not_n', lit(null).not(), 'NOT NULL::BOOLEAN'],
      [
        'nested',
        col('b')
          .and(col('b2').or(col('i').gt(0)))
          .or(not(col('b'))),
        '(b AND (b2 OR i > 0)) OR NOT b',
      ],
      ['cmp_and', col('i').gt(0).and(col('d').lt(1)), 'i > 0 AND d < 1'],
    ]));

  it('filters keep only rows where the condition is TRUE', async () => {
    await checkFilter(col('b').and(col('b2')), 'b AND b2');
    await checkFilter(col('b').or(col('b2')), 'b OR b2');
    await checkFilter(not(col('b')), 'NOT b');
    await checkFilter(col('i').gt(col('j')).or(col('s').equalTo('abc')), "i > j OR s = 'abc'");
    await checkFilter(not(col('i').equalTo(col('j'))), 'NOT (i = j)');
    await checkFilter(col('i').isin(1, 5, null), 'i IN (1, 5, NULL)');
    await checkFilter(not(col('i').isin(1, 5, null)), 'NOT (i IN (1, 5, NULL))');
    await checkFilter(col('i').equalTo(lit(null)), 'i = NULL');
    await checkFilter(lit(null).and(col('b')).isNull(), '(NULL AND b) IS NULL');
  });
});

describe('comparisons and arithmetic with NULL', () => {
  it('comparisons with NULL are NULL; eqNullSafe is never NULL', () =>
    check([
      ['eq_null', col('i').equalTo(lit(null)), 'i = NULL'],
      ['null_eq', lit(null).equalTo(col('i')), 'NULL = i'],
      ['s_lt_null', col('s').lt(lit(null)), 's < NULL'],
      ['null_gt_s', lit(null).gt(col('s')), 'NULL > s'],
      ['dt_ne_null', col('dt').notEqual(lit(null)), 'dt <> NULL'],
      ['i_eq_j', col('i').equalTo(col('j')), 'i = j'],
      ['ns_ij', col('i').eqNullSafe(col('j')), 'i IS NOT DISTINCT FROM j'],
      ['ns_st', col('s').eqNullSafe(col('t')), 's IS NOT DISTINCT FROM t'],
      ['ns_null', col('d').eqNullSafe(lit(null)), 'd IS NOT DISTINCT FROM NULL'],
      ['in_null', col('i').isin(lit(null)), 'i IN (NULL)'],
      ['btw_null', col('i').between(lit(null), 10), 'i BETWEEN NULL AND 10'],
    ]));

  it('isNull / isNotNull on every type', () =>
    check([
      ['i_n', col('i').isNull(), 'i IS NULL'],
      ['l_nn', col('l').isNotNull(), 'l IS NOT NULL'],
      ['d_n', isnull('d'), 'd IS NULL'],
      ['s_n', isnull(col('s')), 's IS NULL'],
      ['t_nn', isnotnull('t'), 't IS NOT NULL'],
      ['dt_n', col('dt').isNull(), 'dt IS NULL'],
      ['b_n', col('b').isNull(), 'b IS NULL'],
      ['expr_n', col('i').plus(col('j')).isNull(), '(i::BIGINT + j) IS NULL'],
      ['div_n', col('i').divide(col('j')).isNull(), 'j = 0 OR (i / j) IS NULL'],
      ['lit_n', lit(null).isNull(), 'true'],
      ['lit_nn', lit(1).isNotNull(), 'true'],
    ]));

  it('NULL in arithmetic, functions and casts gives NULL', () =>
    check([
      ['i_plus_n', col('i').plus(lit(null)), 'i + NULL'],
      ['n_times_d', lit(null).multiply(col('d')), 'NULL * d'],
      ['n_div', lit(null).divide(col('i')), 'NULL::DOUBLE / i'],
      ['i_mod_n', col('i').mod(lit(null)), 'i % NULL'],
      ['neg_n', lit(null).negate(), 'NULL::VARCHAR'],
      ['abs_n', abs(lit(null)), 'NULL::DOUBLE'],
      ['round_n', round(lit(null), 2), 'NULL::DOUBLE'],
      ['year_n', year(lit(null)), 'NULL::INTEGER'],
      ['upper_n', upper(lit(null)), 'NULL::VARCHAR'],
      ['concat_n', concat(col('s'), lit(null)), 'NULL::VARCHAR'],
      ['cast_n', lit(null).cast('int32'), 'NULL::INTEGER'],
      ['cast_nd', lit(null).cast('date'), 'NULL::DATE'],
      ['sum_ijd', col('i').plus(col('j')).multiply(col('d')), '(wrap32(i::BIGINT + j) * d)'],
      ['dt_plus', col('dt').plus(col('j')), 'dt + j'],
    ]));

  it('coalesce and when with NULLs', () =>
    check([
      ['c1', coalesce(col('i'), lit(null), col('j')), 'coalesce(i, NULL, j)'],
      ['c2', coalesce(lit(null), lit(null)), 'NULL::VARCHAR'],
      ['c3', coalesce(col('b'), lit(false)), 'coalesce(b, false)'],
      ['c4', coalesce(col('d'), col('e'), lit(-1)), 'coalesce(d, e, -1)'],
      ['c5', coalesce(col('s'), lit('')), "coalesce(s, '')"],
      ['w_nullcond', when(lit(null), 1).otherwise(2), '2'],
      ['w_true', when(lit(true), col('i')).otherwise(col('j')), 'i'],
      ['w_false', when(lit(false), col('i')), 'NULL::INTEGER'],
      ['w_b', when(col('b'), 'yes').when(not(col('b')), 'no'), "CASE WHEN b THEN 'yes' WHEN NOT b THEN 'no' END"],
      ['w_null_then', when(col('b'), lit(null)).otherwise(col('d')), 'CASE WHEN b THEN NULL ELSE d END'],
    ]));
});

describe('NaN is not NULL', () => {
  it('IS NULL, coalesce and count treat NaN as a value', async () => {
    await check([
      ['f_n', col('f').isNull(), 'f IS NULL'],
      ['f_c', coalesce(col('f'), lit(-1)), 'coalesce(f, -1)'],
      ['f_w', when(col('f').gt(0), 1).otherwise(0), 'CASE WHEN f > 0 THEN 1 ELSE 0 END'],
    ]);
    await checkFilter(col('f').geq(0), 'f >= 0');
  });
});

describe('aggregates over NULLs', () => {
  /** Group by the given keys in both engines; `aggs` pairs Stratus aggregates with SQL. */
  async function checkAgg(keys: readonly string[], aggs: readonly Case[], where?: [Column, string]): Promise<void> {
    const input = where ? fx.frame().filter(where[0]) : fx.frame();
    const stratusAggs = aggs.map(([name, c]) => c.alias(name));
    const result = keys.length ? input.groupBy(...keys).agg(...stratusAggs) : input.agg(...stratusAggs);
    const actual = typedRowsFromArrow(await result.collect());
    const select = [...keys, ...aggs.map(([name, , sql]) => `${sql} AS ${name}`)].join(', ');
    const expected = await fx.query(
      `SELECT ${select} FROM ${fx.table}${where ? ` WHERE ${where[1]}` : ''}${keys.length ? ` GROUP BY ${keys.join(', ')}` : ''}`,
    );
    expectSameTyped(actual, expected);
  }

  // Spark's sum of ints is a bigint (DuckDB: HUGEINT), hence the casts.
  const AGGS: Case[] = [
    ['n', count(), 'count(*)'],
    ['n_i', count('i'), 'count(i)'],
    ['n_s', count(col('s')), 'count(s)'],
    ['sum_i', sum('i'), 'sum(i)::BIGINT'],
    ['sum_l', sum('l'), 'sum(l)::BIGINT'],
    ['sum_d', sum('d'), 'sum(d)'],
    ['avg_i', avg('i'), 'avg(i)'],
    ['avg_d', avg('d'), 'avg(d)'],
    ['min_i', min('i'), 'min(i)'],
    ['max_d', max('d'), 'max(d)'],
    ['min_s', min('s'), 'min(s)'],
    ['max_s', max('s'), 'max(s)'],
    ['min_dt', min('dt'), 'min(dt)'],
    ['max_dt', max('dt'), 'max(dt)'],
    ['nd_s', countDistinct('s'), 'count(DISTINCT s)'],
  ];

  it('count(col) skips NULLs, count(*) does not; an all-NULL group aggregates to NULL (count 0); a NULL key is its own group', () =>
    checkAgg(['g'], AGGS));

  it('two keys with NULLs group NULLs together', () =>
    checkAgg(
      ['g', 'b'],
      [
        ['n', count(), 'count(*)'],
        ['n_j', count('j'), 'count(j)'],
        ['sum_j', sum('j'), 'sum(j)::BIGINT'],
        ['max_t', max('t'), 'max(t)'],
      ],
    ));

  it('global aggregates, over all rows and over no rows', async () => {
    await checkAgg([], AGGS);
    await checkAgg([], AGGS, [col('id').lt(0), 'id < 0']);
    await checkAgg([], AGGS, [col('g').equalTo('allnull'), "g = 'allnull'"]);
  });

  // NaN is a value (Spark): the largest number, equal to itself as a group key.
  it('NaN is a value for aggregates: it sums to NaN and is the largest', () =>
    checkAgg(
      ['g'],
      [
        ['sum_f', sum('f'), 'sum(f)'],
        ['max_f', max('f'), 'max(f)'],
        ['min_f', min('f'), 'min(f)'],
        ['avg_f', avg('f'), 'avg(f)'],
      ],
    ));

  it('min / max of strings use code point order', () =>
    checkAgg(
      [],
      [
        ['min_t', min('t'), 'min(t)'],
        ['max_t', max('t'), 'max(t)'],
      ],
    ));

  it('NaN group keys form one group', () =>
    checkAgg(
      ['f'],
      [
        ['n', count(), 'count(*)'],
        ['n_f', count('f'), 'count(f)'],
      ],
    ));

  it('aggregates of expressions that are NULL on some rows', () =>
    checkAgg(
      ['g'],
      [
        ['sum_ij', sum(col('i').plus(col('j'))), 'sum(wrap32(i::BIGINT + j))::BIGINT'],
        ['n_div', count(col('i').divide(col('j'))), 'count(sdiv(i, j))'],
        ['avg_div', avg(col('i').divide(col('j'))), 'avg(sdiv(i, j))'],
        ['max_w', max(when(col('b'), col('d'))), 'max(CASE WHEN b THEN d END)'],
        ['sum_c', sum(coalesce(col('i'), lit(0))), 'sum(coalesce(i, 0))::BIGINT'],
      ],
    ));
});

describe('ordering with NULLs', () => {
  it('ascending puts NULLs first, descending last (Spark defaults)', async () => {
    const asc = rowsOf(await fx.frame().orderBy(col('i').asc(), col('id')).select('id', 'i').collect());
    expectSameResults(asc, await fx.query(`SELECT id, i FROM ${fx.table} ORDER BY i ASC NULLS FIRST, id`), {
      ordered: true,
    });
    const desc = rowsOf(await fx.frame().orderBy(col('s').desc(), col('id')).select('id', 's').collect());
    expectSameResults(desc, await fx.query(`SELECT id, s FROM ${fx.table} ORDER BY s DESC NULLS LAST, id`), {
      ordered: true,
    });
  });
});

const rowsOf = typedRowsFromArrow;
