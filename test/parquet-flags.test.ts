/**
 * One-byte strings of a small dictionary (flags: TPC-H's l_returnflag, l_linestatus) decoded
 * straight from their codes to their bytes (operators/parquetChunk.ts `decodeChunk` with
 * `flags`, operators/parquetPages.ts `readHybridDict`): dictionaries of 1 to 16 entries (codes
 * of 0 to 4 bits, padded dictionaries), and the chunks that keep the usual path (17 entries,
 * two-byte strings, nulls): every value as DuckDB wrote it, in v1 and v2 pages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMetadata } from '../operators/parquet.js';
import { decodeChunk } from '../operators/parquetChunk.js';
import { gather, widthOffsets } from '../operators/parquetGather.js';
import { chunkRange } from '../operators/parquetPages.js';
import { isBytesVec, isValid, stringAt, type Vec } from '../operators/vector.js';
import { tempDir } from './support/tpch.js';

const ROWS = 30_011;
const LETTERS = 'ANRFOBCDEGHIJKLMPQ';
const dir = tempDir('stratus-flags-');

/** Column name -> expected value at row i (null for a null). */
const COLUMNS: Record<string, (i: number) => string | null> = {
  f1: () => 'A',
  f2: (i) => LETTERS[(i * 7 + (i >> 5)) % 2]!,
  f3: (i) => LETTERS[(i * 7 + (i >> 5)) % 3]!,
  f5: (i) => LETTERS[(i * 7 + (i >> 5)) % 5]!,
  f9: (i) => LETTERS[(i * 7 + (i >> 5)) % 9]!,
  f16: (i) => LETTERS[(i * 7 + (i >> 5)) % 16]!,
  f17: (i) => LETTERS[(i * 7 + (i >> 5)) % 17]!,
  runs: (i) => LETTERS[Math.floor(i / 1000) % 3]!,
  wide: (i) => `${LETTERS[i % 3]}x`,
  nulls: (i) => (i % 11 === 0 ? null : LETTERS[i % 3]!),
};
/** The columns that go straight to bytes, and those that keep their codes (then a gather). */
const STRAIGHT = ['f1', 'f2', 'f3', 'f5', 'f9', 'runs'];
const BY_CODES = ['f17', 'wide', 'nulls'];

const sql = (name: string): string => {
  const pick = (k: number) => `substr('${LETTERS}', ((i * 7 + (i >> 5)) % ${k})::INTEGER + 1, 1)`;
  switch (name) {
    case 'f1':
      return `'A'`;
    case 'runs':
      return `substr('${LETTERS}', ((i // 1000) % 3)::INTEGER + 1, 1)`;
    case 'wide':
      return `substr('${LETTERS}', (i % 3)::INTEGER + 1, 1) || 'x'`;
    case 'nulls':
      return `CASE WHEN i % 11 = 0 THEN NULL ELSE substr('${LETTERS}', (i % 3)::INTEGER + 1, 1) END`;
    default:
      return pick(Number(name.slice(1)));
  }
};

const layouts = {
  v1: 'COMPRESSION snappy, ROW_GROUP_SIZE 10007',
  v2: 'COMPRESSION snappy, ROW_GROUP_SIZE 10007, PARQUET_VERSION V2',
} as const;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const select = `SELECT ${Object.keys(COLUMNS)
    .map((k) => `${sql(k)} AS ${k}`)
    .join(', ')} FROM range(${ROWS}) t(i)`;
  for (const [name, opts] of Object.entries(layouts))
    await c.run(`COPY (${select}) TO '${path.join(dir, `${name}.parquet`)}' (FORMAT parquet, ${opts})`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('flags decoded straight to bytes', () => {
  for (const layout of Object.keys(layouts))
    it(`${layout}: every value, straight where the dictionary allows, by codes where not`, async () => {
      const file = path.join(dir, `${layout}.parquet`);
      const bytes = fs.readFileSync(file);
      const r = { name: file, size: bytes.length, read: async (s: number, e: number) => bytes.subarray(s, e) };
      const md = await fileMetadata(r);
      const got = new Map<string, (string | null)[]>();
      const straight = new Set<string>();
      for (const rg of md.row_groups) {
        const n = Number(rg.num_rows);
        rg.columns.forEach((chunk, k) => {
          const m = chunk.meta_data!;
          const e = md.schema[k + 1]!;
          const [s, end] = chunkRange(m);
          const c = decodeChunk(bytes.subarray(s, end), e, m, 'string', n, { keepCodes: false, flags: true });
          const v: Vec = c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec;
          if (c.kind === 'plain' && isBytesVec(v) && v.offsets.buffer === widthOffsets(1, n).buffer)
            straight.add(e.name);
          const out = got.get(e.name) ?? [];
          for (let i = 0; i < n; i++) out.push(isValid(v.validity, i) ? stringAt(v as never, i) : null);
          got.set(e.name, out);
        });
      }
      // (f16: straight when its writer gives 16 entries 4-bit codes; DuckDB writes 5.)
      for (const name of STRAIGHT) expect(straight.has(name), name).toBe(true);
      for (const name of BY_CODES) expect(straight.has(name), name).toBe(false);
      for (const [name, expected] of Object.entries(COLUMNS))
        expect(got.get(name), name).toEqual(Array.from({ length: ROWS }, (_, i) => expected(i)));
    });
});
