/**
 * Build filters (operators/runtimeFilter.ts withBuildFilters): an inner join's shared build side
 * keeps only the rows a later inner or semi join of the stage can match on that side's own
 * columns (TPC-H Q5's orders, narrowed by the customers of the region). Which joins get them
 * (not for a later outer or anti join, a key from the probe side, or past an aggregate); the
 * narrowed index lacks the other rows; whole answers equal DuckDB's with null keys, for the
 * shapes that narrow and those that must not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuildOf } from '../operators/join.js';
import { type FilteredBuildSide, withBuildFilters } from '../operators/runtimeFilter.js';
import { type Batch, vecFromValues } from '../operators/vector.js';
import { col } from '../planner/expr.js';
import type { BuildSide, PhysicalOp, Stage } from '../planner/stages.js';
import { field, type Schema } from '../planner/types.js';
import { col as dcol, session, type Session } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { tempDir } from './support/tpch.js';

const probeSchema: Schema = [field('id', 'int32'), field('ok', 'int32')];
const ordersSchema: Schema = [field('o_ok', 'int32'), field('o_ck', 'int32')];
const custSchema: Schema = [field('c_ck', 'int32'), field('c_name', 'string')];
const orders: BuildSide = { kind: 'broadcast', stage: 0, schema: ordersSchema };
const customers: BuildSide = { kind: 'scan', stage: 1, schema: custSchema };

const joinOp = (
  type: 'inner' | 'left' | 'left_semi' | 'left_anti',
  probe: string,
  build: BuildSide,
  buildKey: string,
  input: Schema,
): PhysicalOp => ({
  op: 'HashJoin',
  type,
  probeKeys: [col(probe)],
  buildKeys: [col(buildKey)],
  residual: null,
  build,
  schema: type === 'inner' || type === 'left' ? [...input, ...build.schema] : input,
});

const stageOf = (ops: PhysicalOp[]): Stage => ({
  id: 2,
  source: { kind: 'scan', path: 'file:///t', columns: ['id', 'ok'], filters: [], schema: probeSchema },
  ops,
  output: { kind: 'result' },
  schema: ops.at(-1)!.schema,
});

/** The build stages each join's build side is narrowed by. */
const narrowedBy = (ops: PhysicalOp[]): number[][] =>
  withBuildFilters(stageOf(ops)).ops.flatMap((op) =>
    op.op === 'HashJoin' ? [((op.build as FilteredBuildSide).filters ?? []).map((f) => f.build.stage)] : [],
  );

describe('withBuildFilters', () => {
  const first = joinOp('inner', 'ok', orders, 'o_ok', probeSchema);
  const afterFirst = first.schema;
  it('narrows an inner join build side by a later inner or semi join on its columns', () => {
    expect(narrowedBy([first, joinOp('inner', 'o_ck', customers, 'c_ck', afterFirst)])).toEqual([[1], []]);
    expect(narrowedBy([first, joinOp('left_semi', 'o_ck', customers, 'c_ck', afterFirst)])).toEqual([[1], []]);
    // Through a filter and a projection passing the column on.
    const filter: PhysicalOp = { op: 'Filter', predicate: col('id'), schema: afterFirst };
    const project: PhysicalOp = {
      op: 'Project',
      exprs: [col('id'), col('o_ck')],
      schema: [afterFirst[0]!, afterFirst[3]!],
    };
    const after = joinOp('inner', 'o_ck', customers, 'c_ck', project.schema);
    expect(narrowedBy([first, filter, project, after])).toEqual([[1], []]);
  });

  it('not for a later outer or anti join, a probe-side key, an aggregate between, or an outer first join', () => {
    for (const t of ['left', 'left_anti'] as const)
      expect(narrowedBy([first, joinOp(t, 'o_ck', customers, 'c_ck', afterFirst)])).toEqual([[], []]);
    expect(narrowedBy([first, joinOp('inner', 'id', customers, 'c_ck', afterFirst)])).toEqual([[], []]);
    const agg: PhysicalOp = {
      op: 'HashAggregate',
      mode: 'partial',
      keys: [col('o_ck')],
      aggs: [],
      schema: [afterFirst[3]!],
    } as unknown as PhysicalOp;
    expect(narrowedBy([first, agg, joinOp('inner', 'o_ck', customers, 'c_ck', agg.schema)])).toEqual([[], []]);
    const left = joinOp('left', 'ok', orders, 'o_ok', probeSchema);
    expect(narrowedBy([left, joinOp('inner', 'o_ck', customers, 'c_ck', left.schema)])).toEqual([[], []]);
    const partitioned = joinOp('inner', 'o_ck', { ...customers, kind: 'partitioned' }, 'c_ck', afterFirst);
    expect(narrowedBy([first, partitioned])).toEqual([[], []]);
  });

  it('indexes only the rows the later join can match (null keys never)', async () => {
    const batch = (schema: Schema, ...cols: unknown[][]): Batch => ({
      schema,
      columns: cols.map((v, i) => vecFromValues(schema[i]!.type, v)),
      length: cols[0]!.length,
    });
    const ob = [batch(ordersSchema, [1, 2, 3], [10, 11, null]), batch(ordersSchema, [4, 5], [12, 10])];
    const cb = [batch(custSchema, [10, 12, null], ['a', 'b', 'c'])];
    const ctx = { readBuildSide: async (s: BuildSide) => (s.stage === 0 ? ob : cb) };
    const stage = withBuildFilters(stageOf([first, joinOp('inner', 'o_ck', customers, 'c_ck', afterFirst)]));
    const side = (stage.ops[0] as Extract<PhysicalOp, { op: 'HashJoin' }>).build;
    const built = await sharedBuildOf(side, [col('o_ok')], ctx);
    expect(built.rows.length).toBe(3);
    const probe = vecFromValues('int32', [1, 2, 3, 4, 5, 6]);
    expect(Array.from(built.index.has([probe], 6))).toEqual([0, 3, 4]);
    // The unfiltered side is its own index (cached apart).
    expect((await sharedBuildOf(orders, [col('o_ok')], ctx)).rows.length).toBe(5);
  });
});

const dir = tempDir('stratus-buildfilter-');
let db: DuckDBConnection;
let s: Session;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  const copy = (name: string, sql: string) =>
    db.run(`COPY (${sql}) TO '${path.join(dir, name)}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 3000)`);
  // Probe rows by order (some orders absent), orders by customer (some null, some absent
  // from customer), customers with a name and a few null keys.
  await copy('t', `SELECT i::INTEGER AS id, (i % 2500)::INTEGER AS ok, (i * 0.25)::DOUBLE AS x FROM range(20000) r(i)`);
  await copy(
    'o',
    `SELECT i::INTEGER AS o_ok, CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 700)::INTEGER END AS o_ck FROM range(2000) r(i)`,
  );
  await copy(
    'c',
    `SELECT CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 3)::INTEGER END AS c_ck, 'name' || i AS c_name FROM range(200) r(i)`,
  );
  s = session({ store: tempDir(), executors: 2, progress: false });
});

afterAll(async () => {
  await s.stop();
  db.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('build filters end to end', () => {
  const read = (n: string) => s.read.parquet(path.join(dir, `${n}.parquet`));
  const cases: [string, () => ReturnType<Session['read']['parquet']>, string][] = [
    [
      'inner, then inner on the orders side',
      () =>
        read('t')
          .join(read('o'), dcol('ok').equalTo(dcol('o_ok')))
          .join(read('c'), dcol('o_ck').equalTo(dcol('c_ck')))
          .select('id', 'o_ok', 'o_ck', 'c_name', 'x'),
      'select id, o_ok, o_ck, c_name, x from T join O on ok = o_ok join C on o_ck = c_ck',
    ],
    [
      'inner, then semi',
      () =>
        read('t')
          .join(read('o'), dcol('ok').equalTo(dcol('o_ok')))
          .join(read('c'), dcol('o_ck').equalTo(dcol('c_ck')), 'left_semi')
          .select('id', 'o_ck'),
      'select id, o_ck from T join O on ok = o_ok where o_ck in (select c_ck from C)',
    ],
    [
      'inner, then left (no narrowing)',
      () =>
        read('t')
          .join(read('o'), dcol('ok').equalTo(dcol('o_ok')))
          .join(read('c'), dcol('o_ck').equalTo(dcol('c_ck')), 'left')
          .select('id', 'o_ck', 'c_name'),
      'select id, o_ck, c_name from T join O on ok = o_ok left join C on o_ck = c_ck',
    ],
    [
      'inner, then anti (no narrowing)',
      () =>
        read('t')
          .join(read('o'), dcol('ok').equalTo(dcol('o_ok')))
          .join(read('c'), dcol('o_ck').equalTo(dcol('c_ck')), 'left_anti')
          .select('id', 'o_ck'),
      'select id, o_ck from T join O on ok = o_ok where not exists (select 1 from C where c_ck = o_ck)',
    ],
  ];
  for (const [name, df, sql] of cases)
    it(`${name}: equals DuckDB`, async () => {
      const files = { T: 't', O: 'o', C: 'c' } as const;
      const q = sql.replace(/\b([TOC])\b/g, (n) => `'${path.join(dir, `${files[n as keyof typeof files]}.parquet`)}'`);
      const res = await db.runAndReadAll(q);
      const expected = { columns: res.columnNames(), rows: res.getRowsJS() as unknown[][] };
      const actual = rowsFromArrow(await df().collect());
      expect(expected.rows.length).toBeGreaterThan(100);
      expectSameResults(actual, expected as never, { ordered: false });
    });
});
