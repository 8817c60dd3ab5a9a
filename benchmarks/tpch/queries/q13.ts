/**
 * TPC-H Q13: customer distribution. The NOT LIKE stays in the outer join's condition, so
 * customers whose only orders are "special requests" still count with zero orders.
 */
import { col, count } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q13(t: Tables) {
  return t
    .customer()
    .join(
      t.orders(),
      col('c_custkey').equalTo(col('o_custkey')).and(col('o_comment').like('%special%requests%').not()),
      'left',
    )
    .groupBy('c_custkey')
    .agg(count('o_orderkey').alias('c_count'))
    .groupBy('c_count')
    .agg(count('*').alias('custdist'))
    .orderBy(col('custdist').desc(), col('c_count').desc());
}
