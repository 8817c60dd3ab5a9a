/**
 * TPC-H Q20: potential part promotion. IN subqueries become semi joins; the correlated SUM
 * becomes a join with quantities shipped per (part, supplier) — an inner join, because a
 * pair with no shipments compares against NULL and is dropped, as in the SQL.
 */
import { col, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q20(t: Tables) {
  const forest = t.part().filter(col('p_name').startsWith('forest')).select('p_partkey');
  const shipped = t
    .lineitem()
    .filter(
      col('l_shipdate')
        .geq(date('1994-01-01'))
        .and(col('l_shipdate').lt(date('1995-01-01'))),
    )
    .groupBy('l_partkey', 'l_suppkey')
    .agg(lit(0.5).multiply(sum('l_quantity')).alias('half_qty'));
  const excess = t
    .partsupp()
    .join(forest, col('ps_partkey').equalTo(col('p_partkey')), 'left_semi')
    .join(
      shipped,
      col('l_partkey')
        .equalTo(col('ps_partkey'))
        .and(col('l_suppkey').equalTo(col('ps_suppkey'))),
    )
    .filter(col('ps_availqty').gt(col('half_qty')))
    .select('ps_suppkey');
  return t
    .supplier()
    .join(excess, col('s_suppkey').equalTo(col('ps_suppkey')), 'left_semi')
    .join(t.nation().filter(col('n_name').equalTo('CANADA')), col('s_nationkey').equalTo(col('n_nationkey')))
    .select('s_name', 's_address')
    .orderBy('s_name');
}
