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
import { concatBatches, takeBatch, valueAt } from './vector.js';

export function encodeParquet(schema: Schema, batches: readonly Batch[], rowGroupSize = 122_880): Uint8Array {
  const compatible = parquetCompatible(schema, batches);
  const table = batchesToArrow(compatible.schema, compatible.batches);
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
