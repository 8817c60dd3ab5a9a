/** TPC-H Q19: discounted revenue (a disjunction of three brand/container/size/quantity groups). */
import { col, lit, sum } from '../../../src/index.js';
import type { Tables } from './tables.js';

function group(brand: string, containers: readonly string[], minQty: number, maxQty: number, maxSize: number) {
  return col('p_brand')
    .equalTo(brand)
    .and(col('p_container').isin(...containers))
    .and(col('l_quantity').geq(minQty))
    .and(col('l_quantity').leq(maxQty))
    .and(col('p_size').between(1, maxSize))
    .and(col('l_shipmode').isin('AIR', 'AIR REG'))
    .and(col('l_shipinstruct').equalTo('DELIVER IN PERSON'));
}

export default function q19(t: Tables) {
  return t
    .lineitem()
    .join(t.part(), col('p_partkey').equalTo(col('l_partkey')))
    .filter(
      group('Brand#12', ['SM CASE', 'SM BOX', 'SM PACK', 'SM PKG'], 1, 11, 5)
        .or(group('Brand#23', ['MED BAG', 'MED BOX', 'MED PKG', 'MED PACK'], 10, 20, 10))
        .or(group('Brand#34', ['LG CASE', 'LG BOX', 'LG PACK', 'LG PKG'], 20, 30, 15)),
    )
    .agg(sum(col('l_extendedprice').multiply(lit(1).minus(col('l_discount')))).alias('revenue'));
}
