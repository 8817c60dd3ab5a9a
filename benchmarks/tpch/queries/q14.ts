/** TPC-H Q14: promotion effect. */
import { col, date, lit, sum, when } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q14(t: Tables) {
  const volume = col('l_extendedprice').multiply(lit(1).minus(col('l_discount')));
  return t
    .lineitem()
    .filter(
      col('l_shipdate')
        .geq(date('1995-09-01'))
        .and(col('l_shipdate').lt(date('1995-10-01'))),
    )
    .join(t.part(), col('l_partkey').equalTo(col('p_partkey')))
    .agg(
      lit(100.0)
        .multiply(sum(when(col('p_type').like('PROMO%'), volume).otherwise(0)))
        .divide(sum(volume))
        .alias('promo_revenue'),
    );
}
