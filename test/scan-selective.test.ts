/**
 * Decoding only the selected rows (operators/parquetChunk.ts `decodeChunkAt`, used by the
 * late-materializing scan, operators/scanLate.ts): on a file written with small pages (many per
 * chunk), several row groups, dictionaries that overflow into plain pages within one chunk,
 * a chunk of nulls and sorted columns (filters keeping none or all rows of a page),
 * - every chunk decoded at a selection equals the whole chunk decoded and gathered there;
 * - a page holding none of the selected rows is not read (a corrupt one does not fail the scan);
 * - scans with filters give exactly DuckDB's rows on the same file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBDateValue, DuckDBDecimalValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as A from 'apache-arrow';
import type { ColumnMetaData, FileMetaData } from 'hyparquet';
import { readOffsetIndex } from 'hyparquet/src/indexes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMetadata, readFooter, type RangeReader } from '../operators/parquet.js';
import { gather } from '../operators/parquetGather.js';
import { type ChunkColumn, decodeChunk, decodeChunkAt } from '../operators/parquetChunk.js';
import { chunkRange } from '../operators/parquetPages.js';
import { scanRowGroups } from '../operators/scan.js';
import { syncCall } from '../operators/wasm.js';
import { batchRows, type Vec } from '../operators/vector.js';
import { binary, col, type Expr, isNull, lit } from '../planner/expr.js';
import type { DataType } from '../planner/types.js';
import { decimalType } from '../planner/types.js';
import { bytesReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

const ROWS = 30_000;
const GROUP = 12_000; // three row groups, the last one short
const dir = tempDir('stratus-selective-');
const file = path.join(dir, 'pages.parquet');
let db: DuckDBConnection;

/** The test table: sorted id and date, codes of a few values, distinct strings (the dictionary overflows), a row group of nulls. */
function table(): A.Table {
  const id = Int32Array.from({ length: ROWS }, (_, i) => i);
  const k = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i % 50));
  const d = Int32Array.from({ length: ROWS }, (_, i) => 9000 + Math.floor(i / 40));
  const s = Array.from({ length: ROWS }, (_, i) =>
    (i >= GROUP && i < 2 * GROUP) || i % 17 === 0 ? null : `mode${i % 300}`,
  );
  const u = Array.from({ length: ROWS }, (_, i) => `u${(i * 7919) % 100_003}`);
  const x = Array.from({ length: ROWS }, (_, i) => (i % 11 === 0 ? null : i * 0.25));
  const money = new A.Decimal(2, 15, 128);
  const words = new Uint32Array(4 * ROWS);
  for (let i = 0; i < ROWS; i++) words[4 * i] = (i * 7919) % 1_000_003; // distinct: plain pages after the dictionary's
  return new A.Table({
    id: A.makeVector(id),
    k: A.makeVector(k),
    d: A.makeVector({ type: new A.DateDay(), data: d, length: ROWS } as never),
    s: A.vectorFromArray(s, new A.Utf8()),
    u: A.vectorFromArray(u, new A.Utf8()),
    x: A.vectorFromArray(x, new A.Float64()),
    m: A.makeVector(A.makeData({ type: money, length: ROWS, nullCount: 0, data: words })),
  });
}

/** Engine types of the test table's columns. */
const TYPES: Record<string, DataType> = {
  id: 'int32',
  k: 'int64',
  d: 'date',
  s: 'string',
  u: 'string',
  x: 'float64',
  m: decimalType(15, 2),
};

/** Every row of a column vector, as plain JS values (decimals as bigint unscaled). */
function values(v: Vec, n: number): unknown[] {
  const out: unknown[] = [];
  for (const row of batchRows({ schema: [{ name: 'c', type: v.type, nullable: true }], columns: [v], length: n }))
    out.push(row.c);
  return out;
}

const asVec = (c: ChunkColumn): Vec => (c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec);

/** Selections of a row group of n rows: none, one, both ends, sparse, a block inside one page, most. */
function selections(n: number): Int32Array[] {
  const pick = (f: (i: number) => boolean) => Int32Array.from({ length: n }, (_, i) => i).filter(f);
  return [
    new Int32Array(0),
    Int32Array.of(0),
    Int32Array.of(n - 1),
    pick((i) => i % 97 === 5),
    pick((i) => i >= 1500 && i < 1700),
    pick((i) => (i * 2654435761) % 1000 < 37),
    pick((i) => i % 3 !== 0),
  ];
}

let bytes: Uint8Array;
let md: FileMetaData;

beforeAll(async () => {
  const ipc = A.tableToIPC(table(), 'stream');
  bytes = syncCall((pw) => {
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setMaxRowGroupSize(GROUP)
      .setDataPageSizeLimit(4096)
      .setDictionaryPageSizeLimit(8192)
      .setWriteBatchSize(500)
      .build();
    return pw.writeParquet(pw.Table.fromIPCStream(ipc), props);
  });
  fs.writeFileSync(file, bytes);
  md = await fileMetadata(bytesReader(bytes, file));
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  db?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Chunk `c` of row group `rg`: its bytes, schema element and metadata. */
function chunk(rg: number, c: number) {
  const m = md.row_groups[rg]!.columns[c]!.meta_data as ColumnMetaData;
  const [s, e] = chunkRange(m);
  return {
    bytes: bytes.subarray(s, e),
    start: s,
    element: md.schema[c + 1]!,
    m,
    n: Number(md.row_groups[rg]!.num_rows),
  };
}

describe('decodeChunkAt', () => {
  it('the file has what the tests need: many pages a chunk, several row groups, dictionary and plain pages in one chunk', () => {
    expect(md.row_groups.length).toBe(3);
    const u = chunk(0, 4).m;
    expect(u.encodings).toContain('PLAIN');
    expect(u.encodings.some((x) => x.endsWith('DICTIONARY'))).toBe(true);
    const pages = (c: number) => readOffsetIndex(offsetIndexReader(0, c)).page_locations.length;
    for (let c = 0; c < 7; c++) expect(pages(c)).toBeGreaterThan(1);
    // Column s: null in the whole of row group 1.
    const s = chunk(1, 3);
    const whole = decodeChunk(s.bytes, s.element, s.m, 'string', s.n);
    expect(values(asVec(whole), s.n).every((v) => v === null)).toBe(true);
  });

  it('equals the whole chunk decoded and gathered, for every column, row group and selection', () => {
    for (let rg = 0; rg < md.row_groups.length; rg++)
      md.row_groups[rg]!.columns.forEach((_, c) => {
        const { bytes: b, element, m, n } = chunk(rg, c);
        const type = TYPES[element.name]!;
        const whole = asVec(decodeChunk(b, element, m, type, n));
        for (const sel of selections(n)) {
          const got = values(asVec(decodeChunkAt(b, element, m, type, n, sel)), sel.length);
          const want = values(gather(whole, sel), sel.length);
          expect({ rg, column: element.name, size: sel.length, got }).toEqual({
            rg,
            column: element.name,
            size: sel.length,
            got: want,
          });
        }
      });
  });

  it('does not read a page holding none of the selected rows', () => {
    // Column x of row group 1: its third data page's body overwritten; rows of other pages still decode.
    const c = 5;
    const { bytes: b, start, element, m, n } = chunk(1, c);
    const pages = readOffsetIndex(offsetIndexReader(1, c)).page_locations;
    const page = pages[2]!;
    const first = Number(page.first_row_index);
    const end = Number(pages[3]!.first_row_index);
    const broken = b.slice();
    const at = Number(page.offset) - start;
    broken.fill(0xff, at + page.compressed_page_size - 16, at + page.compressed_page_size);
    const outside = Int32Array.from({ length: n }, (_, i) => i).filter((i) => (i < first || i >= end) && i % 7 === 0);
    const whole = asVec(decodeChunk(b, element, m, 'float64', n));
    expect(values(asVec(decodeChunkAt(broken, element, m, 'float64', n, outside)), outside.length)).toEqual(
      values(gather(whole, outside), outside.length),
    );
    expect(() => decodeChunk(broken, element, m, 'float64', n)).toThrow();
    expect(() => decodeChunkAt(broken, element, m, 'float64', n, Int32Array.of(first + 1))).toThrow();
  });
});

function offsetIndexReader(rg: number, c: number) {
  const chunkMeta = md.row_groups[rg]!.columns[c]!;
  const at = Number(chunkMeta.offset_index_offset);
  return { view: new DataView(bytes.buffer, bytes.byteOffset + at, chunkMeta.offset_index_length!), offset: 0 };
}

/** A DuckDB value as the scan gives it: dates as day numbers, decimals as their text. */
const cell = (v: unknown): unknown =>
  v instanceof DuckDBDateValue ? v.days : v instanceof DuckDBDecimalValue ? v.toString() : v;

async function scanRows(filters: readonly Expr[], from = bytes): Promise<unknown[][]> {
  const r = bytesReader(from, file);
  const footer = await readFooter(r);
  const spec = { columns: footer.schema.map((f) => f.name), filters, schema: footer.schema };
  const rows: unknown[][] = [];
  for await (const b of scanRowGroups(r, [0, 1, 2], spec, {}))
    for (const row of batchRows(b)) rows.push(Object.values(row).map((v) => (typeof v === 'bigint' ? Number(v) : v)));
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number));
}

async function duckRows(where: string): Promise<unknown[][]> {
  const res = await db.runAndReadAll(`SELECT id, k, d, s, u, x, m::VARCHAR FROM '${file}' WHERE ${where} ORDER BY id`);
  return res.getRows().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : cell(v))));
}

const CASES: { name: string; filters: Expr[]; sql: string }[] = [
  {
    name: 'a range of a sorted column: the other columns read from two pages of one row group',
    filters: [binary('>=', col('id'), lit(4100)), binary('<', col('id'), lit(4300))],
    sql: 'id >= 4100 AND id < 4300',
  },
  {
    name: 'one code of a dictionary column (2% of every page)',
    filters: [binary('=', col('k'), lit(7))],
    sql: 'k = 7',
  },
  {
    name: 'nulls: a column null in a whole row group',
    filters: [isNull(col('s')), binary('<', col('k'), lit(10))],
    sql: 's IS NULL AND k < 10',
  },
  {
    name: 'two dictionary columns, the second decoded at the rows of the first',
    filters: [binary('<', col('s'), lit('mode2')), binary('<', col('k'), lit(10))],
    sql: "s < 'mode2' AND k < 10",
  },
  {
    name: 'a date keeping all rows of its later pages and none of its first',
    filters: [binary('>=', col('d'), lit('2000-01-01', 'date')), binary('<', col('k'), lit(20))],
    sql: "d >= DATE '2000-01-01' AND k < 20",
  },
  {
    name: 'a column whose dictionary overflows into plain pages (its conjunct on values)',
    filters: [binary('=', col('k'), lit(3)), binary('<', col('u'), lit('u5'))],
    sql: "k = 3 AND u < 'u5'",
  },
  { name: 'nothing survives', filters: [binary('=', col('k'), lit(77))], sql: 'k = 77' },
  {
    name: 'a double with nulls and a decimal bound',
    filters: [binary('<', col('x'), lit(1000)), binary('>', col('k'), lit(40))],
    sql: 'x < 1000 AND k > 40',
  },
];

describe('scan with filters against DuckDB on a file of small pages', () => {
  it('reads only the pages of the surviving rows (a corrupt page elsewhere does not fail it)', async () => {
    // Column x of row group 0: the page holding row 8000 overwritten; the filter keeps rows 4100–4299.
    const c = 5;
    const pages = readOffsetIndex(offsetIndexReader(0, c)).page_locations;
    const k = pages.findIndex(
      (p, j) => Number(p.first_row_index) <= 8000 && Number(pages[j + 1]?.first_row_index ?? GROUP) > 8000,
    );
    expect(Number(pages[k]!.first_row_index)).toBeGreaterThan(4300);
    const at = Number(pages[k]!.offset) + pages[k]!.compressed_page_size;
    const broken = bytes.slice();
    broken.fill(0xff, at - 16, at);
    const filters = [binary('>=', col('id'), lit(4100)), binary('<', col('id'), lit(4300))];
    const got = await scanRows(filters, broken);
    expect(got).toEqual(await duckRows('id >= 4100 AND id < 4300'));
    await expect(
      scanRows([binary('>=', col('id'), lit(7900)), binary('<', col('id'), lit(8100))], broken),
    ).rejects.toThrow(/corrupt/);
  });

  it("reads a row group's adjacent chunks at once (one request, not one a column)", async () => {
    const reads: [number, number][] = [];
    const counting: RangeReader = {
      ...bytesReader(bytes, file),
      read: async (a, b) => {
        reads.push([a, b]);
        return bytes.slice(a, b);
      },
    };
    const names = ['id', 'k', 'd', 'x', 'm'];
    const footer = await readFooter(counting);
    const schema = names.map((n) => footer.schema.find((f) => f.name === n)!);
    const filters = [binary('<', col('k'), lit(10))];
    let rows = 0;
    for await (const b of scanRowGroups(counting, [0, 1, 2], { columns: names, filters, schema }, {})) rows += b.length;
    expect(rows).toBe((await duckRows('k < 10')).length);
    // Reads of column chunks only (the footer's end past the last row group): per row group, id–k–d
    // at once and x–m at once (s and u, not read, lie between them).
    const dataEnd = Math.max(...md.row_groups.flatMap((g) => g.columns.map((c) => chunkRange(c.meta_data!)[1])));
    expect(reads.filter(([, b]) => b <= dataEnd).length).toBe(6);
  });

  for (const c of CASES)
    it(c.name, async () => {
      const [got, want] = await Promise.all([scanRows(c.filters), duckRows(c.sql)]);
      expect(got.length).toBe(want.length);
      expect(got).toEqual(want);
    });
});
