import { readFileSync } from 'node:fs';
import * as pw from 'parquet-wasm';
for (let rep = 0; rep < 2; rep++)
for (const name of ['zstd', 'snappy']) for (const mode of ['dict', 'nodict', 'lowcard']) {
  const bytes = readFileSync(`/tmp/li_${name}_${mode}.parquet`);
  const t = performance.now();
  const tbl = pw.readParquet(bytes, { batchSize: 122880 });
  const ipc = tbl.intoIPCStream();
  console.log(mode, name, (performance.now() - t).toFixed(0), ipc.length);
}
