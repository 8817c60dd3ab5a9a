import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const D=process.argv[2]; const OFF='/work/shared/data/tpch-sf0.1';
const q = async (s) => { const r = await c.runAndReadAll(s); console.log('> '+s.slice(0,150)); for (const row of r.getRows()) console.log(row.map(String).join(' | ')); };
for (const t of ['region','nation','supplier','customer','part','partsupp','orders','lineitem']) {
  const a = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${D}/${t}/*.parquet'`)).getRows().map(String).join(';');
  const b = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${OFF}/${t}/*.parquet'`)).getRows().map(String).join(';');
  console.log(t, a===b ? 'schema OK' : 'DIFF\n'+a+'\n'+b);
}
for (const d of [D, OFF]) {
  console.log('=====', d);
  await q(`SELECT * FROM '${d}/nation/*.parquet' LIMIT 3`);
  await q(`SELECT * FROM '${d}/supplier/*.parquet' LIMIT 2`);
  await q(`SELECT * FROM '${d}/customer/*.parquet' LIMIT 2`);
  await q(`SELECT * FROM '${d}/part/*.parquet' LIMIT 2`);
  await q(`SELECT * FROM '${d}/partsupp/*.parquet' LIMIT 2`);
  await q(`SELECT * FROM '${d}/orders/*.parquet' LIMIT 2`);
  await q(`SELECT * FROM '${d}/lineitem/*.parquet' LIMIT 2`);
  await q(`SELECT count(*), avg(length(s_comment)), sum((s_comment like '%Customer%Complaints%')::int), sum((s_comment like '%Customer%Recommends%')::int) FROM '${d}/supplier/*.parquet'`);
  await q(`SELECT count(*), avg(length(o_comment)), avg((o_comment like '%special%requests%')::int), min(o_orderdate), max(o_orderdate), count(distinct o_clerk), count(distinct o_custkey)/(select count(*) from '${d}/customer/*.parquet'), avg(o_totalprice), max(o_orderkey) FROM '${d}/orders/*.parquet'`);
  await q(`SELECT o_orderstatus, count(*)/(select count(*) from '${d}/orders/*.parquet') FROM '${d}/orders/*.parquet' group by 1 order by 1`);
  await q(`SELECT count(*)/(select count(*) from '${d}/orders/*.parquet'), avg(length(l_comment)), min(l_shipdate), max(l_shipdate), max(l_receiptdate), avg(l_extendedprice) FROM '${d}/lineitem/*.parquet'`);
  await q(`SELECT l_returnflag, l_linestatus, count(*)/(select count(*) from '${d}/lineitem/*.parquet'), avg(l_quantity), avg(l_extendedprice), avg(l_discount), avg(l_tax) FROM '${d}/lineitem/*.parquet' WHERE l_shipdate <= DATE '1998-09-02' GROUP BY ALL ORDER BY ALL`);
  await q(`SELECT sum(l_extendedprice*l_discount)/(select sum(l_extendedprice) from '${d}/lineitem/*.parquet') FROM '${d}/lineitem/*.parquet' WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`);
  await q(`SELECT count(*) FROM '${d}/lineitem/*.parquet' l ANTI JOIN '${d}/partsupp/*.parquet' ps ON l.l_partkey=ps.ps_partkey AND l.l_suppkey=ps.ps_suppkey`);
  await q(`SELECT max(abs(o_totalprice - s)) FROM '${d}/orders/*.parquet' JOIN (SELECT l_orderkey, sum(l_extendedprice*(1-l_discount)*(1+l_tax)) s FROM '${d}/lineitem/*.parquet' GROUP BY 1) ON o_orderkey=l_orderkey`);
}
