import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
let r = await c.runAndReadAll(`SELECT sum(hash(t))::VARCHAR h, count(*) n FROM read_parquet('/tmp/dg001/lineitem/*.parquet') t`);
console.log(r.getRowObjectsJS());
r = await c.runAndReadAll(`SELECT bit_xor(hash(*COLUMNS(*)))::VARCHAR h FROM read_parquet('/tmp/dg001/lineitem/*.parquet')`);
console.log(r.getRowObjectsJS());
r = await c.runAndReadAll(`SELECT t FROM read_parquet('/tmp/dg001/region/*.parquet') t limit 1`);
console.log(r.getRowObjectsJS());
