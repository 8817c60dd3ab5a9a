/** TPC-H Q10: returned item reporting. */
import { col, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q10(t: Tables) {
  const orders = t.orders().filter(
    col('o_orderdate')
      .geq(date('1993-10-01'))
      .and(col('o_orderdate').lt(date('1994-01-01'))),
  );
  return t
    .customer()
    .join(orders, col('c_custkey').equalTo(col('o_custkey')))
    .join(t.lineitem().filter(col('l_returnflag').equalTo('R')), col('l_orderkey').equalTo(col('o_orderkey')))
    .join(t.nation(), col('c_nationkey').equalTo(col('n_nationkey')))
    .groupBy('c_custkey', 'c_name', 'c_acctbal', 'c_phone', 'n_name', 'c_address', 'c_comment')
    .agg(sum(col('l_extendedprice').multiply(lit(1).minus(col('l_discount')))).alias('revenue'))
    .select('c_custkey', 'c_name', 'revenue', 'c_acctbal', 'n_name', 'c_address', 'c_phone', 'c_comment')
    .orderBy(col('revenue').desc())
    .limit(20);
}
