/**
 * The late scan's reused buffers (operators/scanLate.ts ScanBuffers: dictionary codes and
 * selections) come from the executor's spare arrays and go back when the scan ends: two scans
 * run concurrently (an executor's two tasks) each give exactly the rows of
 * the same scan run alone, and a third scan after them takes the buffers they handed back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFooter } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { spareArrayBytes } from '../operators/spareArrays.js';
import { type Batch, batchRows } from '../operators/vector.js';
import { binary, col, type Expr, lit } from '../planner/expr.js';
import { fileReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

const ROWS = 400_000;
const dir = tempDir('stratus-scanbuffers-');
const file = path.join(dir, 'f.parquet');

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  // Dictionary columns (the flag, the date, the mode) over row groups of 122,880 rows, as TPC-H's.
  await c.run(`COPY (SELECT i::INTEGER AS id,
      chr(65 + ((i * i) % 3)::INTEGER) AS flag,
      DATE '1995-01-01' + ((i * i + i * 5) % 701)::INTEGER AS d,
      'mode' || (i * 11 % 7) AS mode,
      md5(i::VARCHAR) AS h
    FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A scan of the file's row groups, in reverse order when `reverse` (two scans then read different ones at once). */
async function scanOf(filters: readonly Expr[], reverse = false) {
  // Every read waits a timer tick: two scans' steps then interleave between their reads (the
  // plain string column is parquet-wasm's, read after the dictionary columns' codes are decoded).
  const f = fileReader(file);
  const r = {
    ...f,
    read: (s: number, e: number) => new Promise<Uint8Array>((ok) => setTimeout(() => ok(f.read(s, e)), 1)),
  };
  const footer = await readFooter(r);
  const spec = { columns: footer.schema.map((f) => f.name), filters, schema: footer.schema };
  const groups = footer.rowGroups.map((g) => g.index);
  return scanRowGroups(r, reverse ? groups.reverse() : groups, spec, {})[Symbol.asyncIterator]();
}

const rowsOf = (batches: Batch[]) => batches.flatMap((b) => batchRows(b).map((row) => Object.values(row)));

async function drain(it: AsyncIterator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
  return out;
}

describe('scan buffers', () => {
  it('concurrent scans keep their own buffers; an ended scan hands them back', async () => {
    const f1 = [binary('<=', col('d'), lit('1996-06-30', 'date')), binary('!=', col('flag'), lit('B'))];
    const f2 = [binary('!=', col('mode'), lit('mode3')), binary('>', col('d'), lit('1995-03-01', 'date'))];
    const alone1 = rowsOf(await drain(await scanOf(f1)));
    const alone2 = rowsOf(await drain(await scanOf(f2, true)));
    expect(alone1.length).toBeGreaterThan(100_000);
    expect(alone2.length).toBeGreaterThan(10_000);
    // Concurrent, as an executor's two tasks: both scans' next batches asked for at once, so
    // their steps interleave at every await; every batch kept until the end.
    const [a, b] = [await scanOf(f1), await scanOf(f2, true)];
    const got: [Batch[], Batch[]] = [[], []];
    const done = [false, false];
    while (!done[0] || !done[1]) {
      const rs = await Promise.all([a, b].map((it, k) => (done[k] ? null : it.next())));
      rs.forEach((r, k) => {
        if (r?.done) done[k] = true;
        else if (r) got[k]!.push(r.value);
      });
    }
    expect(rowsOf(got[0])).toEqual(alone1);
    expect(rowsOf(got[1])).toEqual(alone2);
    // Handed back: the next scan takes them from the spares rather than allocating.
    const spare = spareArrayBytes();
    expect(spare).toBeGreaterThanOrEqual(3 * 122_880 * 4);
    const c = await scanOf(f1);
    await c.next();
    expect(spareArrayBytes()).toBeLessThan(spare);
    expect(rowsOf(await drain(c)).length).toBeGreaterThan(0);
  });
});
