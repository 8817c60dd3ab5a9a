/** TPC-H Q8: national market share (nation joined twice: customer region and supplier nation). */
import { col, date, lit, sum, when, year } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q8(t: Tables) {
  const custNation = t
    .nation()
    .select(col('n_nationkey').alias('cust_nationkey'), col('n_regionkey').alias('cust_regionkey'));
  const suppNation = t.nation().select(col('n_nationkey').alias('supp_nationkey'), col('n_name').alias('nation'));
  const orders = t.orders().filter(col('o_orderdate').between(date('1995-01-01'), date('1996-12-31')));
  return t
    .part()
    .filter(col('p_type').equalTo('ECONOMY ANODIZED STEEL'))
    .join(t.lineitem(), col('p_partkey').equalTo(col('l_partkey')))
    .join(t.supplier(), col('s_suppkey').equalTo(col('l_suppkey')))
    .join(orders, col('l_orderkey').equalTo(col('o_orderkey')))
    .join(t.customer(), col('o_custkey').equalTo(col('c_custkey')))
    .join(custNation, col('c_nationkey').equalTo(col('cust_nationkey')))
    .join(t.region().filter(col('r_name').equalTo('AMERICA')), col('cust_regionkey').equalTo(col('r_regionkey')))
    .join(suppNation, col('s_nationkey').equalTo(col('supp_nationkey')))
    .select(
      year('o_orderdate').alias('o_year'),
      col('l_extendedprice')
        .multiply(lit(1).minus(col('l_discount')))
        .alias('volume'),
      'nation',
    )
    .groupBy('o_year')
    .agg(
      sum(when(col('nation').equalTo('BRAZIL'), col('volume')).otherwise(0))
        .divide(sum('volume'))
        .alias('mkt_share'),
    )
    .orderBy('o_year');
}
