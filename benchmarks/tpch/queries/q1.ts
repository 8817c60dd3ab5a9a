/** TPC-H Q1: pricing summary report. */
import { avg, col, count, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q1(t: Tables) {
  const discPrice = col('l_extendedprice').multiply(lit(1).minus(col('l_discount')));
  return t
    .lineitem()
    .filter(col('l_shipdate').leq(date('1998-09-02')))
    .groupBy('l_returnflag', 'l_linestatus')
    .agg(
      sum('l_quantity').alias('sum_qty'),
      sum('l_extendedprice').alias('sum_base_price'),
      sum(discPrice).alias('sum_disc_price'),
      sum(discPrice.multiply(lit(1).plus(col('l_tax')))).alias('sum_charge'),
      avg('l_quantity').alias('avg_qty'),
      avg('l_extendedprice').alias('avg_price'),
      avg('l_discount').alias('avg_disc'),
      count('*').alias('count_order'),
    )
    .orderBy('l_returnflag', 'l_linestatus');
}
