/**
 * TPC-H in nodejs-polars' lazy API, written after the spec SQL in benchmarks/tpch/sql (same
 * substitution parameters, same output column names and order). This file holds the shared
 * helpers and Q1, Q3, Q5, Q6, Q12, Q18; polars-q02-q11.ts and polars-q13-q22.ts hold the rest.
 *
 * @example
 * const df = await POLARS_CORE[6]!(tables).collect();
 */
import pl from 'nodejs-polars';

export type LazyFrame = pl.LazyDataFrame;
export type PolarsTables = Readonly<
  Record<'region' | 'nation' | 'supplier' | 'customer' | 'part' | 'partsupp' | 'orders' | 'lineitem', LazyFrame>
>;
export type PolarsQuery = (t: PolarsTables) => LazyFrame;

export const col = pl.col;
export const lit = pl.lit;

/** A Date literal (days), so comparisons with Date columns need no cast. */
export function d(iso: string): pl.Expr {
  return pl.lit(new Date(`${iso}T00:00:00Z`)).cast(pl.Date);
}

/** lo <= c <= hi, like SQL's BETWEEN. */
export function between(c: string, lo: pl.Expr | number, hi: pl.Expr | number): pl.Expr {
  return col(c).gtEq(lo).and(col(c).ltEq(hi));
}

/** The year of a Date column, like SQL's extract(year from c). */
export function year(c: string): pl.Expr {
  return col(c).dt.year();
}

/**
 * ORDER BY with a direction per key, as a selection: `frame.select(sortedBy(keys, directions))`.
 * nodejs-polars 0.24's LazyFrame.sort cannot take a list of directions (its binding expects one
 * bool: "Failed to convert napi value into rust type `bool`"); an expression sort can.
 * @example frame.select(sortedBy(['revenue', 'o_orderdate'], [true, false])).head(10)
 */
export function sortedBy(by: readonly string[], descending: readonly boolean[]): pl.Expr {
  return pl.all().sortBy([...by], [...descending]);
}

/** sum(e) with SQL's semantics: NULL over no rows (Polars gives 0). */
export function sqlSum(e: pl.Expr): pl.Expr {
  return pl.when(pl.len().gt(0)).then(e.sum()).otherwise(lit(null));
}

/** l_extendedprice * (1 - l_discount) */
export function discPrice(): pl.Expr {
  return col('l_extendedprice').mul(lit(1).sub(col('l_discount')));
}

const q1: PolarsQuery = (t) =>
  t.lineitem
    .filter(col('l_shipdate').ltEq(d('1998-09-02')))
    .groupBy(['l_returnflag', 'l_linestatus'])
    .agg(
      col('l_quantity').sum().alias('sum_qty'),
      col('l_extendedprice').sum().alias('sum_base_price'),
      discPrice().sum().alias('sum_disc_price'),
      discPrice()
        .mul(lit(1).add(col('l_tax')))
        .sum()
        .alias('sum_charge'),
      col('l_quantity').mean().alias('avg_qty'),
      col('l_extendedprice').mean().alias('avg_price'),
      col('l_discount').mean().alias('avg_disc'),
      pl.len().alias('count_order'),
    )
    .sort(['l_returnflag', 'l_linestatus']);

const q3: PolarsQuery = (t) =>
  t.customer
    .filter(col('c_mktsegment').eq(lit('BUILDING')))
    .join(t.orders.filter(col('o_orderdate').lt(d('1995-03-15'))), { leftOn: 'c_custkey', rightOn: 'o_custkey' })
    .join(t.lineitem.filter(col('l_shipdate').gt(d('1995-03-15'))), { leftOn: 'o_orderkey', rightOn: 'l_orderkey' })
    .groupBy(['o_orderkey', 'o_orderdate', 'o_shippriority'])
    .agg(discPrice().sum().alias('revenue'))
    .select(col('o_orderkey').alias('l_orderkey'), col('revenue'), col('o_orderdate'), col('o_shippriority'))
    .select(sortedBy(['revenue', 'o_orderdate'], [true, false]))
    .head(10);

const q5: PolarsQuery = (t) =>
  t.region
    .filter(col('r_name').eq(lit('ASIA')))
    .join(t.nation, { leftOn: 'r_regionkey', rightOn: 'n_regionkey' })
    .join(t.customer, { leftOn: 'n_nationkey', rightOn: 'c_nationkey' })
    .join(
      t.orders.filter(
        col('o_orderdate')
          .gtEq(d('1994-01-01'))
          .and(col('o_orderdate').lt(d('1995-01-01'))),
      ),
      { leftOn: 'c_custkey', rightOn: 'o_custkey' },
    )
    .join(t.lineitem, { leftOn: 'o_orderkey', rightOn: 'l_orderkey' })
    .join(t.supplier, { leftOn: ['l_suppkey', 'n_nationkey'], rightOn: ['s_suppkey', 's_nationkey'] })
    .groupBy('n_name')
    .agg(discPrice().sum().alias('revenue'))
    .sort({ by: 'revenue', descending: true });

const q6: PolarsQuery = (t) =>
  t.lineitem
    .filter(
      col('l_shipdate')
        .gtEq(d('1994-01-01'))
        .and(col('l_shipdate').lt(d('1995-01-01')))
        .and(col('l_discount').gtEq(0.05))
        .and(col('l_discount').ltEq(0.07))
        .and(col('l_quantity').lt(24)),
    )
    .select(col('l_extendedprice').mul(col('l_discount')).sum().alias('revenue'));

const q12: PolarsQuery = (t) => {
  const high = col('o_orderpriority')
    .eq(lit('1-URGENT'))
    .or(col('o_orderpriority').eq(lit('2-HIGH')));
  return t.orders
    .join(
      t.lineitem.filter(
        col('l_shipmode')
          .isIn(['MAIL', 'SHIP'])
          .and(col('l_commitdate').lt(col('l_receiptdate')))
          .and(col('l_shipdate').lt(col('l_commitdate')))
          .and(col('l_receiptdate').gtEq(d('1994-01-01')))
          .and(col('l_receiptdate').lt(d('1995-01-01'))),
      ),
      { leftOn: 'o_orderkey', rightOn: 'l_orderkey' },
    )
    .groupBy('l_shipmode')
    .agg(
      pl.when(high).then(lit(1)).otherwise(lit(0)).sum().alias('high_line_count'),
      pl.when(high).then(lit(0)).otherwise(lit(1)).sum().alias('low_line_count'),
    )
    .sort('l_shipmode');
};

const q18: PolarsQuery = (t) => {
  const big = t.lineitem.groupBy('l_orderkey').agg(col('l_quantity').sum().alias('total')).filter(col('total').gt(300));
  return t.orders
    .join(big, { leftOn: 'o_orderkey', rightOn: 'l_orderkey', how: 'semi' })
    .join(t.lineitem, { leftOn: 'o_orderkey', rightOn: 'l_orderkey' })
    .join(t.customer, { leftOn: 'o_custkey', rightOn: 'c_custkey' })
    .groupBy(['c_name', 'o_custkey', 'o_orderkey', 'o_orderdate', 'o_totalprice'])
    .agg(col('l_quantity').sum().alias('sum(l_quantity)'))
    .select(
      col('c_name'),
      col('o_custkey').alias('c_custkey'),
      col('o_orderkey'),
      col('o_orderdate'),
      col('o_totalprice'),
      col('sum(l_quantity)'),
    )
    .select(sortedBy(['o_totalprice', 'o_orderdate'], [true, false]))
    .head(100);
};

/** The six queries the brief asks for first. */
export const POLARS_CORE: Readonly<Record<number, PolarsQuery>> = { 1: q1, 3: q3, 5: q5, 6: q6, 12: q12, 18: q18 };
