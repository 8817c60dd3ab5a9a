/** TPC-H Q3: shipping priority. */
import { col, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q3(t: Tables) {
  const customer = t.customer().filter(col('c_mktsegment').equalTo('BUILDING'));
  const orders = t.orders().filter(col('o_orderdate').lt(date('1995-03-15')));
  const lineitem = t.lineitem().filter(col('l_shipdate').gt(date('1995-03-15')));
  return customer
    .join(orders, col('c_custkey').equalTo(col('o_custkey')))
    .join(lineitem, col('l_orderkey').equalTo(col('o_orderkey')))
    .groupBy('l_orderkey', 'o_orderdate', 'o_shippriority')
    .agg(sum(col('l_extendedprice').multiply(lit(1).minus(col('l_discount')))).alias('revenue'))
    .select('l_orderkey', 'revenue', 'o_orderdate', 'o_shippriority')
    .orderBy(col('revenue').desc(), 'o_orderdate')
    .limit(10);
}
