/**
 * Type names known at analysis: the footer names every column of a DuckDB-written file exactly
 * as parquet-wasm (arrow-rs) will decode it (the one mapping the runtime relies on), names read
 * back into the same Arrow type, and the layout-generic kernels that move opaque columns
 * (gather with nulls, concatenate, all-null) keep every value, checked on the decoder's output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowFieldTypeName, arrowTypeName, arrowTypeOfName } from '../operators/arrowTypes.js';
import { concatData, nullData, takeData } from '../operators/opaque.js';
import { readFooter } from '../operators/parquet.js';
import { RowGroupReader } from '../operators/parquetDecode.js';
import { isOpaque } from '../planner/types.js';
import { datasetSchema } from '../planner/schemaMerge.js';

/** Nested and exotic columns of every kind DuckDB writes, with nulls at every level. */
const RICH_SQL = `
  SELECT i::INT AS id,
    [TIMESTAMP '2020-01-01' + INTERVAL (i) HOUR] AS lts, [TIMESTAMPTZ '2020-01-01 00:00:00+00'] AS ltz,
    [TIME '01:02:03'] AS ltm, [1.5::DECIMAL(10,2), NULL] AS ldec, [1.5::DECIMAL(30,5)] AS ldec2, [uuid()] AS luuid,
    MAP {'a': {'x': i::INT, 'y': [i::INT]}} AS mstruct,
    CASE WHEN i = 1 THEN NULL ELSE {'a': [1, 2], 'b': {'c': 'x' || i}, 'odd name': i::INT} END AS snest,
    [NULL]::INT[] AS lnull, []::VARCHAR[] AS lempty, [DATE '2020-01-01'] AS ldate, ['\\x01'::BLOB] AS lblob,
    [1::TINYINT] AS li8, [1::UBIGINT] AS lu64, [1::USMALLINT] AS lu16, [1.0::FLOAT] AS lf32, [true, NULL] AS lbool,
    [TIMESTAMP_MS '2020-01-01'] AS ltsms, [TIMESTAMP_NS '2020-01-01'] AS ltsns, [[[i::INT]], NULL] AS l3,
    MAP {i::INT: 'a'} AS mint, [MAP {'k': i::INT}, NULL] AS lmap, uuid() AS u, i::UBIGINT AS ub,
    [1, 2]::INT[2] AS arr2, '\\xAB'::BLOB AS b
  FROM range(3) t(i)`;

async function richFile(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-types-'));
  const file = path.join(dir, 'rich.parquet');
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`COPY (${RICH_SQL}) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  return file;
}

function local(file: string) {
  const bytes = fs.readFileSync(file);
  return { name: file, size: bytes.length, read: async (a: number, b: number) => bytes.subarray(a, b) };
}

/** Row values as plain JSON (for comparisons across layouts). */
const json = (d: arrow.Data) =>
  JSON.stringify([...new arrow.Vector([d])], (_, x) =>
    typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? [...x] : x?.toJSON ? x.toJSON() : x,
  );

describe('type names', () => {
  it('the footer names each column as the decoder decodes it', async () => {
    const file = await richFile();
    const footer = await readFooter(local(file));
    const reader = new RowGroupReader(local(file), undefined);
    const decoded = await reader.read(0);
    reader.close();
    const names = footer.schema.map((f) => [f.name, f.type]);
    expect(names).toContainEqual(['snest', 'struct<a: list<int32>, b: struct<c: string>, "odd name": int32>']);
    expect(names).toContainEqual(['mstruct', 'map<string, struct<x: int32, y: list<int32>>>']);
    expect(names).toContainEqual(['ltz', 'list<timestamp[us, UTC]>']);
    expect(names).toContainEqual(['u', 'uuid']);
    expect(names).toContainEqual(['b', 'binary']);
    for (const f of footer.schema) {
      if (!isOpaque(f.type)) continue;
      // The decoder has no UUID annotation: a uuid arrives as its 16 bytes.
      const decodedName = arrowFieldTypeName(decoded.schema.fields.find((x) => x.name === f.name)!);
      expect(f.type.replaceAll('uuid', 'fixed_size_binary[16]'), f.name).toBe(decodedName);
    }
  });

  it('a name reads back into the same Arrow type', () => {
    for (const name of [
      'list<int32>',
      'struct<a: int64, b: string, "odd name": list<map<string, decimal(38,10)>>>',
      'map<int32, struct<x: timestamp[us, UTC], y: timestamp[ns, +01:00]>>',
      'fixed_size_list<float32, 3>',
      'list<time[ms]>',
      'fixed_size_binary[16]',
      'uint64',
      'uuid',
    ])
      expect(
        arrowFieldTypeName(
          new arrow.Field(
            'x',
            arrowTypeOfName(name),
            true,
            name === 'uuid' ? new Map([['ARROW:extension:name', 'arrow.uuid']]) : undefined,
          ),
        ),
      ).toBe(name);
    expect(() => arrowTypeOfName('list<int32')).toThrow(/cannot read the type name/);
    expect(() => arrowTypeOfName('blob')).toThrow(/unknown type 'blob'/);
    expect(arrowTypeName(new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()))).toBe('string');
  });
});

describe('moving opaque columns', () => {
  it('gather (with nulls), concatenate and all-null keep every value of every layout', async () => {
    const file = await richFile();
    const reader = new RowGroupReader(local(file), undefined);
    const t = await reader.read(0);
    reader.close();
    for (const f of t.schema.fields) {
      const d = t.getChild(f.name)!.data[0]!;
      const rows = JSON.parse(json(d)) as unknown[];
      const taken = takeData(d, Int32Array.from([2, -1, 0, 0, 1]));
      expect(JSON.parse(json(taken)), f.name).toEqual([rows[2], null, rows[0], rows[0], rows[1]]);
      const joined = concatData([d, taken, d.slice(1, 2)]);
      expect(JSON.parse(json(joined)), f.name).toEqual([
        ...rows,
        rows[2],
        null,
        rows[0],
        rows[0],
        rows[1],
        rows[1],
        rows[2],
      ]);
      expect(JSON.parse(json(nullData(d.type, 2))), f.name).toEqual([null, null]);
      // Through Arrow IPC (the shuffle) unchanged.
      const ipc = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table({ x: new arrow.Vector([joined]) })));
      expect(json(ipc.getChild('x')!.data[0]!), f.name).toBe(json(joined));
    }
  });
});

describe('one schema for many files', () => {
  const file = (name: string, cols: [string, string][]) => ({
    file: name,
    schema: cols.map(([n, type]) => ({ name: n, type: type as never, nullable: false })),
  });
  it('matches columns by name, in the first file order, new columns after', () => {
    const a = file('a', [
      ['x', 'int32'],
      ['y', 'string'],
    ]);
    const b = file('b', [
      ['y', 'string'],
      ['x', 'int32'],
    ]);
    expect(datasetSchema([a, b], false).map((f) => f.name)).toEqual(['x', 'y']);
    const c = file('c', [
      ['z', 'list<int32>'],
      ['x', 'int64'],
    ]);
    expect(datasetSchema([a, b, c], true).map((f) => `${f.name} ${f.type} ${f.nullable}`)).toEqual([
      'x int64 false',
      'y string true',
      'z list<int32> true',
    ]);
    expect(() => datasetSchema([a, c], false)).toThrow(/column 'y' is in a but not in c/);
    expect(() => datasetSchema([file('a', [['z', 'list<int32>']]), file('b', [['z', 'list<int64>']])], true)).toThrow(
      /column 'z' is list<int32> in a but list<int64> in b/,
    );
  });
});
