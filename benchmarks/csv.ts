/**
 * CSV reader speed: a generated file of N rows (int, double, quoted string with a comma, date,
 * boolean), read by the scan operator in one process (tokenize only; tokenize + typed columns),
 * by a local session (`read.csv(...).count()` and a sum over every row, through the job path),
 * and by DuckDB's read_csv on the same file as the peer. Prints a table and writes JSON.
 *
 *   npx tsx benchmarks/csv.ts [--rows 1000000] [--out results/csv.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseCsv } from '../operators/csvParse.js';
import type { RangeReader } from '../operators/parquet.js';
import { scanText } from '../operators/textScan.js';
import { DEFAULT_SPLIT_BYTES, type TextReadOptions } from '../planner/textFormat.js';
import { field } from '../planner/types.js';
import { session, sum } from '../src/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const rows = Number(arg('rows', '1000000'));
const out = arg('out', '');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-csv-bench-'));
const file = path.join(dir, 'data.csv');
const lines = ['id,qty,price,flag,name,d'];
for (let i = 0; i < rows; i++)
  lines.push(
    `${i},${i % 50},${(i * 1.37).toFixed(2)},${i % 3 === 0},"name ${i % 997}, x",2024-0${1 + (i % 9)}-1${i % 10}`,
  );
fs.writeFileSync(file, `${lines.join('\n')}\n`);
const bytes = fs.readFileSync(file);

const opts: TextReadOptions = {
  format: 'csv',
  header: true,
  delimiter: ',',
  quote: '"',
  escape: '\\',
  nullValue: '',
  inferSchema: true,
  schema: null,
  dateFormat: null,
  timestampFormat: null,
  mode: 'PERMISSIVE',
  columnNameOfCorruptRecord: null,
  multiLine: false,
  splitBytes: DEFAULT_SPLIT_BYTES,
  timeZone: 'UTC',
};
const fields = [
  field('id', 'int32'),
  field('qty', 'int32'),
  field('price', 'float64'),
  field('flag', 'bool'),
  field('name', 'string'),
  field('d', 'date'),
];

async function time(
  label: string,
  f: () => Promise<number>,
): Promise<{ label: string; ms: number; rowsPerSec: number }> {
  const t0 = performance.now();
  const n = await f();
  const ms = performance.now() - t0;
  if (n !== rows) throw new Error(`${label}: read ${n} rows, expected ${rows}`);
  return { label, ms, rowsPerSec: Math.round((rows / ms) * 1000) };
}

const results = [];
results.push(
  await time('tokenize (csvParse.ts)', async () => {
    const r = parseCsv(bytes.toString('utf8'), opts);
    return r.starts.length - 1;
  }),
);
const reader: RangeReader = { name: file, size: bytes.length, read: async (a, b) => bytes.subarray(a, b) };
const chunks = Array.from({ length: Math.ceil(bytes.length / opts.splitBytes) }, (_, i) => i);
results.push(
  await time('scan operator: typed columns', async () => {
    let n = 0;
    const spec = { columns: fields.map((f) => f.name), filters: [], schema: fields, text: { options: opts, fields } };
    for await (const b of scanText(reader, chunks, spec, {})) n += b.length;
    return n;
  }),
);
const s = session({ store: path.join(dir, 'store'), progress: false });
try {
  results.push(
    await time('session: read.csv.count()', async () => s.read.csv(file, { header: true, inferSchema: true }).count()),
  );
  results.push(
    await time('session: sum over every row', async () => {
      const t = await s.read.csv(file, { header: true, inferSchema: true }).agg(sum('qty').alias('q')).collectRows();
      if (t[0]!.q === null) throw new Error('no sum');
      return rows;
    }),
  );
} finally {
  await s.stop();
}
const duck = await DuckDBInstance.create(':memory:');
const conn = await duck.connect();
results.push(
  await time('DuckDB read_csv (peer): sum', async () => {
    await conn.runAndReadAll(`select sum(qty) from read_csv('${file}', header=true)`);
    return rows;
  }),
);
conn.closeSync();
duck.closeSync();

console.log(`CSV read, ${rows} rows, ${(bytes.length / 1e6).toFixed(1)} MB, load ${os.loadavg()[0]!.toFixed(1)}`);
for (const r of results)
  console.log(`${r.label.padEnd(34)} ${r.ms.toFixed(0).padStart(7)} ms ${String(r.rowsPerSec).padStart(10)} rows/s`);
if (out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ rows, bytes: bytes.length, load: os.loadavg()[0], results }, null, 2));
}
fs.rmSync(dir, { recursive: true, force: true });
