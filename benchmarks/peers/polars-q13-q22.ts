/**
 * TPC-H Q13–Q17 and Q19–Q22 in nodejs-polars' lazy API (Q18 is with the core six in
 * polars-queries.ts). Correlated subqueries become group-by + join; EXISTS / IN become semi
 * joins, NOT EXISTS / NOT IN anti joins; scalar subqueries a one-row frame joined with `cross`.
 */
import pl from 'nodejs-polars';
import { between, col, d, discPrice, lit, sortedBy, sqlSum, type PolarsQuery } from './polars-queries.js';

const q13: PolarsQuery = (t) =>
  t.customer
    .join(t.orders.filter(col('o_comment').str.contains('special.*requests').not()), {
      leftOn: 'c_custkey',
      rightOn: 'o_custkey',
      how: 'left',
    })
    .groupBy('c_custkey')
    .agg(col('o_orderkey').count().alias('c_count'))
    .groupBy('c_count')
    .agg(pl.len().alias('custdist'))
    .select(sortedBy(['custdist', 'c_count'], [true, true]));

const q14: PolarsQuery = (t) =>
  t.lineitem
    .filter(
      col('l_shipdate')
        .gtEq(d('1995-09-01'))
        .and(col('l_shipdate').lt(d('1995-10-01'))),
    )
    .join(t.part, { leftOn: 'l_partkey', rightOn: 'p_partkey' })
    .select(
      lit(100)
        .mul(sqlSum(pl.when(col('p_type').str.startsWith('PROMO')).then(discPrice()).otherwise(lit(0))))
        .div(sqlSum(discPrice()))
        .alias('promo_revenue'),
    );

const q15: PolarsQuery = (t) => {
  const revenue = t.lineitem
    .filter(
      col('l_shipdate')
        .gtEq(d('1996-01-01'))
        .and(col('l_shipdate').lt(d('1996-04-01'))),
    )
    .groupBy('l_suppkey')
    .agg(discPrice().sum().alias('total_revenue'));
  return t.supplier
    .join(revenue, { leftOn: 's_suppkey', rightOn: 'l_suppkey' })
    .filter(col('total_revenue').eq(col('total_revenue').max()))
    .select('s_suppkey', 's_name', 's_address', 's_phone', 'total_revenue')
    .sort('s_suppkey');
};

const q16: PolarsQuery = (t) => {
  const complaints = t.supplier.filter(col('s_comment').str.contains('Customer.*Complaints')).select('s_suppkey');
  return t.part
    .filter(
      col('p_brand')
        .neq(lit('Brand#45'))
        .and(col('p_type').str.startsWith('MEDIUM POLISHED').not())
        .and(col('p_size').isIn([49, 14, 23, 45, 19, 3, 36, 9])),
    )
    .join(t.partsupp, { leftOn: 'p_partkey', rightOn: 'ps_partkey' })
    .join(complaints, { leftOn: 'ps_suppkey', rightOn: 's_suppkey', how: 'anti' })
    .groupBy(['p_brand', 'p_type', 'p_size'])
    .agg(col('ps_suppkey').nUnique().alias('supplier_cnt'))
    .select(sortedBy(['supplier_cnt', 'p_brand', 'p_type', 'p_size'], [true, false, false, false]));
};

const q17: PolarsQuery = (t) => {
  const lines = t.part
    .filter(
      col('p_brand')
        .eq(lit('Brand#23'))
        .and(col('p_container').eq(lit('MED BOX'))),
    )
    .join(t.lineitem, { leftOn: 'p_partkey', rightOn: 'l_partkey' });
  const limit = lines.groupBy('p_partkey').agg(col('l_quantity').mean().mul(0.2).alias('limit'));
  return lines
    .join(limit, { on: 'p_partkey' })
    .filter(col('l_quantity').lt(col('limit')))
    .select(sqlSum(col('l_extendedprice')).div(7.0).alias('avg_yearly'));
};

const q19: PolarsQuery = (t) => {
  const branch = (brand: string, containers: string[], qLo: number, qHi: number, sizeHi: number) =>
    col('p_brand')
      .eq(lit(brand))
      .and(col('p_container').isIn(containers))
      .and(between('l_quantity', qLo, qHi))
      .and(between('p_size', 1, sizeHi));
  return t.lineitem
    .filter(
      col('l_shipmode')
        .isIn(['AIR', 'AIR REG'])
        .and(col('l_shipinstruct').eq(lit('DELIVER IN PERSON'))),
    )
    .join(t.part, { leftOn: 'l_partkey', rightOn: 'p_partkey' })
    .filter(
      branch('Brand#12', ['SM CASE', 'SM BOX', 'SM PACK', 'SM PKG'], 1, 11, 5)
        .or(branch('Brand#23', ['MED BAG', 'MED BOX', 'MED PKG', 'MED PACK'], 10, 20, 10))
        .or(branch('Brand#34', ['LG CASE', 'LG BOX', 'LG PACK', 'LG PKG'], 20, 30, 15)),
    )
    .select(sqlSum(discPrice()).alias('revenue'));
};

const q20: PolarsQuery = (t) => {
  const shipped = t.lineitem
    .filter(
      col('l_shipdate')
        .gtEq(d('1994-01-01'))
        .and(col('l_shipdate').lt(d('1995-01-01'))),
    )
    .groupBy(['l_partkey', 'l_suppkey'])
    .agg(col('l_quantity').sum().mul(0.5).alias('half_qty'));
  const suppliers = t.partsupp
    .join(t.part.filter(col('p_name').str.startsWith('forest')), {
      leftOn: 'ps_partkey',
      rightOn: 'p_partkey',
      how: 'semi',
    })
    .join(shipped, { leftOn: ['ps_partkey', 'ps_suppkey'], rightOn: ['l_partkey', 'l_suppkey'] })
    .filter(col('ps_availqty').gt(col('half_qty')));
  return t.supplier
    .join(t.nation.filter(col('n_name').eq(lit('CANADA'))), { leftOn: 's_nationkey', rightOn: 'n_nationkey' })
    .join(suppliers, { leftOn: 's_suppkey', rightOn: 'ps_suppkey', how: 'semi' })
    .select('s_name', 's_address')
    .sort('s_name');
};

const q21: PolarsQuery = (t) => {
  const lines = t.lineitem.select('l_orderkey', 'l_suppkey', 'l_receiptdate', 'l_commitdate');
  const late = lines.filter(col('l_receiptdate').gt(col('l_commitdate')));
  // exists another supplier in the order, and no other supplier of the order was late
  const multiSupplier = lines.groupBy('l_orderkey').agg(col('l_suppkey').nUnique().alias('n')).filter(col('n').gt(1));
  const oneLateSupplier = late.groupBy('l_orderkey').agg(col('l_suppkey').nUnique().alias('n')).filter(col('n').eq(1));
  return late
    .join(multiSupplier, { on: 'l_orderkey', how: 'semi' })
    .join(oneLateSupplier, { on: 'l_orderkey', how: 'semi' })
    .join(t.orders.filter(col('o_orderstatus').eq(lit('F'))), {
      leftOn: 'l_orderkey',
      rightOn: 'o_orderkey',
      how: 'semi',
    })
    .join(t.supplier, { leftOn: 'l_suppkey', rightOn: 's_suppkey' })
    .join(t.nation.filter(col('n_name').eq(lit('SAUDI ARABIA'))), {
      leftOn: 's_nationkey',
      rightOn: 'n_nationkey',
      how: 'semi',
    })
    .groupBy('s_name')
    .agg(pl.len().alias('numwait'))
    .select(sortedBy(['numwait', 's_name'], [true, false]))
    .head(100);
};

const q22: PolarsQuery = (t) => {
  const codes = ['13', '31', '23', '29', '30', '18', '17'];
  const customers = t.customer
    .withColumns(col('c_phone').str.slice(0, 2).alias('cntrycode'))
    .filter(col('cntrycode').isIn(codes));
  const average = customers.filter(col('c_acctbal').gt(0)).select(col('c_acctbal').mean().alias('avg_acctbal'));
  return customers
    .join(t.orders, { leftOn: 'c_custkey', rightOn: 'o_custkey', how: 'anti' })
    .join(average, { how: 'cross' })
    .filter(col('c_acctbal').gt(col('avg_acctbal')))
    .groupBy('cntrycode')
    .agg(pl.len().alias('numcust'), col('c_acctbal').sum().alias('totacctbal'))
    .sort('cntrycode');
};

export const POLARS_Q13_Q22: Readonly<Record<number, PolarsQuery>> = {
  13: q13,
  14: q14,
  15: q15,
  16: q16,
  17: q17,
  19: q19,
  20: q20,
  21: q21,
  22: q22,
};
