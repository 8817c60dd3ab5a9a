/**
 * Arrow columns → record batches → one Parquet file, via parquet-wasm. Batches of any length go
 * in; the writer cuts row groups of exactly `rowGroupSize` rows (the last one shorter).
 */
import { writeFile } from 'node:fs/promises';
import { DataType, RecordBatch, Struct, Table, makeData, tableToIPC, type Data, type Schema } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { isDictionaryColumn } from './schema.js';

export type Compression = 'snappy' | 'zstd' | 'uncompressed';

export interface WriteOptions {
  readonly compression: Compression;
  readonly rowGroupSize: number;
}

const CODECS: Record<Compression, pw.Compression> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  uncompressed: pw.Compression.UNCOMPRESSED,
};

/**
 * One record batch from columns given in schema order. Money columns are generated as doubles
 * holding whole cents / 100; where the schema says DECIMAL they become exact unscaled Decimal128.
 */
export function recordBatch(schema: Schema, generated: readonly Data[]): RecordBatch {
  const columns = generated.map((c, i) => {
    const type = schema.fields[i]?.type;
    return type && DataType.isDecimal(type) && DataType.isFloat(c.type) ? decimalData(c, type.scale, type) : c;
  });
  const length = columns[0]?.length ?? 0;
  if (columns.length !== schema.fields.length || columns.some((c) => c.length !== length)) {
    throw new Error(
      `datagen: batch does not fit its schema: ${columns.length} columns of lengths ` +
        `[${columns.map((c) => c.length).join(', ')}] for fields [${schema.names.join(', ')}]`,
    );
  }
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [...columns] });
  return new RecordBatch(schema, data);
}

/** Writes the batches as one Parquet file and returns its size in bytes. */
export async function writeParquetFile(
  path: string,
  schema: Schema,
  batches: readonly RecordBatch[],
  opts: WriteOptions,
): Promise<number> {
  const ipc = tableToIPC(new Table(schema, [...batches]), 'stream');
  const wasmTable = pw.Table.fromIPCStream(ipc);
  let props = new pw.WriterPropertiesBuilder()
    .setCompression(CODECS[opts.compression])
    .setMaxRowGroupSize(opts.rowGroupSize)
    .setDictionaryEnabled(false)
    .setCreatedBy('stratus datagen');
  for (const name of schema.names) {
    if (isDictionaryColumn(String(name))) props = props.setColumnDictionaryEnabled(String(name), true);
  }
  const bytes = pw.writeParquet(wasmTable, props.build()); // consumes wasmTable and props
  await writeFile(path, bytes);
  return bytes.length;
}

/** Doubles → Decimal128 at `scale` (each value rounded to the nearest unscaled integer, which is exact for cents / 100). */
function decimalData(doubles: Data, scale: number, type: DataType): Data {
  const values = doubles.values as Float64Array;
  const n = doubles.length;
  const words = new BigInt64Array(2 * n); // 128-bit little-endian: low word, then the sign extension
  const factor = 10 ** scale;
  for (let i = 0; i < n; i++) {
    const v = BigInt(Math.round(values[i]! * factor));
    words[2 * i] = v;
    words[2 * i + 1] = v < 0n ? -1n : 0n;
  }
  return makeData({ type, length: n, nullCount: 0, data: new Uint32Array(words.buffer) } as never);
}
