/**
 * Our page decoder (operators/parquetPages.ts) on dictionary codes of every narrow bit width
 * (1–8 bits: the two-word group unpacking and its value-by-value tail, run ends that are not
 * multiples of 8) and wider ones (9–11 bits: a 4-byte window per value, byte by byte near the
 * page's end), on optional columns without nulls (levels skipped) and with nulls, and on
 * short decimals (plain pages read as exact doubles, dictionary pages too when no one keeps the codes, a chunk holding a value of 2^52 or more as
 * int64; dictionaries; nulls): every value as written, from files DuckDB writes in v1 and v2 pages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecimalType, decimalType } from '../planner/types.js';
import { vecDoubles } from '../operators/decimal.js';
import { fileMetadata } from '../operators/parquet.js';
import { gather } from '../operators/parquetGather.js';
import { decodeChunk } from '../operators/parquetChunk.js';
import { chunkRange } from '../operators/parquetPages.js';
import { isDecimalVec, isValid, type NumVec, type Vec } from '../operators/vector.js';
import { tempDir } from './support/tpch.js';

const ROWS = 30_011;
const dir = tempDir('stratus-pages-');
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** Expected value of column `c<w>` at row i (null every 13th row of the nullable ones). */
const code = (w: number, i: number): number | null =>
  w % 2 === 0 && i % 13 === 0 ? null : (i * 7 + (i >> 4)) % (1 << w);

const select = `SELECT ${WIDTHS.map((w) => `CASE WHEN ${w % 2} = 0 AND i % 13 = 0 THEN NULL ELSE ((i * 7 + (i >> 4)) % ${1 << w})::INTEGER END AS c${w}`).join(', ')},
    ((i % 37) * 1.25)::DECIMAL(15,2) AS m,
    ((i * 7919 % 1000003) * 0.01)::DECIMAL(15,2) AS p,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 7919 % 1000003)::DECIMAL(9,0) END AS q,
    (CASE WHEN i = 20500 THEN 4503599627370496 WHEN i = 5000 THEN -999999999999999999 ELSE i - 15000 END)::DECIMAL(18,0) AS big
  FROM range(${ROWS}) t(i)`;

/** Expected unscaled values of the decimal columns at row i. */
const DECIMALS: Record<string, (i: number) => bigint | null> = {
  m: (i) => BigInt((i % 37) * 125),
  p: (i) => BigInt((i * 7919) % 1000003),
  q: (i) => (i % 5 === 0 ? null : BigInt((i * 7919) % 1000003)),
  big: (i) => (i === 20500 ? 2n ** 52n : i === 5000 ? -(10n ** 18n - 1n) : BigInt(i - 15000)),
};
const DECIMAL_TYPES: Record<string, DecimalType> = {
  m: decimalType(15, 2),
  p: decimalType(15, 2),
  q: decimalType(9, 0),
  big: decimalType(18, 0),
};

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

/**
 * Every column of the file, decoded chunk by chunk with our decoder, as numbers (nulls null);
 * decimals as their unscaled int64 values, checked against their exact doubles when known.
 */
async function decodeFile(
  file: string,
  keepCodes: boolean,
): Promise<{ columns: Map<string, (number | bigint | null)[]>; encodings: Set<string>; kinds: Set<string> }> {
  const bytes = fs.readFileSync(file);
  const r = { name: file, size: bytes.length, read: async (s: number, e: number) => bytes.subarray(s, e) };
  const md = await fileMetadata(r);
  const columns = new Map<string, (number | bigint | null)[]>();
  const encodings = new Set<string>();
  const kinds = new Set<string>();
  for (const rg of md.row_groups) {
    rg.columns.forEach((chunk, k) => {
      const m = chunk.meta_data!;
      const e = md.schema[k + 1]!;
      const type = DECIMAL_TYPES[e.name] ?? 'int32';
      if (m.encodings.some((x) => x.startsWith('DELTA'))) return; // DuckDB's v2 integers: not ours
      for (const x of m.encodings) encodings.add(x);
      const [s, end] = chunkRange(m);
      const c = decodeChunk(bytes.subarray(s, end), e, m, type, Number(rg.num_rows), { keepCodes });
      kinds.add(`${e.name}:${c.kind}`);
      const v: Vec = c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec;
      const n = Number(rg.num_rows);
      const doubles = isDecimalVec(v) ? vecDoubles(v, n) : null;
      const values = isDecimalVec(v) ? v.values : (v as NumVec).values;
      const out = columns.get(e.name) ?? [];
      for (let i = 0; i < n; i++) {
        const valid = !v.validity || isValid(v.validity, i);
        if (valid && doubles && doubles.doubles[i] !== Number(values[i]!)) throw new Error(`${e.name}: doubles differ`);
        out.push(valid ? values[i]! : null);
      }
      columns.set(e.name, out);
    });
  }
  return { columns, encodings, kinds };
}

describe('page decoder', () => {
  for (const [layout, keepCodes] of Object.keys(layouts).flatMap((l) => [[l, true] as const, [l, false] as const])) {
    it(`${layout}: dictionary codes of 1–11 bits, nulls, decimals${keepCodes ? '' : ' (codes not kept)'}`, async () => {
      const { columns, encodings, kinds } = await decodeFile(path.join(dir, `${layout}.parquet`), keepCodes);
      // A dictionary decimal column without nulls: kept as codes, or straight to exact doubles.
      expect(kinds.has(`m:${keepCodes ? 'dict' : 'plain'}`)).toBe(true);
      expect(kinds.has(`m:${keepCodes ? 'plain' : 'dict'}`)).toBe(false);
      expect(encodings.has('RLE_DICTIONARY') || encodings.has('PLAIN_DICTIONARY')).toBe(true);
      if (keepCodes) for (const w of [9, 10, 11]) expect(kinds.has(`c${w}:dict`)).toBe(true);
      if (layout === 'v1') expect(columns.size).toBe(WIDTHS.length + Object.keys(DECIMALS).length);
      for (const w of WIDTHS) {
        const got = columns.get(`c${w}`);
        if (!got) continue;
        expect(got.length).toBe(ROWS);
        const bad = got.findIndex((x, i) => x !== code(w, i));
        expect(bad === -1 ? null : { w, row: bad, got: got[bad], want: code(w, bad) }).toBeNull();
      }
      for (const [name, want] of Object.entries(DECIMALS)) {
        const got = columns.get(name);
        if (!got) continue;
        const bad = got.findIndex((x, i) => x !== want(i));
        expect(bad === -1 ? null : { name, row: bad, got: got[bad], want: want(bad) }).toBeNull();
      }
    });
  }
});
