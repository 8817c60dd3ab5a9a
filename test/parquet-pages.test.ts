/**
 * Our page decoder (operators/parquetPages.ts) on dictionary codes of every narrow bit width
 * (1–8 bits: the two-word group unpacking and its value-by-value tail, run ends that are not
 * multiples of 8), on optional columns without nulls (levels skipped) and with nulls, and on
 * short decimals: every value as written, from files DuckDB writes in v1 and v2 pages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalType } from '../planner/types.js';
import { vecDoubles } from '../operators/decimal.js';
import { fileMetadata } from '../operators/parquet.js';
import { chunkRange, decodeChunk, gather } from '../operators/parquetPages.js';
import { isDecimalVec, isValid, type NumVec, type Vec } from '../operators/vector.js';
import { tempDir } from './support/tpch.js';

const ROWS = 30_011;
const dir = tempDir('stratus-pages-');
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8];

/** Expected value of column `c<w>` at row i (null every 13th row of the nullable ones). */
const code = (w: number, i: number): number | null =>
  w % 2 === 0 && i % 13 === 0 ? null : (i * 7 + (i >> 4)) % (1 << w);

const select = `SELECT ${WIDTHS.map((w) => `CASE WHEN ${w % 2} = 0 AND i % 13 = 0 THEN NULL ELSE ((i * 7 + (i >> 4)) % ${1 << w})::INTEGER END AS c${w}`).join(', ')},
    ((i % 37) * 1.25)::DECIMAL(15,2) AS m
  FROM range(${ROWS}) t(i)`;

const layouts = {
  v1: 'COMPRESSION snappy, ROW_GROUP_SIZE 10007',
  v2: 'COMPRESSION snappy, ROW_GROUP_SIZE 10007, PARQUET_VERSION V2',
} as const;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const [name, opts] of Object.entries(layouts))
    await c.run(`COPY (${select}) TO '${path.join(dir, `${name}.parquet`)}' (FORMAT parquet, ${opts})`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every column of the file, decoded chunk by chunk with our decoder, as numbers (nulls null). */
async function decodeFile(file: string): Promise<{ columns: Map<string, (number | null)[]>; encodings: Set<string> }> {
  const bytes = fs.readFileSync(file);
  const r = { name: file, size: bytes.length, read: async (s: number, e: number) => bytes.subarray(s, e) };
  const md = await fileMetadata(r);
  const columns = new Map<string, (number | null)[]>();
  const encodings = new Set<string>();
  for (const rg of md.row_groups) {
    rg.columns.forEach((chunk, k) => {
      const m = chunk.meta_data!;
      const e = md.schema[k + 1]!;
      const type = e.name === 'm' ? decimalType(15, 2) : 'int32';
      for (const x of m.encodings) encodings.add(x);
      const [s, end] = chunkRange(m);
      const c = decodeChunk(bytes.subarray(s, end), e, m, type, Number(rg.num_rows));
      const v: Vec = c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec;
      const n = Number(rg.num_rows);
      const values = isDecimalVec(v) ? vecDoubles(v, n)!.doubles : (v as NumVec).values;
      const out = columns.get(e.name) ?? [];
      for (let i = 0; i < n; i++) out.push(v.validity && !isValid(v.validity, i) ? null : values[i]!);
      columns.set(e.name, out);
    });
  }
  return { columns, encodings };
}

describe('page decoder', () => {
  for (const layout of Object.keys(layouts)) {
    it(`${layout}: dictionary codes of 1–8 bits, nulls, decimals`, async () => {
      const { columns, encodings } = await decodeFile(path.join(dir, `${layout}.parquet`));
      expect(encodings.has('RLE_DICTIONARY') || encodings.has('PLAIN_DICTIONARY')).toBe(true);
      for (const w of WIDTHS) {
        const got = columns.get(`c${w}`)!;
        expect(got.length).toBe(ROWS);
        const bad = got.findIndex((x, i) => x !== code(w, i));
        expect(bad === -1 ? null : { w, row: bad, got: got[bad], want: code(w, bad) }).toBeNull();
      }
      const m = columns.get('m')!;
      expect(m.findIndex((x, i) => x !== (i % 37) * 125)).toBe(-1);
    });
  }
});
