/**
 * Arrow schemas of the eight TPC-H tables, in the column order of the official files: keys and
 * small integers INT32, dates DATE (Date32), text UTF8, and money and quantities DECIMAL(15,2) as
 * dbgen and DuckDB's tpch extension write them (Parquet INT64 with the DECIMAL annotation). The
 * official SF 0.1 files beside the repository (../shared/data) hold those columns as DOUBLE;
 * `money: 'double'` (DOUBLE_SCHEMAS) generates that variant.
 * Fields are nullable (Parquet OPTIONAL) like the official files, though no value is ever null.
 * Columns with few distinct values (marked `*`) are dictionary-encoded in Parquet, the rest plain:
 * smaller files, and faster to write, than dictionary-encoding everything.
 */
import { DateDay, Decimal, Field, Float64, Int32, Schema, Utf8, type DataType } from 'apache-arrow';

export const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;
export type TableName = (typeof TABLES)[number];

/** How money and quantity columns are typed: DECIMAL(15,2) (dbgen's type, the default) or DOUBLE. */
export type MoneyType = 'decimal' | 'double';

/** Precision and scale of the money columns (dbgen's DECIMAL(15,2)). */
export const MONEY_PRECISION = 15;
export const MONEY_SCALE = 2;

/** i INT32, m money (see MoneyType), d DATE, s string; a trailing `*` asks for dictionary encoding. */
type Kind = 'i' | 'm' | 'd' | 's';

const dictionaryColumns = new Set<string>();

function makeSchemas(money: MoneyType): Record<TableName, Schema> {
  const schema = (columns: string) => parseSchema(columns, money);
  return {
    region: schema('r_regionkey:i r_name:s* r_comment:s'),
    nation: schema('n_nationkey:i n_name:s* n_regionkey:i* n_comment:s'),
    supplier: schema('s_suppkey:i s_name:s s_address:s s_nationkey:i* s_phone:s s_acctbal:m s_comment:s'),
    customer: schema(
      'c_custkey:i c_name:s c_address:s c_nationkey:i* c_phone:s c_acctbal:m c_mktsegment:s* c_comment:s',
    ),
    part: schema(
      'p_partkey:i p_name:s p_mfgr:s* p_brand:s* p_type:s* p_size:i* p_container:s* p_retailprice:m p_comment:s',
    ),
    partsupp: schema('ps_partkey:i ps_suppkey:i ps_availqty:i ps_supplycost:m ps_comment:s'),
    orders: schema(
      'o_orderkey:i o_custkey:i o_orderstatus:s* o_totalprice:m o_orderdate:d* o_orderpriority:s* o_clerk:s* ' +
        'o_shippriority:i* o_comment:s',
    ),
    lineitem: schema(
      'l_orderkey:i l_partkey:i* l_suppkey:i* l_linenumber:i* l_quantity:m* l_extendedprice:m l_discount:m* l_tax:m* ' +
        'l_returnflag:s* l_linestatus:s* l_shipdate:d* l_commitdate:d* l_receiptdate:d* l_shipinstruct:s* ' +
        'l_shipmode:s* l_comment:s',
    ),
  };
}

function parseSchema(columns: string, money: MoneyType): Schema {
  const make = (kind: Kind): DataType =>
    kind === 'i'
      ? new Int32()
      : kind === 'm'
        ? money === 'decimal'
          ? new Decimal(MONEY_SCALE, MONEY_PRECISION, 128)
          : new Float64()
        : kind === 'd'
          ? new DateDay()
          : new Utf8();
  return new Schema(
    columns
      .split(/\s+/)
      .filter(Boolean)
      .map((c) => {
        const [name, kind] = c.split(':') as [string, string];
        if (kind.endsWith('*')) dictionaryColumns.add(name);
        return new Field(name, make(kind[0] as Kind), true);
      }),
  );
}

/** The schemas with DECIMAL(15,2) money columns (the generator's default). */
export const SCHEMAS: Record<TableName, Schema> = makeSchemas('decimal');
/** The schemas with DOUBLE money columns, as in the official SF 0.1 files. */
export const DOUBLE_SCHEMAS: Record<TableName, Schema> = makeSchemas('double');

/** The schemas for a money type. */
export function schemasFor(money: MoneyType): Record<TableName, Schema> {
  return money === 'decimal' ? SCHEMAS : DOUBLE_SCHEMAS;
}

/** Whether a column has few distinct values and is written dictionary-encoded. */
export function isDictionaryColumn(name: string): boolean {
  return dictionaryColumns.has(name);
}
