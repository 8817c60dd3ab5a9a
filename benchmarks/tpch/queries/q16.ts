/** TPC-H Q16: parts/supplier relationship (NOT IN over complained-about suppliers as an anti join). */
import { col, countDistinct } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q16(t: Tables) {
  const part = t.part().filter(
    col('p_brand')
      .notEqual('Brand#45')
      .and(col('p_type').like('MEDIUM POLISHED%').not())
      .and(col('p_size').isin(49, 14, 23, 45, 19, 3, 36, 9)),
  );
  const complained = t.supplier().filter(col('s_comment').like('%Customer%Complaints%')).select('s_suppkey');
  return t
    .partsupp()
    .join(part, col('p_partkey').equalTo(col('ps_partkey')))
    .join(complained, col('ps_suppkey').equalTo(col('s_suppkey')), 'left_anti')
    .groupBy('p_brand', 'p_type', 'p_size')
    .agg(countDistinct('ps_suppkey').alias('supplier_cnt'))
    .orderBy(col('supplier_cnt').desc(), 'p_brand', 'p_type', 'p_size');
}
