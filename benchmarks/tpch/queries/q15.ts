/**
 * TPC-H Q15: top supplier. The view is a DataFrame used twice; the scalar MAX subquery is a
 * one-row aggregate cross-joined to it.
 */
import { col, date, lit, max, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q15(t: Tables) {
  const revenue0 = t
    .lineitem()
    .filter(
      col('l_shipdate')
        .geq(date('1996-01-01'))
        .and(col('l_shipdate').lt(date('1996-04-01'))),
    )
    .groupBy(col('l_suppkey').alias('supplier_no'))
    .agg(sum(col('l_extendedprice').multiply(lit(1).minus(col('l_discount')))).alias('total_revenue'));
  const top = revenue0.agg(max('total_revenue').alias('max_revenue'));
  return t
    .supplier()
    .join(revenue0, col('s_suppkey').equalTo(col('supplier_no')))
    .crossJoin(top)
    .filter(col('total_revenue').equalTo(col('max_revenue')))
    .select('s_suppkey', 's_name', 's_address', 's_phone', 'total_revenue')
    .orderBy('s_suppkey');
}
