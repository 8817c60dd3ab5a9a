/**
 * Runtime join filters (rule runtime_filter, operators/runtimeFilter.ts): which joins the rule
 * marks (inner and semi joins whose probe keys reach them unchanged from the scan; never outer
 * joins, keys computed on the way, or joins behind a limit); the scan with a key filter gives
 * exactly the rows whose keys the build side has (null keys never), alone and after ordinary
 * filters, on dictionary and plain columns and on two-column keys, checked against DuckDB on the
 * same file; TPC-H Q3 and Q5 with the rule on and off: the lineitem scan filters its join keys,
 * answers equal DuckDB's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERED, QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { readFooter } from '../operators/parquet.js';
import { type KeyFilter, keyLookups } from '../operators/runtimeFilter.js';
import { lookupsFirst, type Part } from '../operators/scanLate.js';
import { spareArray } from '../operators/spareArrays.js';
import { scanRowGroups } from '../operators/scan.js';
import { type Batch, batchRows, vecFromValues } from '../operators/vector.js';
import { binary, col, type Expr, lit } from '../planner/expr.js';
import { withRuntimeFilters } from '../planner/optimizer/rules/runtime_filter.js';
import type { PhysicalOp, Stage } from '../planner/stages.js';
import { type DataType, field, type Schema } from '../planner/types.js';
import { session, type Session } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { fileReader } from './support/rangeReaders.js';
import { SF01, tempDir } from './support/tpch.js';

const scanSchema: Schema = [field('a', 'int32'), field('b', 'int32'), field('c', 'float64')];
const buildSchema: Schema = [field('x', 'int32'), field('y', 'string')];

const join = (type: 'inner' | 'left' | 'left_semi' | 'left_anti', probe: Expr, input: Schema): PhysicalOp => ({
  op: 'HashJoin',
  type,
  probeKeys: [probe],
  buildKeys: [col('x')],
  residual: null,
  build: { kind: 'broadcast', stage: 0, schema: buildSchema },
  schema: type === 'inner' || type === 'left' ? [...input, ...buildSchema] : input,
});

const stageOf = (ops: PhysicalOp[]): Stage => ({
  id: 1,
  source: { kind: 'scan', path: 'file:///t', columns: ['a', 'b', 'c'], filters: [], schema: scanSchema },
  ops,
  output: { kind: 'result' },
  schema: ops.at(-1)!.schema,
});

const marked = (s: Stage): boolean[] =>
  withRuntimeFilters(s).ops.flatMap((op) => (op.op === 'HashJoin' ? [op.scanFilter === true] : []));

describe('runtime_filter marks the joins whose keys the scan can look up', () => {
  it('inner and semi joins on scan columns, through filters and other joins; not outer or anti joins', () => {
    const afterJoin = [...scanSchema, ...buildSchema];
    const filter: PhysicalOp = { op: 'Filter', predicate: binary('>', col('c'), lit(1)), schema: scanSchema };
    expect(marked(stageOf([filter, join('inner', col('a'), scanSchema)]))).toEqual([true]);
    expect(marked(stageOf([join('left_semi', col('a'), scanSchema)]))).toEqual([true]);
    expect(marked(stageOf([join('left', col('a'), scanSchema)]))).toEqual([false]);
    expect(marked(stageOf([join('left_anti', col('a'), scanSchema)]))).toEqual([false]);
    // A second join's key from the scan passes the first join; one from its build side does not.
    const second = { ...join('inner', col('b'), afterJoin), buildKeys: [col('x')] };
    expect(marked(stageOf([join('left', col('a'), scanSchema), second]))).toEqual([false, true]);
    const onBuild = join('inner', col('x'), afterJoin);
    expect(marked(stageOf([join('inner', col('a'), scanSchema), { ...onBuild, schema: afterJoin }]))).toEqual([
      true,
      false,
    ]);
  });

  it('not behind a limit, nor on a key computed or renamed on the way', () => {
    const limit: PhysicalOp = { op: 'Limit', n: 5, schema: scanSchema };
    expect(marked(stageOf([limit, join('inner', col('a'), scanSchema)]))).toEqual([false]);
    const computed: PhysicalOp = {
      op: 'Project',
      exprs: [binary('+', col('b'), lit(1)), col('b'), col('c')],
      schema: [field('a', 'int32'), field('b', 'int32'), field('c', 'float64')],
    };
    expect(marked(stageOf([computed, join('inner', col('a'), scanSchema)]))).toEqual([false]);
    expect(marked(stageOf([computed, join('inner', col('b'), scanSchema)]))).toEqual([true]);
  });
});

const ROWS = 40_000;
const dir = tempDir('stratus-rtfilter-');
const file = path.join(dir, 't.parquet');
let db: DuckDBConnection;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT i::INTEGER AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 50)::INTEGER END AS n,
      (i % 9)::INTEGER AS k,
      'v' || (i % 13) AS s,
      (i * 0.5)::DOUBLE AS x
    FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10000)`);
});

afterAll(() => {
  db.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A build side of the given columns (with nulls where a value is null). */
function buildBatch(cols: Record<string, { type: DataType; values: unknown[] }>): Batch {
  const names = Object.keys(cols);
  return {
    schema: names.map((n) => field(n, cols[n]!.type)),
    columns: names.map((n) => vecFromValues(cols[n]!.type, cols[n]!.values)),
    length: cols[names[0]!]!.values.length,
  };
}

async function scanIds(filters: Expr[], probeKeys: Expr[], build: Batch): Promise<number[]> {
  const r = fileReader(file);
  const footer = await readFooter(r);
  const keyFilters: KeyFilter[] = [
    {
      probeKeys,
      buildKeys: build.schema.map((f) => col(f.name)),
      build: { kind: 'broadcast', stage: 0, schema: build.schema },
    },
  ];
  const spec = { columns: footer.schema.map((f) => f.name), filters, schema: footer.schema, keyFilters };
  const ids: number[] = [];
  const ctx = { readBuildSide: async () => [build] };
  for await (const b of scanRowGroups(r, [0, 1, 2, 3], spec, ctx))
    for (const row of batchRows(b)) ids.push(row.id as number);
  return ids.sort((a, b) => a - b);
}

async function duckIds(where: string): Promise<number[]> {
  const res = await db.runAndReadAll(`SELECT id FROM '${file}' WHERE ${where} ORDER BY id`);
  return res.getRows().map((r) => r[0] as number);
}

describe('the scan with a key filter keeps exactly the rows that can match', () => {
  it('on a dictionary column with nulls (a null build key matches nothing), alone and after a filter', async () => {
    const build = buildBatch({ bn: { type: 'int32', values: [3, 17, null, 17, 44, 999] } });
    const ids = await scanIds([], [col('n')], build);
    expect(ids).toEqual(await duckIds('n IN (3, 17, 44)'));
    expect(ids.length).toBeLessThan(ROWS / 10);
    const filtered = await scanIds([binary('=', col('s'), lit('v4'))], [col('n')], build);
    expect(filtered).toEqual(await duckIds("n IN (3, 17, 44) AND s = 'v4'"));
  });

  it('on a plain column, and on a two-column key', async () => {
    const keys = [5, 77, 10_001, 39_999, 123_456];
    expect(await scanIds([], [col('id')], buildBatch({ b: { type: 'int32', values: keys } }))).toEqual(
      await duckIds(`id IN (${keys.join(', ')})`),
    );
    const pairs = buildBatch({
      bn: { type: 'int32', values: [3, 3, 8, null] },
      bk: { type: 'int32', values: [3, 4, 8, 1] },
    });
    expect(await scanIds([], [col('n'), col('k')], pairs)).toEqual(
      await duckIds('(n = 3 AND k = 3) OR (n = 3 AND k = 4) OR (n = 8 AND k = 8)'),
    );
  });

  it('a lookup more selective than the filters, and one less: exact either way', async () => {
    // x > k keeps nearly every row, the id lookup 6 of 40,000: from the second row group on the
    // lookup goes first (lookupsFirst); n > k keeps ~80% against the lookup's ~6%.
    const keys = buildBatch({ b: { type: 'int32', values: [5, 77, 10_001, 20_002, 30_003, 39_999] } });
    for (const [filter, where] of [
      [binary('>', col('x'), col('k')), 'x > k'],
      [binary('>', col('n'), col('k')), 'n > k'],
    ] as const)
      expect(await scanIds([filter], [col('id')], keys)).toEqual(
        await duckIds(`${where} AND id IN (5, 77, 10001, 20002, 30003, 39999)`),
      );
  });

  it('an empty build side keeps no row', async () => {
    expect(await scanIds([], [col('n')], buildBatch({ bn: { type: 'int32', values: [] } }))).toEqual([]);
  });
});

describe('runtime_filter on TPC-H', () => {
  let on: Session;
  let off: Session;
  beforeAll(() => {
    on = session({ store: tempDir(), executors: 1, progress: false });
    off = session({ store: tempDir(), executors: 1, progress: false, job: { disabledRules: ['runtime_filter'] } });
  });
  afterAll(async () => {
    await on.stop();
    await off.stop();
  });

  const staged = async (x: Session, q: number) =>
    (await QUERIES[q]!(tpchTables(x, SF01)).explain()).split('== Staged Plan ==')[1]!;

  for (const q of [3, 5]) {
    it(`Q${q}: the lineitem scan looks l_orderkey up in the broadcast orders; answers equal DuckDB on and off`, async () => {
      const lookup = /probeKeys=\[l_orderkey\] buildKeys=\[o_orderkey\] scanFilter/;
      expect(await staged(on, q)).toMatch(lookup);
      expect(await staged(off, q)).not.toMatch(/scanFilter/);
      const expected = await duckdbQuery(tpchSql(q), SF01);
      for (const x of [on, off])
        expectSameResults(rowsFromArrow(await QUERIES[q]!(tpchTables(x, SF01)).collect()), expected, {
          ordered: ORDERED[q]!,
          relTol: 1e-9,
        });
    });
  }
});

describe("a key lookup's selections", () => {
  it('are written into one buffer of its own, exact each call, handed back when the scan is done', async () => {
    const n = 40_000; // 160 KB of rows: large enough for the spare arrays
    const schema: Schema = [field('a', 'int32')];
    const build = buildBatch({ x: { type: 'int32', values: [2, 5, 9, 700, 39_999] } });
    const filter: KeyFilter = {
      probeKeys: [col('a')],
      buildKeys: [col('x')],
      build: { kind: 'broadcast', stage: 0, schema: build.schema },
    };
    const [lookup] = await keyLookups([filter], schema, { readBuildSide: async () => [build] });
    const batch = (shift: number): Batch => {
      const values = Array.from({ length: n }, (_, i) => (i + shift) % n);
      return { schema, columns: [vecFromValues('int32', values)], length: n };
    };
    const want = (shift: number) => [2, 5, 9, 700, 39_999].map((k) => (k - shift + n) % n).sort((p, q) => p - q);
    const first = lookup!.select(batch(0))!;
    expect(Array.from(first)).toEqual(want(0));
    const second = lookup!.select(batch(7))!;
    expect(Array.from(second)).toEqual(want(7));
    expect(second.buffer).toBe(first.buffer);
    lookup!.release();
    expect(spareArray(Int32Array, n, null).buffer).toBe(first.buffer);
  });
});

describe('lookupsFirst', () => {
  const part = (lookup: boolean, seen: number, kept: number): Part => ({
    select: () => null,
    columns: [0],
    udf: false,
    lookup,
    seen,
    kept,
  });

  it('keeps the filters first until every conjunct was seen, and while they keep the smaller share', () => {
    const unseen = [part(false, 100, 60), part(true, 0, 0)];
    expect(lookupsFirst(unseen)).toBe(unseen);
    const filtersKeepLess = [part(false, 100, 10), part(false, 100, 50), part(true, 10, 9)];
    expect(lookupsFirst(filtersKeepLess)).toBe(filtersKeepLess);
  });

  it("puts the lookups first, in their order, when their shares multiply to less than the filters'", () => {
    const [f1, f2, l1, l2] = [part(false, 100, 60), part(false, 60, 50), part(true, 50, 10), part(true, 10, 5)];
    expect(lookupsFirst([f1, f2, l1, l2])).toEqual([l1, l2, f1, f2]);
  });
});
