/**
 * Differential test, tables on disk: writes a generated table (model.ts) as Parquet files that
 * both Stratus and DuckDB read — with the project's writer (parquet-wasm, via the datagen
 * writer) in row groups of a few rows, or re-written by DuckDB (its own encodings). Rows are
 * dealt round-robin into `files` files, so scans have several files and row groups.
 *
 * @example
 * await writeTable(duck, dir, spec); // dir/part-0.parquet, dir/part-1.parquet, …
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  Bool,
  type Data,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  Schema,
  type DataType as ArrowType,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { recordBatch, writeParquetFile } from '../../benchmarks/datagen/writer.js';
import type { TableSpec } from './model.js';
import { type ColType, daysOf, decimalParams, isDecimal, parseUnscaled, type Value } from './values.js';

export function arrowType(t: ColType): ArrowType {
  switch (t) {
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'string':
      return new Utf8();
    case 'bool':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
    default: {
      const { precision, scale } = decimalParams(t);
      return new Decimal(scale, precision, 128);
    }
  }
}

function validity(values: readonly Value[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** One Arrow column of `type` from row values (nulls where null). */
export function arrowColumn(type: ColType, values: readonly Value[]): Data {
  const n = values.length;
  const t = arrowType(type);
  if (type === 'string' || type === 'bool') return vectorFromArray(values as (string | boolean | null)[], t).data[0]!;
  const { nullBitmap, nullCount } = validity(values);
  const base = { type: t, length: n, nullCount, nullBitmap } as const;
  switch (type) {
    case 'int32':
    case 'float64': {
      const data = type === 'int32' ? new Int32Array(n) : new Float64Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = v as number;
      });
      return makeData({ ...base, data } as never);
    }
    case 'int64':
    case 'timestamp': {
      const data = new BigInt64Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = v as bigint;
      });
      return makeData({ ...base, data } as never);
    }
    case 'date': {
      const data = new Int32Array(n);
      values.forEach((v, i) => {
        if (v !== null) data[i] = daysOf(v as string);
      });
      return makeData({ ...base, data } as never);
    }
    default: {
      if (!isDecimal(type)) throw new Error(`differential: no Arrow column for ${type}`);
      const { scale } = decimalParams(type);
      const data = new BigUint64Array(2 * n);
      values.forEach((v, i) => {
        if (v === null) return;
        const u = BigInt.asUintN(128, parseUnscaled(v as string, scale));
        data[2 * i] = u & 0xffffffffffffffffn;
        data[2 * i + 1] = u >> 64n;
      });
      return makeData({ ...base, data: new Uint32Array(data.buffer) } as never);
    }
  }
}

const quote = (s: string) => s.replaceAll("'", "''");

/**
 * Write `spec` under `dir` (created) as `part-<i>.parquet` files; returns the directory.
 * The DuckDB writer re-writes each file the wasm writer produced, so both hold the same rows.
 */
export async function writeTable(duck: DuckDBConnection, dir: string, spec: TableSpec): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const schema = new Schema(spec.columns.map((c) => new Field(c.name, arrowType(c.type), true)));
  for (let f = 0; f < spec.files; f++) {
    const all = spec.repeat > 1 ? Array.from({ length: spec.repeat }, () => spec.rows).flat() : spec.rows;
    const rows = all.filter((_, i) => i % spec.files === f);
    const columns = spec.columns.map((c, ci) =>
      arrowColumn(
        c.type,
        rows.map((r) => r[ci] ?? null),
      ),
    );
    const file = path.join(dir, `part-${f}.parquet`);
    const target = spec.writer === 'wasm' ? file : path.join(dir, `staging-${f}.parquet.tmp`);
    await writeParquetFile(target, schema, [recordBatch(schema, columns)], {
      compression: 'snappy',
      rowGroupSize: Math.max(1, spec.rowGroupSize),
    });
    if (spec.writer === 'duckdb') {
      await duck.run(`COPY (SELECT * FROM read_parquet('${quote(target)}')) TO '${quote(file)}' (FORMAT parquet)`);
      fs.rmSync(target);
    }
  }
  return dir;
}

/** `read_parquet('<dir>/*.parquet')` for DuckDB. */
export function sqlTable(dir: string): string {
  return `read_parquet('${quote(dir)}/*.parquet')`;
}
