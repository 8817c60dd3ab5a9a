/** TPC-H Q6: forecasting revenue change. 0.06 ± 0.01 is folded exactly by the optimizer. */
import { col, date, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q6(t: Tables) {
  return t
    .lineitem()
    .filter(
      col('l_shipdate')
        .geq(date('1994-01-01'))
        .and(col('l_shipdate').lt(date('1995-01-01')))
        .and(col('l_discount').between(lit(0.06).minus(0.01), lit(0.06).plus(0.01)))
        .and(col('l_quantity').lt(24)),
    )
    .agg(sum(col('l_extendedprice').multiply(col('l_discount'))).alias('revenue'));
}
