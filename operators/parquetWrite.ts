/**
 * Writing Parquet: engine batches → Arrow → parquet-wasm (snappy, row groups of ~122k rows),
 * and splitting rows by hive-style partition columns (`key=value` directories, escaped as Spark
 * escapes them: hivePath.ts).
 */
import * as arrow from 'apache-arrow';
import { resolveColumn } from '../planner/columns.js';
import type { Schema } from '../planner/types.js';
import { temporalText } from '../planner/time.js';
import { daysToDate, isTemporal } from '../planner/types.js';
import { batchesToArrow } from './arrow.js';
import { parquetCompatible } from './time/arrowTypes.js';
import { GroupTable } from './hash.js';
import { partitionSegment } from './hivePath.js';
import type { Batch } from './vector.js';
import { syncCall } from './wasm.js';
import { concatBatches, isOpaqueVec, takeBatch, valueAt, vecFromValues } from './vector.js';
import { annotateParquet } from './parquetAnnotate.js';
import { intervalBytes } from './parquetInterval.js';
import { withValidityData } from './opaque.js';

export function encodeParquet(schema: Schema, batches: readonly Batch[], rowGroupSize = 122_880): Uint8Array {
  // With no rows, one empty batch still carries each column's written type (an interval's 12 bytes).
  const some = batches.length
    ? batches
    : [{ schema, length: 0, columns: schema.map((f) => vecFromValues(f.type, [])) }];
  const compatible = parquetCompatible(
    schema,
    some.map((b) => intervalsAsBytes(schema, b)),
  );
  const table = batchesToArrow(compatible.schema, compatible.batches);
  // parquet-wasm writes no UUID or INTERVAL annotation: added to the footer afterwards.
  return annotateParquet(writeTable(table, rowGroupSize), schema);
}

/** Interval columns as the 12 bytes a Parquet INTERVAL holds (parquet-wasm cannot write their months). */
function intervalsAsBytes(schema: Schema, b: Batch): Batch {
  if (!schema.some((f) => f.type === 'interval')) return b;
  const columns = b.columns.map((v, i) =>
    isOpaqueVec(v) && v.type === 'interval'
      ? { ...v, arrow: intervalBytes(withValidityData(v.arrow, v.validity), schema[i]!.name) }
      : v,
  );
  return { ...b, columns };
}

function writeTable(table: arrow.Table, rowGroupSize: number): Uint8Array {
  return syncCall((pw) => {
    const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setMaxRowGroupSize(rowGroupSize)
      .build();
    return pw.writeParquet(wasmTable, props);
  });
}

/** Rows grouped by the partition columns' values: directory (`a=1/b=x`) → batch without them. */
export function splitByPartition(
  schema: Schema,
  batches: readonly Batch[],
  partitionBy: readonly string[],
): { dir: string; schema: Schema; batch: Batch }[] {
  const all = concatBatches(schema, batches);
  if (!partitionBy.length) return [{ dir: '', schema, batch: all }];
  const idx = partitionBy.map((c) => resolveColumn(schema, c).index);
  const keep = schema.map((_, i) => i).filter((i) => !idx.includes(i));
  const outSchema = keep.map((i) => schema[i]!);
  const table = new GroupTable(idx.map((i) => schema[i]!.type));
  const ids = table.groupIds(
    idx.map((i) => all.columns[i]!),
    all.length,
  );
  const rows: number[][] = Array.from({ length: table.size }, () => []);
  for (let r = 0; r < all.length; r++) rows[ids[r]!]!.push(r);
  return rows.map((rs) => {
    const sel = Int32Array.from(rs);
    const part = takeBatch(all, sel);
    const dir = idx
      .map((i) => {
        const v = valueAt(part.columns[i]!, 0);
        const t = schema[i]!.type;
        const text =
          v === null
            ? null
            : t === 'date'
              ? daysToDate(v as number)
              : isTemporal(t)
                ? temporalText(v as bigint, t)
                : String(v);
        return partitionSegment(schema[i]!.name, text);
      })
      .join('/');
    return {
      dir,
      schema: outSchema,
      batch: { schema: outSchema, length: part.length, columns: keep.map((i) => part.columns[i]!) },
    };
  });
}
