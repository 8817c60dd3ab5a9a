/**
 * TPC-H Q22: global sales opportunity. The scalar AVG is a one-row aggregate cross-joined to
 * the customers; NOT EXISTS over their orders is an anti join.
 */
import { avg, col, count, substring, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

const CODES = ['13', '31', '23', '29', '30', '18', '17'];

export default function q22(t: Tables) {
  const customers = t
    .customer()
    .withColumn('cntrycode', substring('c_phone', 1, 2))
    .filter(col('cntrycode').isin(...CODES));
  const avgBalance = customers.filter(col('c_acctbal').gt(0.0)).agg(avg('c_acctbal').alias('avg_acctbal'));
  return customers
    .crossJoin(avgBalance)
    .filter(col('c_acctbal').gt(col('avg_acctbal')))
    .join(t.orders(), col('c_custkey').equalTo(col('o_custkey')), 'left_anti')
    .groupBy('cntrycode')
    .agg(count('*').alias('numcust'), sum('c_acctbal').alias('totacctbal'))
    .orderBy('cntrycode');
}
