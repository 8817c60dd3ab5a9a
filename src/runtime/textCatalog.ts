/**
 * CSV / NDJSON datasets for the catalog: the schema (given; or from the header and, with
 * inferSchema — always for NDJSON — the types of a sample of the first file) and each file cut
 * into byte ranges, which play the part Parquet row groups play in task splitting. The sample is
 * the first `SAMPLE_BYTES` of the first file, so the client's check and the driver's plan infer
 * the same schema.
 */
import { PlanError, StorageError } from '../../planner/errors.js';
import { type TextReadOptions, textRanges } from '../../planner/textFormat.js';
import { type DataType, field, type Schema } from '../../planner/types.js';
import type { FileFooter } from '../../operators/parquet.js';
import { readRecords } from '../../operators/textRecords.js';
import { inferTextType } from '../../operators/textValues.js';
import type { ObjectInfo, ObjectStore } from '../storage/store.js';

export const SAMPLE_BYTES = 1 << 20;
const SAMPLE_RECORDS = 10_000;

const COMPRESSED = /\.(gz|bz2|zst|zstd|lz4|snappy|deflate|xz|zip)$/i;

/** The synthetic footer of a text file: its byte ranges as row groups (no statistics). */
export function textFooter(size: number, schema: Schema, o: TextReadOptions): FileFooter {
  const share = schema.length ? 1 / schema.length : 1;
  return {
    schema,
    numRows: 0,
    rowGroups: textRanges(size, o).map((r, index) => ({
      index,
      numRows: 0,
      bytes: Object.fromEntries(schema.map((f) => [f.name, Math.ceil((r.end - r.start) * share)])),
      stats: {},
      wholeBytes: r.end - r.start,
    })),
  };
}

/** Refuse what the readers cannot split or decode. */
export function checkTextFiles(objects: readonly ObjectInfo[], url: string): void {
  const packed = objects.find((o) => COMPRESSED.test(o.key));
  if (packed)
    throw new StorageError(
      'UNSUPPORTED_COMPRESSION',
      `'${packed.key}' in '${url}' is compressed; the CSV and JSON readers read uncompressed text only — decompress it first`,
      { path: url, file: packed.key },
    );
}

/** The schema of a text dataset: the given one, or the header's names and the sample's types. */
export async function textSchema(store: ObjectStore, first: ObjectInfo, o: TextReadOptions, url: string) {
  const corrupt = o.columnNameOfCorruptRecord;
  const withCorrupt = (s: Schema): Schema =>
    corrupt && !s.some((f) => f.name === corrupt) ? [...s, field(corrupt, 'string')] : s;
  if (o.schema) return withCorrupt(o.schema);
  const bytes = first.size ? await store.getRange(first.key, 0, Math.min(first.size, SAMPLE_BYTES)) : new Uint8Array();
  // A sample that cuts a line ends at its last whole line.
  const cut = bytes.length < first.size ? bytes.lastIndexOf(10) + 1 : bytes.length;
  const text = new TextDecoder().decode(bytes.subarray(0, cut));
  const { chunk } = readRecords(text, o, 0, SAMPLE_RECORDS, -1, true);
  const schema = o.format === 'csv' ? csvSchema(chunk.rows ?? [], chunk.errors, o) : jsonSchema(chunk, o);
  if (!schema.length)
    throw new PlanError(
      'CANNOT_INFER_SCHEMA',
      `cannot infer the schema of '${url}': its first file ${first.key} has no ${o.format === 'csv' ? 'records' : 'JSON objects'} in its first ${SAMPLE_BYTES} bytes; give a schema`,
      { path: url },
    );
  return withCorrupt(schema);
}

function csvSchema(
  rows: readonly (readonly (string | null)[])[],
  errors: readonly (string | null)[],
  o: TextReadOptions,
) {
  if (!rows.length) return [];
  const head = rows[0]!;
  const seen = new Map<string, number>();
  const names = head.map((h, i) => (o.header && h !== null && h !== '' ? h : `_c${i}`));
  for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
  // Duplicate header names get their position appended, as Spark does.
  const unique = names.map((n, i) => ((seen.get(n) ?? 0) > 1 ? `${n}${i}` : n));
  const data = rows
    .slice(o.header ? 1 : 0)
    .filter((r, i) => r.length === head.length && !errors[i + (o.header ? 1 : 0)]);
  return unique.map((name, i) => {
    const type: DataType = o.inferSchema
      ? inferTextType(
          data.map((r) => r[i] ?? null),
          o,
        )
      : 'string';
    return field(name, type);
  });
}

function jsonSchema(chunk: ReturnType<typeof readRecords>['chunk'], o: TextReadOptions): Schema {
  return (chunk.keys ?? []).map((k) => {
    const cells = (chunk.cells?.(k) ?? []).filter((c) => c !== null);
    const kinds = new Set(cells.map((c) => c.kind));
    let type: DataType = 'string';
    if (kinds.size === 1 && kinds.has('bool')) type = 'bool';
    else if (kinds.size === 1 && kinds.has('number')) {
      // JSON integers are bigint (as Spark and DuckDB infer them), other numbers double.
      type = inferTextType(
        cells.map((c) => c.text),
        o,
      );
      if (type === 'int32') type = 'int64';
    }
    return field(k, type);
  });
}
