/**
 * Parquet scan: decodes the needed columns of the given row groups with parquet-wasm, one row
 * group at a time (the next one is fetched while the current one is processed), and applies
 * the pushed-down filters right after decode. Decoding and its failures (storage errors, corrupt
 * row groups) are parquetDecode.ts's. A filter on dictionary-encoded columns takes the
 * late-materializing path instead (scanLate.ts); number, date and decimal columns, and strings
 * stored as dictionary codes, are read by our page decoder (parquetPages.ts) in every scan.
 */
import type { Expr } from '../planner/expr.js';
import type { FileMetaData } from 'hyparquet';
import type { Schema } from '../planner/types.js';
import { batchesFromArrow } from './arrow.js';
import { compileConjunction, type Conjunction, filterBatch } from './filter.js';
import type { OperatorContext } from './operator.js';
import { fileMetadata, type RangeReader, readFooter } from './parquet.js';
import { lateScan } from './scanLate.js';
import { RowGroupReader } from './parquetDecode.js';
import type { Batch } from './vector.js';
import { addTime } from './metrics.js';
import { type KeyFilter, keyLookups } from './runtimeFilter.js';

export interface ScanSpec {
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
  /** Schema of the columns read (the scan's output). */
  readonly schema: Schema;
  /**
   * The filters are applied again after the scan (fused into an aggregate): the scan may keep
   * rows that fail them, and applies only those it can decide cheaply (scanLate.ts).
   */
  readonly prefilter?: boolean;
  /** Joins' keys to look up right after decoding the key columns (rule runtime_filter). */
  readonly keyFilters?: readonly KeyFilter[];
}

export async function* scanRowGroups(
  r: RangeReader,
  rowGroups: readonly number[],
  spec: ScanSpec,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  const filter = spec.filters.length ? compileConjunction(spec.filters, spec.schema, ctx.udfs) : null;
  if (!spec.columns.length) {
    // No column of the file is needed (only partition or missing columns): rows counted from the footer.
    const footer = await readFooter(r);
    for (const rg of rowGroups) {
      let b: Batch = { schema: [], columns: [], length: footer.rowGroups[rg]!.numRows };
      if (filter) b = filterBatch(b, filter);
      if (b.length > 0) yield b;
    }
    return;
  }
  // Join keys the build sides lack: rows dropped before their other columns are decoded.
  const lookups = spec.keyFilters?.length ? await keyLookups(spec.keyFilters, spec.schema, ctx) : [];
  const md = await fileMetadata(r);
  // Filters on dictionary-encoded columns: decided on codes, other columns built only for survivors.
  const late = spec.filters.length || lookups.length ? lateScan(r, md, spec, ctx.udfs, lookups) : null;
  if (late) {
    try {
      yield* late(rowGroups, (rest) => decodeAll(r, rest, spec, null, md));
    } finally {
      for (const l of lookups) l.release();
    }
    return;
  }
  // With `prefilter` the consumer applies the filters: the scan passes every row.
  yield* decodeAll(r, rowGroups, spec, spec.prefilter ? null : filter, md);
}

/**
 * Decode every column of the row groups, then filter: numbers, dates, decimals and dictionary
 * strings with our page decoder (scanLate.ts without filters), the rest with parquet-wasm.
 */
async function* decodeAll(
  r: RangeReader,
  rowGroups: readonly number[],
  spec: ScanSpec,
  filter: Conjunction | null,
  md: FileMetaData,
): AsyncIterable<Batch> {
  const own = lateScan(r, md, { ...spec, filters: [], prefilter: false }, undefined);
  if (!own) {
    yield* decodeWasm(r, rowGroups, spec, filter);
    return;
  }
  for await (let b of own(rowGroups, (rest) => decodeWasm(r, rest, spec, null))) {
    if (filter) b = filterBatch(b, filter);
    if (b.length > 0) yield b;
  }
}

/** Decode every column of the row groups with parquet-wasm, then filter. */
async function* decodeWasm(
  r: RangeReader,
  rowGroups: readonly number[],
  spec: ScanSpec,
  filter: Conjunction | null,
): AsyncIterable<Batch> {
  const intervals = spec.schema.filter((f) => f.type === 'interval').map((f) => f.name);
  const reader = new RowGroupReader(r, spec.columns, intervals);
  const read = (rg: number) => {
    const p = reader.read(rg);
    p.catch(() => undefined); // observed here, rethrown where it is awaited
    return p;
  };
  let next = rowGroups.length ? read(rowGroups[0]!) : null;
  try {
    for (let i = 0; i < rowGroups.length; i++) {
      const t0 = performance.now();
      const at = await next!;
      next = i + 1 < rowGroups.length ? read(rowGroups[i + 1]!) : null;
      const decoded = batchesFromArrow(at, spec.schema);
      addTime('decode', performance.now() - t0);
      for (let b of decoded) {
        if (filter) b = filterBatch(b, filter);
        if (b.length > 0) yield b;
      }
    }
  } finally {
    // A consumer that stops early (a limit) leaves the prefetch of the next row group running,
    // and it borrows the file: let it finish (its result and error are not wanted) before freeing.
    if (next) await next.catch(() => undefined);
    reader.close();
  }
}
