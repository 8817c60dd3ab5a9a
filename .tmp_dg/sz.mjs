import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
for (const d of ['/tmp/dg01', '/work/shared/data/tpch-sf0.1']) {
  const r = await c.runAndReadAll(`SELECT path_in_schema, sum(total_compressed_size)::INTEGER sz, any_value(encodings) enc FROM parquet_metadata('${d}/lineitem/*.parquet') GROUP BY 1 ORDER BY 1`);
  console.log(d); for (const row of r.getRows()) console.log(row.map(String).join(' | '));
}
