/**
 * Command line for the TPC-H generator:
 *   tsx benchmarks/datagen/cli.ts --sf 0.01 --out <dir> [--compression snappy|zstd|uncompressed]
 *       [--row-group-size N] [--files-per-table N] [--money decimal|double]
 * Prints rows, files, bytes and time per table.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TABLES, generateTpch, type Compression } from './index.js';
import { textPool } from './text.js';

const USAGE =
  'usage: tsx benchmarks/datagen/cli.ts --sf <scale factor> --out <dir> ' +
  '[--compression snappy|zstd|uncompressed] [--row-group-size N] [--files-per-table N] [--money decimal|double]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got ${value}`);
  return n;
}

async function dirStats(dir: string): Promise<{ files: number; bytes: number }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.parquet'));
  const sizes = await Promise.all(names.map(async (n) => (await stat(join(dir, n))).size));
  return { files: names.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sf: { type: 'string' },
      out: { type: 'string' },
      compression: { type: 'string' },
      'row-group-size': { type: 'string' },
      'files-per-table': { type: 'string' },
      money: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const sf = Number(values.sf);
  if (values.sf === undefined || !(sf > 0)) fail('--sf must be a positive number');
  if (!values.out) fail('--out is required');
  const compression = (values.compression ?? 'zstd') as Compression;
  if (!['snappy', 'zstd', 'uncompressed'].includes(compression)) fail(`unknown --compression ${compression}`);

  const money = values.money ?? 'decimal';
  if (money !== 'decimal' && money !== 'double') fail(`unknown --money ${money} (decimal or double)`);

  const started = performance.now();
  textPool(); // built once per process; timed on its own
  const setup = performance.now() - started;
  // Seconds per table: time between its file writes and the previous write (orders and lineitem
  // are generated together, so both are reported on the lineitem line).
  const elapsed = new Map<string, number>();
  let last = performance.now();
  const rows = await generateTpch({
    sf,
    dir: values.out,
    compression,
    rowGroupSize: positiveInt('row-group-size', values['row-group-size']),
    filesPerTable: positiveInt('files-per-table', values['files-per-table']),
    money,
    onProgress: (table) => {
      const now = performance.now();
      const key = table === 'orders' ? 'lineitem' : table;
      elapsed.set(key, (elapsed.get(key) ?? 0) + now - last);
      last = now;
    },
  });
  const total = performance.now() - started;

  console.log(
    `TPC-H SF ${sf} → ${values.out} (${compression}, money ${money}); text pool ${(setup / 1000).toFixed(2)} s`,
  );
  console.log(['table', 'rows', 'files', 'MB', 'seconds'].map((h, i) => (i ? h.padStart(12) : h.padEnd(10))).join(''));
  let bytes = 0;
  for (const table of TABLES) {
    const s = await dirStats(join(values.out, table));
    bytes += s.bytes;
    const seconds = table === 'orders' ? '(below)' : ((elapsed.get(table) ?? 0) / 1000).toFixed(2);
    const cells = [rows[table] ?? 0, s.files, (s.bytes / 1e6).toFixed(2), seconds];
    console.log(table.padEnd(10) + cells.map((c) => String(c).padStart(12)).join(''));
  }
  console.log(`total ${(bytes / 1e6).toFixed(1)} MB in ${(total / 1000).toFixed(2)} s`);
}

await main();
