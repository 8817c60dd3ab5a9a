/**
 * TPC-H constants and closed-form rules (specification clause 4.2): cardinalities per scale
 * factor, the date window, sparse order keys, part retail prices and the part→supplier mapping
 * shared by PARTSUPP and LINEITEM.
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (Arrow Date32) of a UTC calendar date. */
function epochDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export const START_DATE = epochDay(1992, 1, 1);
const END_DATE = epochDay(1998, 12, 31);
/** "Today" of the data set: decides l_returnflag and l_linestatus. */
export const CURRENT_DATE = epochDay(1995, 6, 17);
/** Last order date: END_DATE - 151 days, so every line ships and arrives by END_DATE. */
export const LAST_ORDER_DATE = END_DATE - 151;

/** Rows per table at a scale factor (LINEITEM varies: 1–7 per order, ~4 on average). */
export interface Cardinalities {
  readonly region: number;
  readonly nation: number;
  readonly supplier: number;
  readonly customer: number;
  readonly part: number;
  readonly partsupp: number;
  readonly orders: number;
  /** Distinct o_clerk values. */
  readonly clerks: number;
}

function scaled(sf: number, base: number): number {
  return Math.max(1, Math.round(sf * base));
}

export function cardinalities(sf: number): Cardinalities {
  const part = scaled(sf, 200_000);
  return {
    region: 5,
    nation: 25,
    supplier: scaled(sf, 10_000),
    customer: scaled(sf, 150_000),
    part,
    partsupp: part * 4,
    orders: scaled(sf, 1_500_000),
    clerks: Math.max(1000, scaled(sf, 1000)),
  };
}

/**
 * The i-th order (1-based) gets a sparse key: only the first 8 of every 32 keys are used, so
 * o_orderkey runs up to 4 × the order count (as in dbgen).
 */
export function sparseOrderKey(i: number): number {
  return Math.floor(i / 8) * 32 + (i % 8);
}

/** Largest scale factor whose keys still fit the INT32 key columns. */
export const MAX_SF = Math.floor(((2 ** 31 - 1) / 4 / 1_500_000) * 100) / 100;

/** p_retailprice in cents: (90000 + ((key / 10) mod 20001) + 100 × (key mod 1000)) / 100. */
export function retailPriceCents(partkey: number): number {
  return 90_000 + (Math.floor(partkey / 10) % 20_001) + 100 * (partkey % 1000);
}

/** The `i`-th (0..3) supplier of a part: ps_suppkey, and l_suppkey for a line of that part. */
export function partSupplier(partkey: number, i: number, suppliers: number): number {
  return ((partkey + i * (Math.floor(suppliers / 4) + Math.floor((partkey - 1) / suppliers))) % suppliers) + 1;
}
