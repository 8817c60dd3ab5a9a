/** TPC-H Q9: product type profit measure. */
import { col, lit, sum, year } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q9(t: Tables) {
  return t
    .part()
    .filter(col('p_name').like('%green%'))
    .join(t.lineitem(), col('p_partkey').equalTo(col('l_partkey')))
    .join(t.supplier(), col('s_suppkey').equalTo(col('l_suppkey')))
    .join(
      t.partsupp(),
      col('ps_suppkey')
        .equalTo(col('l_suppkey'))
        .and(col('ps_partkey').equalTo(col('l_partkey'))),
    )
    .join(t.orders(), col('o_orderkey').equalTo(col('l_orderkey')))
    .join(t.nation(), col('s_nationkey').equalTo(col('n_nationkey')))
    .select(
      col('n_name').alias('nation'),
      year('o_orderdate').alias('o_year'),
      col('l_extendedprice')
        .multiply(lit(1).minus(col('l_discount')))
        .minus(col('ps_supplycost').multiply(col('l_quantity')))
        .alias('amount'),
    )
    .groupBy('nation', 'o_year')
    .agg(sum('amount').alias('sum_profit'))
    .orderBy('nation', col('o_year').desc());
}
