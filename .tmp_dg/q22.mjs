import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
const T = ['part','supplier','partsupp','customer','orders','lineitem','nation','region'];
for (const d of ['/work/shared/data/tpch-sf0.1', process.argv[2]]) {
  const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
  for (const t of T) await c.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet('${d}/${t}/*.parquet')`);
  console.log('==', d);
  for (let q = 1; q <= 22; q++) {
    const sql = readFileSync(`benchmarks/tpch/sql/q${q}.sql`, 'utf8');
    const t0 = performance.now();
    const r = await c.runAndReadAll(sql);
    const rows = r.getRowsJS();
    console.log(`q${q}`.padEnd(4), String(rows.length).padStart(5), JSON.stringify(rows[0], (k, v) => typeof v === 'bigint' ? Number(v) : v).slice(0, 110));
  }
}
