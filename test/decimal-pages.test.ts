/**
 * Plain pages of short decimals (INT32 and INT64 unscaled values) read straight into exact
 * doubles (operators/decimal.ts doublesFromBytes, from operators/parquetChunk.ts decodeChunk):
 * negative and positive values, of both widths, at every byte alignment a page can start at,
 * read back exactly as DuckDB wrote them; and at a sparse selection of rows (decodeChunkAt), with
 * nulls and with a value of 2^52 (then int64) among them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalType } from '../planner/types.js';
import { doublesFromBytes, vecDoubles } from '../operators/decimal.js';
import { fileMetadata } from '../operators/parquet.js';
import { decodeChunk, decodeChunkAt } from '../operators/parquetChunk.js';
import { chunkRange } from '../operators/parquetPages.js';
import { gather } from '../operators/parquetGather.js';
import { isDecimalVec, isValid, type Vec } from '../operators/vector.js';
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
      ((i - 50000)::BIGINT * 123456.789 + (i % 1000) * 0.001)::DECIMAL(18,3) AS b,
      CASE WHEN i % 10 = 3 THEN NULL ELSE (i * 7 - 1000)::DECIMAL(18,0) END AS c,
      (CASE WHEN i = 70000 THEN 4503599627370496 ELSE i * 3 - 7 END)::DECIMAL(18,0) AS big
    FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A decoded chunk's unscaled values (null for nulls), checked against its exact doubles where known. */
function valuesOf(c: ReturnType<typeof decodeChunk>, n: number): (bigint | null)[] {
  const v: Vec = c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec;
  if (!isDecimalVec(v)) throw new Error('not a decimal');
  const d = vecDoubles(v, n);
  return Array.from({ length: n }, (_, i) => {
    if (!isValid(v.validity, i)) return null;
    const x = v.values[i]!;
    if (d && BigInt(d.doubles[i]!) !== x) throw new Error(`row ${i}: double ${d.doubles[i]}, value ${x}`);
    return x;
  });
}

describe('short decimal pages as exact doubles', () => {
  it('INT32 and INT64 values of both signs', async () => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const md = await fileMetadata(bytesReader(bytes, file));
    const types = { a: decimalType(9, 2), b: decimalType(18, 3), c: decimalType(18, 0), big: decimalType(18, 0) };
    let row = 0;
    for (const rg of md.row_groups) {
      const n = Number(rg.num_rows);
      rg.columns.forEach((chunk, k) => {
        const m = chunk.meta_data!;
        const e = md.schema[k + 1]!;
        expect(m.encodings).not.toContain('RLE_DICTIONARY');
        const [s, end] = chunkRange(m);
        const type = types[e.name as keyof typeof types];
        // At a sparse selection (decodeChunkAt): the same values as the whole chunk's.
        const whole = valuesOf(decodeChunk(bytes.subarray(s, end), e, m, type, n), n);
        const sel = Int32Array.from({ length: Math.ceil(n / 5) }, (_, j) => 5 * j + (j % 4));
        const at = valuesOf(decodeChunkAt(bytes.subarray(s, end), e, m, type, n, sel), sel.length);
        sel.forEach((r, j) => {
          if (at[j] !== whole[r]) throw new Error(`${e.name} at row ${row + r}: ${at[j]}, whole ${whole[r]}`);
        });
        if (e.name === 'c' || e.name === 'big') return;
        const c = decodeChunk(bytes.subarray(s, end), e, m, type, n);
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
