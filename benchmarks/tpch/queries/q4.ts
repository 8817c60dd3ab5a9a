/** TPC-H Q4: order priority checking (EXISTS as a semi join on late line items). */
import { col, count, date } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q4(t: Tables) {
  const late = t.lineitem().filter(col('l_commitdate').lt(col('l_receiptdate')));
  return t
    .orders()
    .filter(
      col('o_orderdate')
        .geq(date('1993-07-01'))
        .and(col('o_orderdate').lt(date('1993-10-01'))),
    )
    .join(late, col('o_orderkey').equalTo(col('l_orderkey')), 'left_semi')
    .groupBy('o_orderpriority')
    .agg(count('*').alias('order_count'))
    .orderBy('o_orderpriority');
}
