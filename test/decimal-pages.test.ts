/**
 * Plain pages of short decimals (INT32 and INT64 unscaled values) read straight into exact
 * doubles (operators/decimal.ts doublesFromBytes, from operators/parquetPages.ts decodeChunk):
 * negative and positive values, of both widths, at every byte alignment a page can start at,
 * read back exactly as DuckDB wrote them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalType } from '../planner/types.js';
import { doublesFromBytes, vecDoubles } from '../operators/decimal.js';
import { fileMetadata } from '../operators/parquet.js';
import { chunkRange, decodeChunk } from '../operators/parquetPages.js';
import { isDecimalVec } from '../operators/vector.js';
import { bytesReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

const ROWS = 100_000;
const dir = tempDir('stratus-decimal-pages-');
const file = path.join(dir, 'd.parquet');
/** Unscaled values: `a` DECIMAL(9,2) (INT32), `b` DECIMAL(18,3) (INT64), both signs, all distinct. */
const A = (i: number) => BigInt((i - 50_000) * 37);
const B = (i: number) => BigInt(i - 50_000) * 123_456_789n + BigInt(i % 1000);

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT ((i - 50000) * 0.37)::DECIMAL(9,2) AS a,
      ((i - 50000)::BIGINT * 123456.789 + (i % 1000) * 0.001)::DECIMAL(18,3) AS b
    FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('short decimal pages as exact doubles', () => {
  it('INT32 and INT64 values of both signs', async () => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const md = await fileMetadata(bytesReader(bytes, file));
    const types = { a: decimalType(9, 2), b: decimalType(18, 3) } as const;
    let row = 0;
    for (const rg of md.row_groups) {
      const n = Number(rg.num_rows);
      rg.columns.forEach((chunk, k) => {
        const m = chunk.meta_data!;
        const e = md.schema[k + 1]!;
        expect(m.encodings).not.toContain('RLE_DICTIONARY');
        const [s, end] = chunkRange(m);
        const c = decodeChunk(bytes.subarray(s, end), e, m, types[e.name as 'a' | 'b'], n);
        expect(c.kind).toBe('plain');
        const v = (c as { vec: Parameters<typeof vecDoubles>[0] }).vec;
        expect(isDecimalVec(v)).toBe(true);
        const want = e.name === 'a' ? A : B;
        const d = vecDoubles(v, n)!.doubles;
        for (let i = 0; i < n; i++)
          if (BigInt(d[i]!) !== want(row + i) || v.values[i] !== want(row + i))
            throw new Error(`${e.name} row ${row + i}: ${d[i]} / ${v.values[i]}, want ${want(row + i)}`);
      });
      row += n;
    }
    expect(row).toBe(ROWS);
  });

  it('doublesFromBytes at every alignment, into the middle of its output', () => {
    const values = [
      0n,
      1n,
      -1n,
      2n ** 31n - 1n,
      -(2n ** 31n),
      2n ** 40n + 12345n,
      -(2n ** 51n) + 7n,
      4294967296n,
      -4294967297n,
    ];
    for (const stride of [1, 2] as const) {
      const vs = stride === 1 ? values.filter((x) => x >= -(2n ** 31n) && x < 2n ** 31n) : values;
      for (let offset = 0; offset < 8; offset++) {
        const bytes = new Uint8Array(offset + vs.length * 4 * stride);
        const view = new DataView(bytes.buffer);
        vs.forEach((x, i) => {
          if (stride === 1) view.setInt32(offset + 4 * i, Number(x), true);
          else view.setBigInt64(offset + 8 * i, x, true);
        });
        const out = new Float64Array(vs.length + 3);
        const max = doublesFromBytes(bytes, offset, vs.length, stride, out, 2);
        expect(Array.from(out.subarray(2, 2 + vs.length), BigInt)).toEqual(vs);
        expect(max).toBe(Math.max(...vs.map((x) => Math.abs(Number(x)))));
      }
    }
  });
});
