/**
 * TPC-H Q2, Q4 and Q7–Q11 in nodejs-polars' lazy API (the core six are in polars-queries.ts,
 * Q13–Q22 in polars-q13-q22.ts). Correlated subqueries become group-by + join; EXISTS / IN
 * become semi joins.
 */
import pl from 'nodejs-polars';
import { between, col, d, discPrice, lit, sortedBy, year, type PolarsQuery } from './polars-queries.js';

const q2: PolarsQuery = (t) => {
  const europe = t.nation.join(t.region.filter(col('r_name').eq(lit('EUROPE'))), {
    leftOn: 'n_regionkey',
    rightOn: 'r_regionkey',
  });
  const candidates = t.part
    .filter(col('p_size').eq(15).and(col('p_type').str.endsWith('BRASS')))
    .join(t.partsupp, { leftOn: 'p_partkey', rightOn: 'ps_partkey' })
    .join(t.supplier, { leftOn: 'ps_suppkey', rightOn: 's_suppkey' })
    .join(europe, { leftOn: 's_nationkey', rightOn: 'n_nationkey' });
  const cheapest = candidates.groupBy('p_partkey').agg(col('ps_supplycost').min().alias('min_cost'));
  return candidates
    .join(cheapest, { on: 'p_partkey' })
    .filter(col('ps_supplycost').eq(col('min_cost')))
    .select('s_acctbal', 's_name', 'n_name', 'p_partkey', 'p_mfgr', 's_address', 's_phone', 's_comment')
    .select(sortedBy(['s_acctbal', 'n_name', 's_name', 'p_partkey'], [true, false, false, false]))
    .head(100);
};

const q4: PolarsQuery = (t) =>
  t.orders
    .filter(
      col('o_orderdate')
        .gtEq(d('1993-07-01'))
        .and(col('o_orderdate').lt(d('1993-10-01'))),
    )
    .join(t.lineitem.filter(col('l_commitdate').lt(col('l_receiptdate'))), {
      leftOn: 'o_orderkey',
      rightOn: 'l_orderkey',
      how: 'semi',
    })
    .groupBy('o_orderpriority')
    .agg(pl.len().alias('order_count'))
    .sort('o_orderpriority');

const q7: PolarsQuery = (t) => {
  const nations = t.nation.filter(col('n_name').isIn(['FRANCE', 'GERMANY']));
  const supp = t.supplier
    .join(nations, { leftOn: 's_nationkey', rightOn: 'n_nationkey' })
    .select(col('s_suppkey'), col('n_name').alias('supp_nation'));
  const cust = t.customer
    .join(nations, { leftOn: 'c_nationkey', rightOn: 'n_nationkey' })
    .select(col('c_custkey'), col('n_name').alias('cust_nation'));
  return t.lineitem
    .filter(between('l_shipdate', d('1995-01-01'), d('1996-12-31')))
    .join(supp, { leftOn: 'l_suppkey', rightOn: 's_suppkey' })
    .join(t.orders, { leftOn: 'l_orderkey', rightOn: 'o_orderkey' })
    .join(cust, { leftOn: 'o_custkey', rightOn: 'c_custkey' })
    .filter(col('supp_nation').neq(col('cust_nation')))
    .groupBy([col('supp_nation'), col('cust_nation'), year('l_shipdate').alias('l_year')])
    .agg(discPrice().sum().alias('revenue'))
    .sort(['supp_nation', 'cust_nation', 'l_year']);
};

const q8: PolarsQuery = (t) => {
  const america = t.nation
    .join(t.region.filter(col('r_name').eq(lit('AMERICA'))), { leftOn: 'n_regionkey', rightOn: 'r_regionkey' })
    .select(col('n_nationkey').alias('cust_nationkey'));
  const suppNation = t.nation.select(col('n_nationkey').alias('supp_nationkey'), col('n_name').alias('nation'));
  const volume = discPrice();
  return t.part
    .filter(col('p_type').eq(lit('ECONOMY ANODIZED STEEL')))
    .join(t.lineitem, { leftOn: 'p_partkey', rightOn: 'l_partkey' })
    .join(t.supplier, { leftOn: 'l_suppkey', rightOn: 's_suppkey' })
    .join(t.orders.filter(between('o_orderdate', d('1995-01-01'), d('1996-12-31'))), {
      leftOn: 'l_orderkey',
      rightOn: 'o_orderkey',
    })
    .join(t.customer, { leftOn: 'o_custkey', rightOn: 'c_custkey' })
    .join(america, { leftOn: 'c_nationkey', rightOn: 'cust_nationkey' })
    .join(suppNation, { leftOn: 's_nationkey', rightOn: 'supp_nationkey' })
    .groupBy(year('o_orderdate').alias('o_year'))
    .agg(
      pl
        .when(col('nation').eq(lit('BRAZIL')))
        .then(volume)
        .otherwise(lit(0))
        .sum()
        .div(volume.sum())
        .alias('mkt_share'),
    )
    .sort('o_year');
};

const q9: PolarsQuery = (t) =>
  t.part
    .filter(col('p_name').str.contains('green', true))
    .join(t.partsupp, { leftOn: 'p_partkey', rightOn: 'ps_partkey' })
    .join(t.supplier, { leftOn: 'ps_suppkey', rightOn: 's_suppkey' })
    .join(t.lineitem, { leftOn: ['p_partkey', 'ps_suppkey'], rightOn: ['l_partkey', 'l_suppkey'] })
    .join(t.orders, { leftOn: 'l_orderkey', rightOn: 'o_orderkey' })
    .join(t.nation, { leftOn: 's_nationkey', rightOn: 'n_nationkey' })
    .groupBy([col('n_name').alias('nation'), year('o_orderdate').alias('o_year')])
    .agg(
      discPrice()
        .sub(col('ps_supplycost').mul(col('l_quantity')))
        .sum()
        .alias('sum_profit'),
    )
    .select(sortedBy(['nation', 'o_year'], [false, true]));

const q10: PolarsQuery = (t) =>
  t.customer
    .join(
      t.orders.filter(
        col('o_orderdate')
          .gtEq(d('1993-10-01'))
          .and(col('o_orderdate').lt(d('1994-01-01'))),
      ),
      { leftOn: 'c_custkey', rightOn: 'o_custkey' },
    )
    .join(t.lineitem.filter(col('l_returnflag').eq(lit('R'))), { leftOn: 'o_orderkey', rightOn: 'l_orderkey' })
    .join(t.nation, { leftOn: 'c_nationkey', rightOn: 'n_nationkey' })
    .groupBy(['c_custkey', 'c_name', 'c_acctbal', 'c_phone', 'n_name', 'c_address', 'c_comment'])
    .agg(discPrice().sum().alias('revenue'))
    .select('c_custkey', 'c_name', 'revenue', 'c_acctbal', 'n_name', 'c_address', 'c_phone', 'c_comment')
    .sort({ by: 'revenue', descending: true })
    .head(20);

const q11: PolarsQuery = (t) => {
  const german = t.partsupp
    .join(t.supplier, { leftOn: 'ps_suppkey', rightOn: 's_suppkey' })
    .join(t.nation.filter(col('n_name').eq(lit('GERMANY'))), { leftOn: 's_nationkey', rightOn: 'n_nationkey' })
    .withColumns(col('ps_supplycost').mul(col('ps_availqty')).alias('v'));
  const threshold = german.select(col('v').sum().mul(0.0001).alias('threshold'));
  return german
    .groupBy('ps_partkey')
    .agg(col('v').sum().alias('value'))
    .join(threshold, { how: 'cross' })
    .filter(col('value').gt(col('threshold')))
    .select('ps_partkey', 'value')
    .sort({ by: 'value', descending: true });
};

export const POLARS_Q02_Q11: Readonly<Record<number, PolarsQuery>> = {
  2: q2,
  4: q4,
  7: q7,
  8: q8,
  9: q9,
  10: q10,
  11: q11,
};
