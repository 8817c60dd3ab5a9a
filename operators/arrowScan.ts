/**
 * Arrow IPC scan: the files of the session cache's copies (src/api/cache.ts), written by the
 * write path with format 'arrow'. A file is one unit of work (its only "row group"): read whole,
 * decoded to the columns the scan needs (by name), then the pushed-down filters are applied.
 */
import { ExecutionError } from '../planner/errors.js';
import { decodeIpc } from './arrow.js';
import { compileConjunction, filterBatch } from './filter.js';
import type { OperatorContext } from './operator.js';
import type { FileFooter, RangeReader } from './parquet.js';
import type { Schema } from '../planner/types.js';
import type { ScanSpec } from './scan.js';
import { addTime } from './metrics.js';
import type { Batch } from './vector.js';
import * as arrow from 'apache-arrow';

export async function* scanArrow(r: RangeReader, spec: ScanSpec, ctx: OperatorContext): AsyncIterable<Batch> {
  const filter = spec.filters.length ? compileConjunction(spec.filters, spec.schema, ctx.udfs) : null;
  const bytes = await r.read(0, r.size);
  const t0 = performance.now();
  let batches: Batch[];
  try {
    batches = spec.columns.length
      ? decodeIpc(bytes, spec.schema)
      : arrow
          .tableFromIPC(bytes)
          .batches.map((b): Batch => ({ schema: [], columns: [], length: b.numRows }))
          .filter((b) => b.length > 0);
  } catch (e) {
    throw new ExecutionError('CORRUPT_ARROW', `cannot decode the Arrow IPC file '${r.name}': ${(e as Error).message}`, {
      file: r.name,
    });
  }
  addTime('decode', performance.now() - t0);
  for (let b of batches) {
    if (filter) b = filterBatch(b, filter);
    if (b.length > 0) yield b;
  }
}

/** The synthetic footer of an Arrow IPC file (the session cache's copies): the whole file is one row group. */
export function arrowFooter(size: number, schema: Schema): FileFooter {
  const share = schema.length ? 1 / schema.length : 1;
  return {
    schema,
    numRows: 0,
    rowGroups: [
      {
        index: 0,
        numRows: 0,
        bytes: Object.fromEntries(schema.map((f) => [f.name, Math.ceil(size * share)])),
        stats: {},
        wholeBytes: size,
      },
    ],
  };
}
