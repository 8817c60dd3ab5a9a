/**
 * TPC-H Q21: suppliers who kept orders waiting. EXISTS / NOT EXISTS over other suppliers'
 * line items of the same order are a semi and an anti join on renamed lineitem copies, each
 * with the residual condition `l2.l_suppkey <> l1.l_suppkey`.
 */
import { col, count } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q21(t: Tables) {
  const isLate = col('l_receiptdate').gt(col('l_commitdate'));
  const l1 = t.lineitem().filter(isLate);
  const l2 = t.lineitem().select(col('l_orderkey').alias('l2_orderkey'), col('l_suppkey').alias('l2_suppkey'));
  const l3 = t
    .lineitem()
    .filter(isLate)
    .select(col('l_orderkey').alias('l3_orderkey'), col('l_suppkey').alias('l3_suppkey'));
  return t
    .supplier()
    .join(t.nation().filter(col('n_name').equalTo('SAUDI ARABIA')), col('s_nationkey').equalTo(col('n_nationkey')))
    .join(l1, col('s_suppkey').equalTo(col('l_suppkey')))
    .join(t.orders().filter(col('o_orderstatus').equalTo('F')), col('o_orderkey').equalTo(col('l_orderkey')))
    .join(
      l2,
      col('l2_orderkey')
        .equalTo(col('l_orderkey'))
        .and(col('l2_suppkey').notEqual(col('l_suppkey'))),
      'left_semi',
    )
    .join(
      l3,
      col('l3_orderkey')
        .equalTo(col('l_orderkey'))
        .and(col('l3_suppkey').notEqual(col('l_suppkey'))),
      'left_anti',
    )
    .groupBy('s_name')
    .agg(count('*').alias('numwait'))
    .orderBy(col('numwait').desc(), 's_name')
    .limit(100);
}
