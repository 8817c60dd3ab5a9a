/**
 * Plain pages of fixed-width columns (int32, int64, float64, date, short decimals) copied straight into one
 * array per column chunk (operators/parquetChunk.ts `decodeChunk`): chunks of several pages (as
 * parquet-wasm writes them, 20,000 rows a page), v1 and v2, uncompressed and snappy, with nulls
 * in one page among pages without (that page spread, then the pages concatenated), and
 * dictionary pages falling back to plain ones within a chunk; and dictionary chunks (codes
 * kept or not): every value as written; and the same chunks at a sparse selection of rows
 * (`decodeChunkAt`).
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type DataType, decimalType, field, type Schema } from '../planner/types.js';
import { batchesToArrow } from '../operators/arrow.js';
import { fileMetadata } from '../operators/parquet.js';
import { gather } from '../operators/parquetGather.js';
import { decodeChunk, decodeChunkAt } from '../operators/parquetChunk.js';
import { chunkRange } from '../operators/parquetPages.js';
import { isValid, vecFromValues, type Vec } from '../operators/vector.js';
import { syncCall } from '../operators/wasm.js';
import { parquetHeader } from 'hyparquet/src/column.js';

const ROWS = 250_000;
const NULLS = (i: number) => i >= 150_000 && i < 150_100;

/** Expected value of each column at row i (`n` and `m` null on rows 150000-150099). */
const WANT: Record<string, { type: DataType; at: (i: number) => number | bigint | null }> = {
  a: { type: 'int32', at: (i) => ((i * 7919) % 1000003) - 500000 },
  b: { type: 'int64', at: (i) => BigInt(i) * 1000000007n - 2n ** 40n },
  d: { type: 'float64', at: (i) => i * 0.5 - 1000.25 },
  t: { type: 'date', at: (i) => i - 25567 },
  n: { type: 'int32', at: (i) => (NULLS(i) ? null : i * 3) },
  m: { type: 'float64', at: (i) => (NULLS(i) ? null : i * 0.25) },
  // Few distinct values: dictionary encoded.
  k: { type: 'int64', at: (i) => BigInt((i * 7) % 1000) * 1000000000000n - 5n },
  f: { type: 'float64', at: (i) => ((i * 11) % 333) * 0.5 },
  dt: { type: 'date', at: (i) => 9000 + ((i * 13) % 2000) },
  dn: { type: 'int32', at: (i) => (NULLS(i) ? null : (i * 3) % 500) },
  // Short decimals (arrow-rs writes them as INT64 and INT32 unscaled values): exact doubles.
  p: { type: decimalType(18, 0), at: (i) => BigInt((i * 7919) % 1000003) - 500000n },
  q: { type: decimalType(9, 0), at: (i) => (NULLS(i) ? null : BigInt((i % 100000) - 50000)) },
};
const schema: Schema = Object.entries(WANT).map(([name, { type }]) => field(name, type));

/** The columns as engine vectors (dates as day numbers). */
const rows = Array.from({ length: ROWS }, (_, i) => i);
const table = batchesToArrow(schema, [
  {
    schema,
    length: ROWS,
    columns: schema.map((f) =>
      f.type === 'date'
        ? { type: 'date' as const, values: Int32Array.from(rows, (i) => Number(WANT[f.name]!.at(i))), validity: null }
        : vecFromValues(
            f.type,
            rows.map((i) => WANT[f.name]!.at(i)),
          ),
    ),
  },
]);

type Props = 'plain' | 'plain-v2' | 'plain-raw' | 'fallback' | 'dictionary';

function write(kind: Props): Uint8Array {
  return syncCall((pw) => {
    const t = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
    let b = new pw.WriterPropertiesBuilder()
      .setCompression(kind === 'plain-raw' ? pw.Compression.UNCOMPRESSED : pw.Compression.SNAPPY)
      .setMaxRowGroupSize(122_880);
    if (kind === 'fallback') b = b.setDictionaryPageSizeLimit(64 << 10);
    else if (kind === 'dictionary') b = b.setDictionaryEnabled(true);
    else b = b.setDictionaryEnabled(false).setEncoding(pw.Encoding.PLAIN);
    if (kind === 'plain-v2') b = b.setWriterVersion(pw.WriterVersion.V2);
    // A fresh Uint8Array, as a store's reads are.
    return new Uint8Array(pw.writeParquet(t, b.build()));
  });
}

/** Data pages of a column chunk, and how many of them are plain. */
function pages(chunk: Uint8Array): { data: number; plain: number } {
  const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
  let data = 0;
  let plain = 0;
  while (reader.offset < chunk.length) {
    const h = parquetHeader(reader);
    reader.offset += h.compressed_page_size;
    if (h.type === 'DICTIONARY_PAGE') continue;
    data++;
    if ((h.data_page_header ?? h.data_page_header_v2)!.encoding === 'PLAIN') plain++;
  }
  return { data, plain };
}

describe('plain pages straight into the chunk', () => {
  for (const [kind, keepCodes] of [
    ['plain', true],
    ['plain-v2', true],
    ['plain-raw', true],
    ['fallback', true],
    ['fallback', false],
    ['dictionary', true],
    ['dictionary', false],
  ] as const)
    it(`${kind}${keepCodes ? '' : ' (codes not kept)'}: int32, int64, float64 and date chunks of several pages, nulls in one page`, async () => {
      const bytes = write(kind);
      const r = { name: kind, size: bytes.length, read: async (s: number, e: number) => bytes.slice(s, e) };
      const md = await fileMetadata(r);
      const got = new Map<string, (number | bigint | null)[]>();
      let multiPage = 0;
      let mixed = 0;
      const kinds = new Set<string>();
      for (const rg of md.row_groups)
        rg.columns.forEach((chunk, k) => {
          const m = chunk.meta_data!;
          const e = md.schema[k + 1]!;
          const [s, end] = chunkRange(m);
          const p = pages(bytes.subarray(s, end));
          if (p.data > 1 && p.plain === p.data) multiPage++;
          if (p.plain > 0 && p.plain < p.data) mixed++;
          const n = Number(rg.num_rows);
          const c = decodeChunk(bytes.slice(s, end), e, m, WANT[e.name]!.type, n, { keepCodes });
          kinds.add(`${e.name}:${c.kind}`);
          const v: Vec = c.kind === 'dict' ? gather(c.dict, c.codes) : c.vec;
          const values = (v as { values: ArrayLike<number | bigint> }).values;
          expect(values.length).toBe(n);
          const out = got.get(e.name) ?? [];
          for (let i = 0; i < n; i++) out.push(!v.validity || isValid(v.validity, i) ? values[i]! : null);
          got.set(e.name, out);
          // The same chunk at every 7th row (and its last) only: the rows of the whole decode.
          const sel = Int32Array.from({ length: Math.ceil(n / 7) }, (_, j) => Math.min(7 * j + (j % 3), n - 1));
          const at = decodeChunkAt(bytes.slice(s, end), e, m, WANT[e.name]!.type, n, sel);
          const w: Vec = at.kind === 'dict' ? gather(at.dict, at.codes) : at.vec;
          const wv = (w as { values: ArrayLike<number | bigint> }).values;
          const first = out.length - n;
          sel.forEach((r, j) => {
            const x = !w.validity || isValid(w.validity, j) ? wv[j]! : null;
            if (x !== out[first + r]) throw new Error(`${e.name} at row ${r}: ${x}, whole ${out[first + r]}`);
          });
        });
      if (kind === 'fallback') expect(mixed).toBeGreaterThan(0);
      else if (kind !== 'dictionary') expect(multiPage).toBeGreaterThan(0);
      if (kind === 'dictionary') {
        // Codes kept, every dictionary chunk comes back as codes; not kept, a date (or int32)
        // dictionary's codes go straight to its values, pages of several code widths included ('a').
        for (const name of keepCodes ? ['k', 'f', 'dt'] : ['k', 'f']) expect(kinds.has(`${name}:dict`)).toBe(true);
        if (!keepCodes) expect(kinds.has('dt:plain')).toBe(true);
      }
      expect([...got.keys()].sort()).toEqual(Object.keys(WANT).sort());
      for (const [name, { at }] of Object.entries(WANT)) {
        const col = got.get(name)!;
        expect(col.length).toBe(ROWS);
        const bad = col.findIndex((x, i) => x !== at(i));
        expect(bad === -1 ? null : { name, row: bad, got: col[bad], want: at(bad) }).toBeNull();
      }
    });
});
