/**
 * Parquet scan: decodes the needed columns of the given row groups with parquet-wasm, one row
 * group at a time (the next one is fetched while the current one is processed), and applies
 * the pushed-down filters right after decode.
 */
import type * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { parseTable } from 'arrow-js-ffi';
import { ExecutionError } from '../planner/errors.js';
import type { Expr } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { batchesFromArrow } from './arrow.js';
import { compileConjunction, filterBatch } from './filter.js';
import type { OperatorContext } from './operator.js';
import type { RangeReader } from './parquet.js';
import type { Batch } from './vector.js';
import { addTime } from './metrics.js';

/** parquet-wasm reads through a Blob-like object; ours is backed by ranged reads. */
function blobOf(r: RangeReader) {
  const make = (start: number, end: number) => ({
    size: end - start,
    slice: (a: number, b?: number) => make(start + a, b === undefined ? end : start + b),
    arrayBuffer: async () => {
      const bytes = await r.read(start, end);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  });
  return make(0, r.size);
}

/**
 * Hand a decoded wasm table to apache-arrow through the C data interface (copying out of wasm
 * memory, which parquet-wasm reuses), ~1.5× faster than an IPC round trip.
 */
function toArrow(table: pw.Table): arrow.Table {
  const ffi = table.intoFFI();
  try {
    return parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), true) as unknown as arrow.Table;
  } finally {
    ffi.free();
  }
}

export interface ScanSpec {
  readonly columns: readonly string[];
  readonly filters: readonly Expr[];
  /** Schema of the columns read (the scan's output). */
  readonly schema: Schema;
}

export async function* scanRowGroups(
  r: RangeReader,
  rowGroups: readonly number[],
  spec: ScanSpec,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  let file: pw.ParquetFile;
  try {
    file = await pw.ParquetFile.fromFile(blobOf(r) as unknown as Blob);
  } catch (e) {
    throw new ExecutionError(
      'CORRUPT_PARQUET',
      `${r.name} is not a readable Parquet file: ${(e as Error).message ?? e}`,
      { file: r.name },
    );
  }
  const filter = spec.filters.length ? compileConjunction(spec.filters, spec.schema, ctx.udfs) : null;
  // Reading zero columns is not possible; count(*) reads the first column and drops it.
  const columns = spec.columns.length ? [...spec.columns] : undefined;
  const read = (rg: number) =>
    file.read({ columns, rowGroups: [rg], batchSize: 1 << 20 }).catch((e: unknown) => {
      throw new ExecutionError(
        'CORRUPT_PARQUET',
        `cannot decode row group ${rg} of ${r.name}: ${(e as Error)?.message ?? e}`,
        { file: r.name, rowGroup: rg },
      );
    });
  let next = rowGroups.length ? read(rowGroups[0]!) : null;
  try {
    for (let i = 0; i < rowGroups.length; i++) {
      const t0 = performance.now();
      const table = await next!;
      next = i + 1 < rowGroups.length ? read(rowGroups[i + 1]!) : null;
      const at = toArrow(table);
      const decoded = batchesFromArrow(at, spec.schema.length ? spec.schema : undefined);
      addTime('decode', performance.now() - t0);
      for (let b of decoded) {
        if (!spec.schema.length) b = { schema: [], columns: [], length: b.length };
        if (filter) b = filterBatch(b, filter);
        if (b.length > 0) yield b;
      }
    }
  } finally {
    // A consumer that stops early (a limit) leaves the prefetch of the next row group running,
    // and it borrows the file: let it finish (its result and error are not wanted) before freeing.
    if (next)
      await next.then(
        (t) => t.free(),
        () => {},
      );
    file.free();
  }
}
