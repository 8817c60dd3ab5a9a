/** TPC-H Q12: shipping modes and order priority. */
import { col, date, sum, when } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q12(t: Tables) {
  const lineitem = t.lineitem().filter(
    col('l_shipmode')
      .isin('MAIL', 'SHIP')
      .and(col('l_commitdate').lt(col('l_receiptdate')))
      .and(col('l_shipdate').lt(col('l_commitdate')))
      .and(col('l_receiptdate').geq(date('1994-01-01')))
      .and(col('l_receiptdate').lt(date('1995-01-01'))),
  );
  const high = col('o_orderpriority').equalTo('1-URGENT').or(col('o_orderpriority').equalTo('2-HIGH'));
  return t
    .orders()
    .join(lineitem, col('o_orderkey').equalTo(col('l_orderkey')))
    .groupBy('l_shipmode')
    .agg(
      sum(when(high, 1).otherwise(0)).alias('high_line_count'),
      sum(when(high, 0).otherwise(1)).alias('low_line_count'),
    )
    .orderBy('l_shipmode');
}
