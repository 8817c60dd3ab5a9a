/**
 * Scan with late materialization: per row group, the conjuncts on one dictionary-encoded
 * column are evaluated once per entry of its dictionary (read alone) into a mask; the column
 * whose mask keeps the fewest entries is decoded first, as codes (operators/parquetPages.ts),
 * and each next one only at the rows still selected; then the other conjuncts, on those rows.
 * Only then are the other columns decoded — not at all for a row group where no row survives,
 * and, while the selection keeps at most 30% of the rows, only at its rows (`decodeChunkAt`: pages
 * without a selected row are not even decompressed) — and every column is gathered once, at the
 * surviving rows (dictionary columns straight from their codes). Chunks our decoder does not read (other
 * codecs, encodings, types) and plain strings no filter reads go through parquet-wasm as before.
 *
 * `prefilter`: the filters are also evaluated after the scan (fused into an aggregate), so the
 * scan applies only the cheap ones (on dictionaries); once they keep most of a row group, the
 * rest of the file is decoded the plain way (all columns, no filter).
 */
import type { ColumnMetaData, FileMetaData } from 'hyparquet';
import { resolveColumn } from '../planner/columns.js';
import { type Expr, exprChildren, referencedColumns } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { batchesFromArrow } from './arrow.js';
import { compileExpr, type UdfTable } from './eval.js';
import { conjuncts } from './filter.js';
import { selectionOf } from './kernels.js';
import { addTime } from './metrics.js';
import { columnArray, handBack, recycle, recycleColumn, spareArray } from './spareArrays.js';
import type { RangeReader } from './parquet.js';
import { chunkRange, pageDecodable } from './parquetPages.js';
import { RowGroupReader } from './parquetDecode.js';
import { codesAt, type Leaf, positionsIn, RowGroupColumns } from './rowGroupColumns.js';
import type { KeyLookup } from './runtimeFilter.js';
import type { Batch, Vec } from './vector.js';
import { concatBatches, vecLength } from './vector.js';

export interface LateScanSpec {
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
  readonly schema: Schema;
  readonly prefilter?: boolean;
}

export interface Part {
  /** The rows of a batch (its columns at `columns` filled) that pass; null when all do. */
  readonly select: (b: Batch) => Int32Array | null;
  /** Indexes (in the scan schema) of the columns it reads. */
  readonly columns: readonly number[];
  readonly udf: boolean;
  /** A join key looked up in a build side's index (runtimeFilter.ts): never throws, may go first. */
  readonly lookup: boolean;
  /** Rows it was evaluated on, and kept, over the file's row groups so far (`lookupsFirst`). */
  seen: number;
  kept: number;
}

const hasUdf = (e: Expr): boolean => e.kind === 'udf' || exprChildren(e).some(hasUdf);
const DICTIONARY = new Set(['RLE_DICTIONARY', 'PLAIN_DICTIONARY']);

/**
 * Whether every data page of a chunk is dictionary encoded, by its encoding statistics (without
 * them: whether it has a dictionary; pages that fell back to plain still decode, only slower).
 */
function dictionaryPages(m: ColumnMetaData): boolean {
  const stats = m.encoding_stats;
  if (!stats?.length) return m.encodings.some((x) => DICTIONARY.has(x));
  return stats.every((s) => s.page_type === 'DICTIONARY_PAGE' || DICTIONARY.has(s.encoding));
}

/**
 * The leaves of the scan's columns, when every one is a flat top-level column found once by
 * name; null otherwise (the scan then takes the plain path).
 */
function leavesOf(md: FileMetaData, schema: Schema): Leaf[] | null {
  const names = new Set(schema.map((f) => f.name));
  if (names.size !== schema.length) return null;
  const rg = md.row_groups[0];
  if (!rg) return null;
  const byName = new Map<string, number[]>();
  rg.columns.forEach((c, i) => {
    const path = c.meta_data?.path_in_schema;
    if (path) {
      const k = path.join('\u0000');
      byName.set(k, [...(byName.get(k) ?? []), i]);
    }
  });
  // Flat schemas: element i + 1 is leaf i.
  const flat = md.schema.length === rg.columns.length + 1 && md.schema.slice(1).every((e) => !e.num_children);
  if (!flat) return null;
  const out: Leaf[] = [];
  for (const f of schema) {
    const at = byName.get(f.name);
    if (at?.length !== 1) return null;
    out.push({ element: md.schema[at[0]! + 1]!, chunk: at[0]! });
  }
  return out;
}

/**
 * Scans row groups; `plain` decodes the given ones the usual way (all columns with
 * parquet-wasm, no filter), for the rest of a `prefilter` scan whose filters keep most rows.
 */
export type LateScan = (
  rowGroups: readonly number[],
  plain: (rowGroups: readonly number[]) => AsyncIterable<Batch>,
) => AsyncIterable<Batch>;

/**
 * A late-materializing scan, or null when it does not apply to this file (the caller scans as
 * before; scan.ts `decodeAll` also uses it without filters).
 */
export function lateScan(
  r: RangeReader,
  md: FileMetaData,
  spec: LateScanSpec,
  udfs: UdfTable | undefined,
  lookups: readonly KeyLookup[] = [],
): LateScan | null {
  // One object shape for every scan's spec (callers pass the stage plan's object or a spread of
  // it, whose shapes differ and are new after a full GC): the per-row-group code's loads of it
  // stay monomorphic instead of deoptimizing on each new shape.
  spec = { columns: spec.columns, filters: spec.filters, schema: spec.schema, prefilter: spec.prefilter ?? false };
  const leaves = leavesOf(md, spec.schema);
  if (!leaves) return null;
  const parts: Part[] = spec.filters.flatMap(conjuncts).map((e) => {
    const evaluate = compileExpr(e, spec.schema, udfs);
    return {
      select: (b: Batch) => selectionOf(evaluate(b), b.length),
      columns: [...referencedColumns(e)].map((c) => resolveColumn(spec.schema, c).index),
      udf: hasUdf(e),
      lookup: false,
      seen: 0,
      kept: 0,
    };
  });
  // Join keys looked up after the filters, on the rows they keep (runtimeFilter.ts), unless the
  // lookups turn out the more selective (`lookupsFirst`).
  for (const k of lookups)
    parts.push({ select: (b) => k.select(b), columns: k.columns, udf: false, lookup: true, seen: 0, kept: 0 });
  // Ours: numbers, dates and decimals (plain or dictionary), dictionary strings that a filter
  // reads (kept as codes), and the other strings whose pages are all dictionary codes — with
  // filters too, then decoded at the surviving rows only: parquet-wasm decoded a whole chunk for
  // them (TPC-H Q12's o_orderpriority beside a runtime-filtered o_orderkey, 2% of the rows kept).
  // parquet-wasm decodes into its own memory, then the columns are copied out: ours cost less
  // (SF1 lineitem, in process: Q18's l_orderkey scan 270-360 -> 215-320 ms, Q1's columns 1180-1430
  // -> 1000-1170 ms, l_shipmode/l_shipinstruct/l_linestatus 620-910 -> 490-700 ms), and a scan
  // that reads no column with parquet-wasm does not load it (~1 s of CPU in an executor's first
  // task: compiling and warming up its code). Plain strings (comments, names) stay with
  // parquet-wasm.
  const filtered = new Set(parts.flatMap((p) => p.columns));
  const ours = (rg: number, i: number): boolean => {
    const m = md.row_groups[rg]!.columns[leaves[i]!.chunk]!.meta_data;
    const type = spec.schema[i]!.type;
    if (!m || !pageDecodable(leaves[i]!.element, m, type)) return false;
    if (type !== 'string' && type !== 'binary') return true;
    return filtered.has(i) ? m.encodings.some((x) => DICTIONARY.has(x)) : dictionaryPages(m);
  };
  if (!spec.schema.some((_, i) => ours(0, i))) return null;
  return (rowGroups, plain) => scan(r, md, spec, leaves, parts, filtered, ours, rowGroups, plain);
}

async function* scan(
  r: RangeReader,
  md: FileMetaData,
  spec: LateScanSpec,
  leaves: readonly Leaf[],
  parts: readonly Part[],
  filtered: ReadonlySet<number>,
  ours: (rg: number, i: number) => boolean,
  rowGroups: readonly number[],
  plain: (rowGroups: readonly number[]) => AsyncIterable<Batch>,
): AsyncIterable<Batch> {
  const readers = new Map<string, RowGroupReader>();
  const wasmRead = async (rg: number, cols: readonly number[]): Promise<Map<number, Vec>> => {
    const key = cols.join(',');
    let reader = readers.get(key);
    if (!reader) {
      reader = new RowGroupReader(
        r,
        cols.map((i) => spec.columns[i]!),
        cols.filter((i) => spec.schema[i]!.type === 'interval').map((i) => spec.columns[i]!),
      );
      readers.set(key, reader);
    }
    const sub = cols.map((i) => spec.schema[i]!);
    const b = concatBatches(sub, batchesFromArrow(await reader.read(rg), sub));
    return new Map(cols.map((c, k) => [c, b.columns[k]!]));
  };
  // Raw bytes of our chunks, fetched for the next row group while this one is processed (`ahead`).
  const fetch = (rg: number, ahead: boolean) => {
    const cols = spec.schema.map((_, i) => i).filter((i) => ours(rg, i));
    const ranges = cols.map((i) => chunkRange(md.row_groups[rg]!.columns[leaves[i]!.chunk]!.meta_data!));
    const p = readRanges(r, ranges, ahead).then(({ out, reads }) => ({
      bytes: new Map(cols.map((i, k) => [i, out[k]!])),
      reads,
    }));
    p.catch(() => undefined); // observed here, rethrown where awaited
    return p;
  };
  const buffers = new ScanBuffers();
  let next = rowGroups.length ? fetch(rowGroups[0]!, false) : null;
  try {
    for (let g = 0; g < rowGroups.length; g++) {
      const rg = rowGroups[g]!;
      const { bytes, reads } = await next!;
      next = g + 1 < rowGroups.length ? fetch(rowGroups[g + 1]!, true) : null;
      const t0 = performance.now();
      const n = Number(md.row_groups[rg]!.num_rows);
      const columns = new RowGroupColumns(r, md, spec, leaves, rg, n, bytes, filtered, wasmRead, buffers);
      const out = await rowGroup(spec, parts, columns);
      // What the row group decoded and does not hand on (whole chunks it gathered from, its
      // selections) goes back to the column arrays for the next row group.
      columns.releaseDecoded(out === null || out === 'most' ? [] : out.columns);
      buffers.endRowGroup();
      // The decoders copy all they keep out of the chunks' bytes (a decompressed page's buffer is
      // reused too): the reads go back to the store's spare buffers for the next row group's.
      for (const b of reads) handBack(b);
      addTime('decode', performance.now() - t0);
      if (out === 'most') {
        // The consumer filters again and the cheap filters keep most rows: nothing to gain here.
        if (next) await next.catch(() => undefined);
        next = null;
        yield* plain(rowGroups.slice(g));
        return;
      }
      if (out && out.length > 0) yield out;
    }
  } finally {
    if (next) await next.catch(() => undefined);
    for (const reader of readers.values()) reader.close();
    buffers.release();
  }
}

/**
 * The bytes of each [start, end) range of the file, ranges that touch read as one: one request
 * instead of several (a GET each on S3; an open, read and close locally). Ranges with a gap
 * between them are not merged: reading the gap too (Q19's l_partkey and l_quantity, 290 KB apart,
 * or Q6's three columns 111 KB apart) cost more CPU in allocation and GC here than the requests saved.
 */
async function readRanges(
  r: RangeReader,
  ranges: readonly (readonly [number, number])[],
  ahead: boolean,
): Promise<{ out: Uint8Array[]; reads: Uint8Array[] }> {
  const order = ranges.map((_, k) => k).sort((a, b) => ranges[a]![0] - ranges[b]![0]);
  const reads: { start: number; end: number; members: number[] }[] = [];
  for (const k of order) {
    const [s, e] = ranges[k]!;
    const last = reads.at(-1);
    if (last && s <= last.end) {
      last.end = Math.max(last.end, e);
      last.members.push(k);
    } else reads.push({ start: s, end: e, members: [k] });
  }
  const out: Uint8Array[] = new Array(ranges.length);
  const got: Uint8Array[] = [];
  await Promise.all(
    reads.map(async ({ start, end, members }) => {
      const bytes = await r.read(start, end, ahead);
      got.push(bytes);
      for (const k of members) {
        const [s, e] = ranges[k]!;
        out[k] = bytes.subarray(Math.min(s - start, bytes.length), Math.min(e - start, bytes.length));
      }
    }),
  );
  return { out, reads: got };
}

/**
 * Rows of `sel` (all `n` rows when null) whose code passes `ok` (0 or 1 per code; a code past it
 * fails); null when all `n` pass. `codes` are the chunk's (row r at r) or, when `aligned`, those
 * of the rows of `sel` (row sel[j] at j). `share`: the share of codes that pass (of rows, about).
 */
function applyMask(
  ok: Uint8Array,
  codes: Int32Array,
  sel: Int32Array | null,
  n: number,
  aligned: boolean,
  share: number,
  buffers: ScanBuffers,
): Int32Array | null {
  const m = sel ? sel.length : n;
  const kept = buffers.rows(m);
  // Between 10% and 90% passing, a branch per row is mispredicted often: every row is written
  // instead, the next one over it unless it passes (122,880 random dates, half passing:
  // 0.70 -> 0.32 ms; at 2% or 98% the branch costs less: 0.17-0.31 vs 0.32-0.36 ms).
  const k =
    share > 0.1 && share < 0.9
      ? keptWithout(ok, codes, sel, m, aligned, kept)
      : keptWith(ok, codes, sel, m, aligned, kept);
  return k === n ? null : buffers.selection(kept, k);
}

/** `applyMask`'s rows into `kept`, a branch per row; returns how many. */
function keptWith(
  ok: Uint8Array,
  codes: Int32Array,
  sel: Int32Array | null,
  m: number,
  aligned: boolean,
  kept: Int32Array,
): number {
  let k = 0;
  if (sel && aligned) {
    for (let j = 0; j < m; j++) if (ok[codes[j]!]) kept[k++] = sel[j]!;
  } else if (sel) {
    for (let j = 0; j < m; j++) {
      const r = sel[j]!;
      if (ok[codes[r]!]) kept[k++] = r;
    }
  } else {
    for (let j = 0; j < m; j++) if (ok[codes[j]!]) kept[k++] = j;
  }
  return k;
}

/** `applyMask`'s rows into `kept` without branches; returns how many. */
function keptWithout(
  ok: Uint8Array,
  codes: Int32Array,
  sel: Int32Array | null,
  m: number,
  aligned: boolean,
  kept: Int32Array,
): number {
  let k = 0;
  if (sel && aligned) {
    for (let j = 0; j < m; j++) {
      kept[k] = sel[j]!;
      k += ok[codes[j]!]! | 0;
    }
  } else if (sel) {
    for (let j = 0; j < m; j++) {
      const r = sel[j]!;
      kept[k] = r;
      k += ok[codes[r]!]! | 0;
    }
  } else {
    for (let j = 0; j < m; j++) {
      kept[k] = j;
      k += ok[codes[j]!]! | 0;
    }
  }
  return k;
}

/**
 * Buffers one scan reuses from row group to row group (a fresh large array costs about a pass
 * over it in page faults): what they hold never leaves the row group (columns are gathered).
 * They come from the executor's spare arrays and go back there when the scan ends (`release`):
 * the next scan (the next task's) takes them instead of allocating its own.
 */
export class ScanBuffers {
  private readonly codes = new Map<number, Int32Array>();
  private kept = new Int32Array(0);
  private readonly selections: Int32Array[] = [];

  /** Room for column i's codes of `n` rows. */
  codesOf(i: number, n: number): Int32Array {
    let b = this.codes.get(i);
    if (!b || b.length < n) {
      recycle(b);
      b = spareArray(Int32Array, n);
      this.codes.set(i, b);
    }
    return b;
  }

  /** Room for a selection of up to `n` rows (read out before the next call). */
  rows(n: number): Int32Array {
    if (this.kept.length < n) {
      recycle(this.kept);
      this.kept = spareArray(Int32Array, n);
    }
    return this.kept;
  }

  /**
   * The first `k` rows of `kept` as a row group's selection: on a column array handed back when
   * the row group is done (`endRowGroup`; selections never leave it: columns are gathered).
   */
  selection(kept: Int32Array, k: number): Int32Array {
    const out = columnArray(Int32Array, k);
    out.set(kept.subarray(0, k));
    this.selections.push(out);
    return out;
  }

  /** The row group's selections go back to the column arrays: none may be read after. */
  endRowGroup(): void {
    for (const s of this.selections) recycleColumn(s);
    this.selections.length = 0;
  }

  /** Hands the buffers back to the spare arrays: none may be used after. */
  release(): void {
    for (const b of this.codes.values()) recycle(b);
    this.codes.clear();
    recycle(this.kept);
    this.kept = new Int32Array(0);
  }
}

/** Rows `s` of the selection `sel` (a selection of a selection). */
function compose(sel: Int32Array, s: Int32Array): Int32Array {
  const out = new Int32Array(s.length);
  for (let k = 0; k < s.length; k++) out[k] = sel[s[k]!]!;
  return out;
}

/**
 * The conjuncts in the order to evaluate them: the filters, then the join-key lookups — or the
 * lookups first, once the file's row groups so far show they keep a smaller share of the rows
 * they see than the filters (each share estimated from the rows it was evaluated on). A lookup
 * is then done on all rows and the filters' columns are decoded only at the rows it keeps:
 * TPC-H Q4 keeps 63% of lineitem by l_commitdate < l_receiptdate and 4% by its order-key lookup.
 * Only lookups move: they never throw, where a filter might on rows an earlier one removes.
 */
export function lookupsFirst(rest: readonly Part[]): readonly Part[] {
  let lookups = 1;
  let filters = 1;
  for (const p of rest) {
    if (p.seen === 0) return rest;
    if (p.lookup) lookups *= p.kept / p.seen;
    else filters *= p.kept / p.seen;
  }
  return lookups < filters ? [...rest.filter((p) => p.lookup), ...rest.filter((p) => !p.lookup)] : rest;
}

/** The share of a dictionary mask's entries that pass (a module-level loop: no closure compiled again each query). */
function share(ok: Uint8Array): number {
  let sum = 0;
  for (let k = 0; k < ok.length; k++) sum += ok[k]!;
  return sum / ok.length;
}

/**
 * One row group: the filtered batch, null when no row survives, or 'most' when the scan only
 * prefilters and most rows pass (the row group is then decoded the plain way).
 */
async function rowGroup(
  spec: LateScanSpec,
  parts: readonly Part[],
  g: RowGroupColumns,
): Promise<Batch | null | 'most'> {
  const n = g.n;
  const placeholder = spec.schema.map(() => null as unknown as Vec);
  // Conjuncts on one dictionary-encoded column: combined per column into one mask over its
  // dictionary (read alone first; its last entry is the null rows' code).
  const masks = new Map<number, { ok: Uint8Array; parts: Part[] }>();
  const rest: Part[] = [];
  for (const p of parts) {
    const i = p.columns[0]!;
    const dict = p.columns.length === 1 && !p.udf && g.bytes.has(i) ? g.dictionary(i) : null;
    if (!dict) {
      rest.push(p);
      continue;
    }
    const size = vecLength(dict);
    let mask = masks.get(i);
    if (!mask) {
      mask = { ok: new Uint8Array(size).fill(1), parts: [] };
      masks.set(i, mask);
    }
    mask.parts.push(p);
    const cols = placeholder.slice();
    cols[i] = dict;
    const pass = p.select({ schema: spec.schema, columns: cols, length: size });
    if (pass === null) continue;
    const hit = new Uint8Array(size);
    for (let k = 0; k < pass.length; k++) hit[pass[k]!] = 1;
    for (let k = 0; k < size; k++) mask.ok[k] &= hit[k]!;
  }
  // The column whose mask keeps the fewest entries first; the next ones are decoded only at the
  // rows still selected (when few are).
  let sel: Int32Array | null = null;
  for (const [i, { ok, parts: own }] of [...masks].sort(([, a], [, b]) => share(a.ok) - share(b.ok))) {
    const passing = share(ok);
    if (passing === 1) continue; // every entry passes (the null too)
    const { rows, col } = g.chunk(i, sel);
    if (col.kind !== 'dict') {
      // Some pages plain (a dictionary that grew too large): its conjuncts on values, below.
      rest.unshift(...own);
      continue;
    }
    const codes = rows === null || rows === sel ? col.codes : codesAt(col.codes, positionsIn(rows, sel!));
    sel = applyMask(ok, codes, sel, n, rows !== null, passing, g.buffers);
    if (sel && sel.length === 0) return null;
  }
  for (const p of lookupsFirst(rest)) {
    // Conjuncts that need wasm-decoded columns or user code are left to the consumer when it re-checks.
    if (spec.prefilter && (p.udf || p.columns.some((i) => !g.bytes.has(i)))) continue;
    await g.ensureWasm(p.columns);
    const cols = placeholder.slice();
    for (const i of p.columns) cols[i] = g.column(i, sel);
    const len = sel ? sel.length : n;
    const s = p.select({ schema: spec.schema, columns: cols, length: len });
    // The conjunct read its columns and kept none (user code might): gathers go back to the spares.
    if (!p.udf) for (const i of p.columns) g.releaseGathered(i, cols[i]!);
    p.seen += len;
    p.kept += s === null ? len : s.length;
    if (s === null) continue;
    sel = sel ? compose(sel, s) : s;
    if (sel.length === 0) return null;
  }
  if (spec.prefilter && (!sel || sel.length * 2 >= n)) return 'most';
  await g.ensureWasm(spec.schema.map((_, i) => i));
  const columns = spec.schema.map((_, i) => g.column(i, sel));
  return { schema: spec.schema, columns, length: sel ? sel.length : n };
}
