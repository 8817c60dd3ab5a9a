/**
 * TPC-H Q11: important stock identification. The scalar subquery (a fraction of Germany's
 * total stock value) is a one-row aggregate cross-joined to the per-part values.
 */
import { col, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q11(t: Tables) {
  const german = t
    .partsupp()
    .join(t.supplier(), col('ps_suppkey').equalTo(col('s_suppkey')))
    .join(t.nation().filter(col('n_name').equalTo('GERMANY')), col('s_nationkey').equalTo(col('n_nationkey')));
  const stockValue = col('ps_supplycost').multiply(col('ps_availqty'));
  const threshold = german.agg(sum(stockValue).multiply(0.0001).alias('threshold'));
  return german
    .groupBy('ps_partkey')
    .agg(sum(stockValue).alias('value'))
    .crossJoin(threshold)
    .filter(col('value').gt(col('threshold')))
    .select('ps_partkey', 'value')
    .orderBy(col('value').desc());
}
