import { writeFileSync } from 'node:fs';
import { createContext } from '../benchmarks/datagen/context.ts';
import { orderColumns } from '../benchmarks/datagen/gen-orders.ts';
import { recordBatch } from '../benchmarks/datagen/writer.ts';
import { SCHEMAS } from '../benchmarks/datagen/schema.ts';
import { Table, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
const ctx = createContext(1);
const lb: any[] = [];
for (let p = 0; p < 375000; p += 32768) { const b = orderColumns(ctx, p, Math.min(375000, p + 32768)); lb.push(recordBatch(SCHEMAS.lineitem, b.lineitem)); }
const ipc = tableToIPC(new Table(SCHEMAS.lineitem, lb), 'stream');
const low = ['l_returnflag','l_linestatus','l_shipinstruct','l_shipmode'];
for (let rep = 0; rep < 2; rep++)
for (const [name, c] of [['zstd', pw.Compression.ZSTD], ['snappy', pw.Compression.SNAPPY]] as const)
for (const mode of ['dict', 'nodict', 'lowcard']) {
  const wt = pw.Table.fromIPCStream(ipc);
  let t = performance.now();
  let b = new pw.WriterPropertiesBuilder().setCompression(c).setMaxRowGroupSize(122880);
  if (mode !== 'dict') b = b.setDictionaryEnabled(false);
  if (mode === 'lowcard') for (const col of low) b = b.setColumnDictionaryEnabled(col, true);
  const bytes = pw.writeParquet(wt, b.build());
  console.log(mode, name, (performance.now() - t).toFixed(0), bytes.length);
  if (rep === 0) writeFileSync(`/tmp/li_${name}_${mode}.parquet`, bytes);
}
