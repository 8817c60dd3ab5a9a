/**
 * The footer patch behind UUID and INTERVAL writes (operators/parquetAnnotate.ts over
 * operators/thriftCompact.ts): a footer decodes and re-encodes byte for byte; annotating changes
 * only the annotated leaves (top-level and nested), and DuckDB reads the patched file with the
 * types and values it wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotateParquet, footerBytes, needsAnnotation, withFooter } from '../operators/parquetAnnotate.js';
import { dropField, fieldOf, readStruct, type ThriftStruct, writeStruct } from '../operators/thriftCompact.js';
import { readFooter } from '../operators/parquet.js';
import { field } from '../planner/types.js';
import { tempDir } from './support/tpch.js';

let conn: DuckDBConnection;
let dir: string;

const local = (name: string, bytes: Uint8Array) => ({
  name,
  size: bytes.length,
  read: async (a: number, b: number) => bytes.subarray(a, b),
});

beforeAll(async () => {
  dir = tempDir('stratus-annotate-');
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => conn?.closeSync());

describe('footer patch', () => {
  it('a footer with every kind of Thrift value re-encodes byte for byte', async () => {
    const file = path.join(dir, 'rich.parquet');
    await conn.run(
      `COPY (SELECT i::INT AS id, 'x' || i AS s, i * 1.5 AS d, [i, NULL] AS l, {'a': i} AS st, MAP {'k': i} AS m,
         i::DECIMAL(30,4) AS dec, uuid() AS u, INTERVAL (i) DAY AS iv, i % 2 = 0 AS b
       FROM range(100) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 30)`,
    );
    const footer = footerBytes(fs.readFileSync(file));
    const { struct, end } = readStruct(footer);
    expect(end).toBe(footer.length);
    expect(Buffer.from(writeStruct(struct)).equals(Buffer.from(footer))).toBe(true);
  });

  it('annotates uuid and interval leaves (nested ones too); DuckDB reads the types and values it wrote', async () => {
    const file = path.join(dir, 'typed.parquet');
    await conn.run(
      `COPY (SELECT i::INT AS id, ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS u,
         [gen_random_uuid(), NULL] AS lu, INTERVAL (i) MONTH + INTERVAL (i * 1500) MILLISECOND AS iv
       FROM range(5) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    const original = fs.readFileSync(file);
    const schema = (await readFooter(local(file, original))).schema;
    expect(schema.map((f) => f.type)).toEqual(['int32', 'uuid', 'list<uuid>', 'interval']);
    // The file as parquet-wasm writes it: the same bytes without UUID and INTERVAL annotations.
    const footer = footerBytes(original);
    const { struct } = readStruct(footer);
    const elements = (fieldOf(struct, 2) as { items: ThriftStruct[] }).items;
    for (const e of elements) {
      const logical = fieldOf(e, 10);
      if (logical?.kind === 'struct' && fieldOf(logical, 14)) dropField(e, 10); // LogicalType.UUID
      const converted = fieldOf(e, 6);
      if (converted?.kind === 'int' && converted.value === 21n) dropField(e, 6); // ConvertedType.INTERVAL
    }
    const bare = withFooter(original, writeStruct(struct));
    const bareFile = path.join(dir, 'bare.parquet');
    fs.writeFileSync(bareFile, bare);
    const types = async (f: string) =>
      (await conn.runAndReadAll(`DESCRIBE SELECT * FROM '${f}'`)).getRowObjectsJson().map((r) => r.column_type);
    expect(await types(bareFile)).toEqual(['INTEGER', 'BLOB', 'BLOB[]', 'BLOB']);
    const patched = path.join(dir, 'patched.parquet');
    fs.writeFileSync(patched, annotateParquet(bare, schema));
    expect(await types(patched)).toEqual(['INTEGER', 'UUID', 'UUID[]', 'INTERVAL']);
    const diff = await conn.runAndReadAll(
      `SELECT count(*)::INT AS n FROM (SELECT * FROM '${patched}' EXCEPT ALL SELECT * FROM '${file}')`,
    );
    expect(diff.getRowObjectsJson()[0]!.n).toBe(0);
    // Nothing else changed: annotating the original again leaves its footer as DuckDB wrote it, stats aside.
    expect(annotateParquet(original, [schema[0]!])).toBe(original);
  });

  it('knows which schemas need it', () => {
    expect(needsAnnotation([field('x', 'list<uuid>')])).toBe(true);
    expect(needsAnnotation([field('x', 'interval')])).toBe(true);
    expect(needsAnnotation([field('x', 'struct<a: int32>'), field('y', 'binary')])).toBe(false);
  });
});
