/**
 * TPC-H Q2: minimum cost supplier. The correlated MIN subquery becomes a join with the
 * per-part minimum supply cost over European suppliers.
 */
import { col, min } from '../../../src/index.js';
import type { Tables } from './tables.js';

export default function q2(t: Tables) {
  const europeanOffers = t
    .region()
    .filter(col('r_name').equalTo('EUROPE'))
    .join(t.nation(), col('r_regionkey').equalTo(col('n_regionkey')))
    .join(t.supplier(), col('n_nationkey').equalTo(col('s_nationkey')))
    .join(t.partsupp(), col('s_suppkey').equalTo(col('ps_suppkey')));
  const minCost = europeanOffers
    .groupBy(col('ps_partkey').alias('min_partkey'))
    .agg(min('ps_supplycost').alias('min_supplycost'));
  return t
    .part()
    .filter(col('p_size').equalTo(15).and(col('p_type').like('%BRASS')))
    .join(europeanOffers, col('p_partkey').equalTo(col('ps_partkey')))
    .join(
      minCost,
      col('p_partkey')
        .equalTo(col('min_partkey'))
        .and(col('ps_supplycost').equalTo(col('min_supplycost'))),
    )
    .select('s_acctbal', 's_name', 'n_name', 'p_partkey', 'p_mfgr', 's_address', 's_phone', 's_comment')
    .orderBy(col('s_acctbal').desc(), 'n_name', 's_name', 'p_partkey')
    .limit(100);
}
