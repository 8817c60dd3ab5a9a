import { createContext } from '/work/main/benchmarks/datagen/context.ts';
import { orderColumns } from '/work/main/benchmarks/datagen/gen-orders.ts';
import { recordBatch } from '/work/main/benchmarks/datagen/writer.ts';
import { SCHEMAS } from '/work/main/benchmarks/datagen/schema.ts';
import { Table, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
const ctx = createContext(1);
let t = performance.now();
const ob: any[] = [], lb: any[] = [];
for (let p = 0; p < 375000; p += 32768) { const b = orderColumns(ctx, p, Math.min(375000, p + 32768)); ob.push(recordBatch(SCHEMAS.orders, b.orders)); lb.push(recordBatch(SCHEMAS.lineitem, b.lineitem)); }
console.log('gen', performance.now() - t); t = performance.now();
const ipc = tableToIPC(new Table(SCHEMAS.lineitem, lb), 'stream');
console.log('ipc', performance.now() - t, ipc.length); t = performance.now();
const wt = pw.Table.fromIPCStream(ipc);
console.log('fromIPC', performance.now() - t); t = performance.now();
for (const [name, c] of [['zstd', pw.Compression.ZSTD], ['snappy', pw.Compression.SNAPPY]] as const) {
  const wt = pw.Table.fromIPCStream(ipc);
  t = performance.now();
  const bytes = pw.writeParquet(wt, new pw.WriterPropertiesBuilder().setCompression(c).setMaxRowGroupSize(122880).build());
  console.log('write', name, performance.now() - t, bytes.length);
  const wt2 = pw.Table.fromIPCStream(ipc);
  t = performance.now();
  const bytes2 = pw.writeParquet(wt2, new pw.WriterPropertiesBuilder().setCompression(c).setDictionaryEnabled(false).setMaxRowGroupSize(122880).build());
  console.log('write nodict', name, performance.now() - t, bytes2.length);
}
