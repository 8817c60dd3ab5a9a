/** TPC-H Q17: small-quantity-order revenue (the correlated AVG as a join with per-part averages). */
import { avg, col, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q17(t: Tables) {
  const smallQty = t
    .lineitem()
    .groupBy(col('l_partkey').alias('agg_partkey'))
    .agg(lit(0.2).multiply(avg('l_quantity')).alias('small_qty'));
  return t
    .lineitem()
    .join(
      t.part().filter(col('p_brand').equalTo('Brand#23').and(col('p_container').equalTo('MED BOX'))),
      col('p_partkey').equalTo(col('l_partkey')),
    )
    .join(smallQty, col('agg_partkey').equalTo(col('p_partkey')))
    .filter(col('l_quantity').lt(col('small_qty')))
    .agg(sum('l_extendedprice').divide(7.0).alias('avg_yearly'));
}
