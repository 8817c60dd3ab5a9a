/** TPC-H Q18: large volume customers (the IN subquery as a semi join on big orders). */
import { col, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q18(t: Tables) {
  const bigOrders = t
    .lineitem()
    .groupBy('l_orderkey')
    .agg(sum('l_quantity').alias('sum_qty'))
    .filter(col('sum_qty').gt(300))
    .select(col('l_orderkey').alias('big_orderkey'));
  return t
    .customer()
    .join(t.orders(), col('c_custkey').equalTo(col('o_custkey')))
    .join(bigOrders, col('o_orderkey').equalTo(col('big_orderkey')), 'left_semi')
    .join(t.lineitem(), col('o_orderkey').equalTo(col('l_orderkey')))
    .groupBy('c_name', 'c_custkey', 'o_orderkey', 'o_orderdate', 'o_totalprice')
    .agg(sum('l_quantity').alias('sum(l_quantity)'))
    .orderBy(col('o_totalprice').desc(), 'o_orderdate')
    .limit(100);
}
