/** TPC-H Q5: local supplier volume. */
import { col, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q5(t: Tables) {
  const region = t.region().filter(col('r_name').equalTo('ASIA'));
  const orders = t.orders().filter(
    col('o_orderdate')
      .geq(date('1994-01-01'))
      .and(col('o_orderdate').lt(date('1995-01-01'))),
  );
  return region
    .join(t.nation(), col('r_regionkey').equalTo(col('n_regionkey')))
    .join(t.customer(), col('n_nationkey').equalTo(col('c_nationkey')))
    .join(orders, col('c_custkey').equalTo(col('o_custkey')))
    .join(t.lineitem(), col('l_orderkey').equalTo(col('o_orderkey')))
    .join(
      t.supplier(),
      col('l_suppkey')
        .equalTo(col('s_suppkey'))
        .and(col('c_nationkey').equalTo(col('s_nationkey'))),
    )
    .groupBy('n_name')
    .agg(sum(col('l_extendedprice').multiply(lit(1).minus(col('l_discount')))).alias('revenue'))
    .orderBy(col('revenue').desc());
}
