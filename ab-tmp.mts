// In-process A/B of decodeChunk (+ gather) between two trees, alternating, CPU time. args: file cols passes treeA treeB
import { readFileSync } from 'node:fs';
const [file, colsArg, passesArg, A, B] = process.argv.slice(2);
const cols = colsArg!.split(','); const passes = Number(passesArg);
const trees = await Promise.all([A, B].map(async (t) => ({ t, pages: await import(`${t}/operators/parquetPages.ts`), parquet: await import(`${t}/operators/parquet.ts`) })));
const bytes = readFileSync(file!);
const r = { name: file!, size: bytes.length, read: async (a: number, b: number) => new Uint8Array(bytes.buffer, bytes.byteOffset + a, b - a) };
const md = await trees[0]!.parquet.fileMetadata(r);
const footer = await trees[0]!.parquet.readFooter(r);
const best = [1e9, 1e9]; const all: number[][] = [[], []];
for (let p = 0; p < passes; p++) for (let k = 0; k < 2; k++) {
  const { pages } = trees[k]!;
  const c0 = process.cpuUsage();
  for (const rg of md.row_groups) rg.columns.forEach((chunk: any, i: number) => {
    const m = chunk.meta_data; const name = m.path_in_schema[0]; if (!cols.includes(name)) return;
    const e = md.schema[i + 1]; const type = footer.schema.find((f: any) => f.name === name).type;
    const [s, end] = pages.chunkRange(m);
    const c = pages.decodeChunk(new Uint8Array(bytes.buffer, bytes.byteOffset + s, end - s), e, m, type, Number(rg.num_rows));
    if (c.kind === 'dict') pages.gather(c.dict, c.codes);
  });
  const c = process.cpuUsage(c0); const ms = (c.user + c.system) / 1000; all[k]!.push(ms); best[k] = Math.min(best[k]!, ms);
}
const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`A ${A}: best ${best[0]!.toFixed(0)} median ${med(all[0]!).toFixed(0)} ms | B ${B}: best ${best[1]!.toFixed(0)} median ${med(all[1]!).toFixed(0)} ms`);
