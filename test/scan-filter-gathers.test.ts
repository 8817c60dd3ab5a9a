/**
 * A filtered scan hands back the columns it gathered only to evaluate a conjunct
 * (operators/scanLate.ts `releaseGathered`): a conjunct evaluated at the rows an earlier one kept
 * reads its columns gathered at those rows, and those arrays go back to the column spares
 * (operators/spareArrays.ts) once the conjunct has read them, never the chunks decoded whole nor
 * the columns handed on; the rows the scan gives stay exact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFooter } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { type Batch, batchRows } from '../operators/vector.js';
import { binary, col, lit } from '../planner/expr.js';
import { fileReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

/** The first values and length of every column array handed back to the column spares. */
const recycled = vi.hoisted(() => [] as { head: number[]; length: number }[]);
vi.mock('../operators/spareArrays.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../operators/spareArrays.js')>();
  return {
    ...orig,
    recycleColumn: (a: Parameters<typeof orig.recycleColumn>[0]) => {
      recycled.push({ head: Array.from(a.subarray(0, 3), Number), length: a.length });
      orig.recycleColumn(a);
    },
  };
});

/** One row group of 100,000 rows: k = 1,000,000 + i, y = i, x = i % 10. */
const ROWS = 100_000;
const dir = tempDir('stratus-filter-gathers-');
const file = path.join(dir, 'f.parquet');

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT (1000000 + i)::INTEGER AS k, i::INTEGER AS y, (i % 10)::INTEGER AS x FROM range(${ROWS}) t(i))
    TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROWS})`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a filtered scan hands back the columns it gathered for a conjunct', () => {
  it('k gathered at the rows x >= 4 keeps goes back once k + y is compared; the rows are exact', async () => {
    const r = fileReader(file);
    const footer = await readFooter(r);
    const names = ['k', 'y', 'x'];
    const schema = names.map((n) => footer.schema.find((f) => f.name === n)!);
    // Two columns in the second conjunct: evaluated on values (never on a dictionary), at the
    // rows the first keeps (60%: k and y decoded whole, then gathered at those rows).
    const filters = [
      binary('>=', col('x'), lit(4)),
      binary('<', binary('+', col('k'), col('y')), lit(1_000_000 + 2 * 90_000)),
    ];
    const out: Batch[] = [];
    for await (const b of scanRowGroups(r, [0], { columns: names, filters, schema }, {})) out.push(b);
    const rows = out.flatMap((b) => batchRows(b));
    const want = Array.from({ length: 90_000 }, (_, i) => i).filter((i) => i % 10 >= 4);
    expect(rows.map((row) => row.y)).toEqual(want);
    expect(rows.every((row) => row.k === 1_000_000 + (row.y as number) && row.x === (row.y as number) % 10)).toBe(true);
    // k at the 60,000 rows x >= 4 keeps (rows 4, 5, 6, …): handed back, as is y's gather.
    expect(recycled).toContainEqual({ head: [1_000_004, 1_000_005, 1_000_006], length: 60_000 });
    expect(recycled).toContainEqual({ head: [4, 5, 6], length: 60_000 });
  });
});
