/** TPC-H Q7: volume shipping (nation joined twice, renamed for the supplier and customer sides). */
import { col, date, lit, sum, year } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q7(t: Tables) {
  const suppNation = t.nation().select(col('n_nationkey').alias('supp_nationkey'), col('n_name').alias('supp_nation'));
  const custNation = t.nation().select(col('n_nationkey').alias('cust_nationkey'), col('n_name').alias('cust_nation'));
  const lineitem = t.lineitem().filter(col('l_shipdate').between(date('1995-01-01'), date('1996-12-31')));
  const pair = (a: string, b: string) => col('supp_nation').equalTo(a).and(col('cust_nation').equalTo(b));
  return t
    .supplier()
    .join(lineitem, col('s_suppkey').equalTo(col('l_suppkey')))
    .join(t.orders(), col('o_orderkey').equalTo(col('l_orderkey')))
    .join(t.customer(), col('c_custkey').equalTo(col('o_custkey')))
    .join(suppNation, col('s_nationkey').equalTo(col('supp_nationkey')))
    .join(custNation, col('c_nationkey').equalTo(col('cust_nationkey')))
    .filter(pair('FRANCE', 'GERMANY').or(pair('GERMANY', 'FRANCE')))
    .select(
      'supp_nation',
      'cust_nation',
      year('l_shipdate').alias('l_year'),
      col('l_extendedprice')
        .multiply(lit(1).minus(col('l_discount')))
        .alias('volume'),
    )
    .groupBy('supp_nation', 'cust_nation', 'l_year')
    .agg(sum('volume').alias('revenue'))
    .orderBy('supp_nation', 'cust_nation', 'l_year');
}
