/**
 * Arrow schemas of the eight TPC-H tables, in the column order and with the types of the official
 * files: keys and small integers INT32, money and quantities DOUBLE, dates DATE (Date32), text UTF8.
 * Fields are nullable (Parquet OPTIONAL) like the official files, though no value is ever null.
 * Columns with few distinct values (marked `*`) are dictionary-encoded in Parquet, the rest plain:
 * smaller files, and faster to write, than dictionary-encoding everything.
 */
import { DateDay, Field, Float64, Int32, Schema, Utf8, type DataType } from 'apache-arrow';

export const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'] as const;
export type TableName = (typeof TABLES)[number];

/** i INT32, f DOUBLE, d DATE, s string; a trailing `*` asks for dictionary encoding. */
type Kind = 'i' | 'f' | 'd' | 's';

const dictionaryColumns = new Set<string>();

function schema(columns: string): Schema {
  const make = (kind: Kind): DataType =>
    kind === 'i' ? new Int32() : kind === 'f' ? new Float64() : kind === 'd' ? new DateDay() : new Utf8();
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

export const SCHEMAS: Record<TableName, Schema> = {
  region: schema('r_regionkey:i r_name:s* r_comment:s'),
  nation: schema('n_nationkey:i n_name:s* n_regionkey:i* n_comment:s'),
  supplier: schema('s_suppkey:i s_name:s s_address:s s_nationkey:i* s_phone:s s_acctbal:f s_comment:s'),
  customer: schema('c_custkey:i c_name:s c_address:s c_nationkey:i* c_phone:s c_acctbal:f c_mktsegment:s* c_comment:s'),
  part: schema(
    'p_partkey:i p_name:s p_mfgr:s* p_brand:s* p_type:s* p_size:i* p_container:s* p_retailprice:f p_comment:s',
  ),
  partsupp: schema('ps_partkey:i ps_suppkey:i ps_availqty:i ps_supplycost:f ps_comment:s'),
  orders: schema(
    'o_orderkey:i o_custkey:i o_orderstatus:s* o_totalprice:f o_orderdate:d* o_orderpriority:s* o_clerk:s* ' +
      'o_shippriority:i* o_comment:s',
  ),
  lineitem: schema(
    'l_orderkey:i l_partkey:i* l_suppkey:i* l_linenumber:i* l_quantity:f* l_extendedprice:f l_discount:f* l_tax:f* ' +
      'l_returnflag:s* l_linestatus:s* l_shipdate:d* l_commitdate:d* l_receiptdate:d* l_shipinstruct:s* l_shipmode:s* ' +
      'l_comment:s',
  ),
};

/** Whether a column has few distinct values and is written dictionary-encoded. */
export function isDictionaryColumn(name: string): boolean {
  return dictionaryColumns.has(name);
}
