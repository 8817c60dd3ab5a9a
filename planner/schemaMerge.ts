/**
 * One schema for the files of a dataset, matched by column name (as Spark and DuckDB read them):
 * the same columns in any order always read; with `mergeSchema` a column may be missing from
 * some files (read as nulls) and may widen safely (int32 → int64, float32 → float64) across
 * files. Anything else is a SchemaError naming both files and the column.
 */
import { SchemaError } from './errors.js';
import type { DataType, Field, Schema } from './types.js';
import { field } from './types.js';

/** One file's schema, named for errors. */
export interface FileSchema {
  readonly file: string;
  readonly schema: Schema;
}

/** Widenings that lose no value (each narrower type to each wider one); a pair not listed does not merge. */
const CHAINS: readonly (readonly DataType[])[] = [
  ['int8', 'int16', 'int32', 'int64'],
  ['uint8', 'int16'],
  ['uint8', 'uint16', 'int32'],
  ['uint16', 'uint32', 'int64'],
  ['float32', 'float64'],
];
const WIDER: ReadonlyMap<string, DataType> = new Map(
  CHAINS.flatMap((chain) =>
    chain.flatMap((a, i) =>
      chain.slice(i + 1).flatMap((b): [string, DataType][] => [
        [`${a}|${b}`, b],
        [`${b}|${a}`, b],
      ]),
    ),
  ),
);

/** The type both files' values fit exactly, or null. */
export function mergeTypes(a: DataType, b: DataType): DataType | null {
  if (a === b) return a;
  return WIDER.get(`${a}|${b}`) ?? null;
}

const describe = (s: Schema) => s.map((f) => `${f.name} ${f.type}`).join(', ');

/**
 * The dataset's schema: the first file's columns in its order, then (when merging) columns
 * first seen in later files, in the order they appear.
 */
export function datasetSchema(files: readonly FileSchema[], mergeSchema: boolean): Schema {
  const first = files[0];
  if (!first) return [];
  const out = new Map<string, { field: Field; file: string }>(
    first.schema.map((f) => [f.name, { field: f, file: first.file }]),
  );
  for (const { file, schema } of files.slice(1)) {
    const names = new Set(schema.map((f) => f.name));
    if (!mergeSchema) {
      const missing = [...out.keys()].filter((n) => !names.has(n));
      const extra = schema.filter((f) => !out.has(f.name)).map((f) => f.name);
      if (missing.length || extra.length) {
        const column = missing[0] ?? extra[0]!;
        throw new SchemaError(
          'SCHEMA_MISMATCH',
          `column '${column}' is in ${missing.length ? first.file : file} but not in ${missing.length ? file : first.file}: ${file} has (${describe(schema)}) but ${first.file} has (${describe(first.schema)}); read with option('mergeSchema', true) to read missing columns as nulls`,
          { column, files: [first.file, file] },
        );
      }
    }
    for (const f of schema) {
      const seen = out.get(f.name);
      if (!seen) {
        out.set(f.name, { field: field(f.name, f.type, true), file });
        continue;
      }
      const merged = mergeSchema ? mergeTypes(seen.field.type, f.type) : seen.field.type === f.type ? f.type : null;
      if (merged === null)
        throw new SchemaError(
          'SCHEMA_MISMATCH',
          `column '${f.name}' is ${seen.field.type} in ${seen.file} but ${f.type} in ${file}${mergeSchema ? ', and the two do not merge (only integers and floats widen without loss)' : "; read with option('mergeSchema', true) to widen integers and floats (int32 → int64, float32 → float64)"}`,
          { column: f.name, files: [seen.file, file], types: [seen.field.type, f.type] },
        );
      if (merged !== seen.field.type || (f.nullable && !seen.field.nullable))
        out.set(f.name, { field: field(f.name, merged, seen.field.nullable || f.nullable), file: seen.file });
    }
    // Columns this file lacks are null in its rows.
    if (mergeSchema)
      for (const [n, s] of out)
        if (!names.has(n) && !s.field.nullable) out.set(n, { ...s, field: field(n, s.field.type, true) });
  }
  return [...out.values()].map((s) => s.field);
}
