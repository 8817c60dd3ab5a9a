/**
 * A scan's column arrays handed back by the hash join that probes them (operators/join.ts
 * `releasesProbe`, operators/ownedColumns.ts): a join first in its stage hands each probe batch's
 * columns back once its consumer asks for the next batch, and the scan decodes later row groups
 * into them. Its output rows stay exact while other scans (an executor's other tasks) reuse those
 * arrays during the consumer's awaits, deferred (read late) or gathered and kept to the end; a
 * join that is not first (but after projections, which pass the columns on) hands nothing back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashJoinOperator } from '../operators/join.js';
import { buildOperators, runPipeline } from '../operators/pipeline.js';
import { isOwning } from '../operators/ownedColumns.js';
import { readFooter } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { type Batch, batchRows, vecFromValues } from '../operators/vector.js';
import { binary, col, lit } from '../planner/expr.js';
import type { BuildSide, PhysicalOp } from '../planner/stages.js';
import { field, type Schema } from '../planner/types.js';
import { fileReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

/** Six row groups of 30,000 rows: k = i % 1000, x = i / 2, d = i % 5000 cents. */
const ROWS = 180_000;
const dir = tempDir('stratus-probe-release-');
const file = path.join(dir, 'f.parquet');

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT i::INTEGER AS id, (i % 1000)::INTEGER AS k, (i * 0.5)::DOUBLE AS x,
      ((i % 5000) / 100)::DECIMAL(12,2) AS d FROM range(${ROWS}) t(i))
    TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 30000)`);
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Build side: every third key, with a payload p = 10 k. */
const KEYS = Array.from({ length: 334 }, (_, j) => 3 * j);
const buildSchema: Schema = [field('bk', 'int32'), field('p', 'int32')];
const build: Batch = {
  schema: buildSchema,
  columns: [
    vecFromValues('int32', KEYS),
    vecFromValues(
      'int32',
      KEYS.map((k) => 10 * k),
    ),
  ],
  length: KEYS.length,
};
const side: BuildSide = { kind: 'broadcast', stage: 0, schema: buildSchema };

/** The file's columns scanned, each batch yielded also kept in `seen`. */
async function* scanned(seen: Batch[]): AsyncIterable<Batch> {
  const r = fileReader(file);
  const footer = await readFooter(r);
  const schema = footer.schema;
  const spec = { columns: schema.map((f) => f.name), filters: [], schema };
  for await (const b of scanRowGroups(
    r,
    footer.rowGroups.map((g) => g.index),
    spec,
    {},
  )) {
    seen.push(b);
    yield b;
  }
}

/** An inner join of the scan on k = bk, probe columns first; `first`: the stage's first operator. */
async function* joined(seen: Batch[], lazy: boolean, first: boolean): AsyncIterable<Batch> {
  const r = fileReader(file);
  const probeSchema = (await readFooter(r)).schema;
  const join = new HashJoinOperator(
    'inner',
    [col('k')],
    [col('bk')],
    null,
    side,
    probeSchema,
    [...probeSchema, ...buildSchema],
    { readBuildSide: async () => [build] },
    false,
    lazy,
    first,
  );
  yield* join.execute(scanned(seen));
}

/** A macrotask: the other scans running at once decode their next row groups meanwhile. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every output row is row id of the file beside its key's build row; all matching rows come. */
function expectExact(rows: Record<string, unknown>[]): void {
  const want = Array.from({ length: ROWS }, (_, i) => i).filter((i) => (i % 1000) % 3 === 0);
  expect(rows.map((r) => r.id)).toEqual(want);
  // The first row that differs (one comparison: 60,000 rows).
  const wrong = rows.find((r) => {
    const i = r.id as number;
    const k = i % 1000;
    return r.k !== k || r.x !== i * 0.5 || Math.round(Number(r.d) * 100) !== i % 5000 || r.bk !== k || r.p !== 10 * k;
  });
  expect(wrong).toBeUndefined();
}

describe('scan columns handed back by the hash join that probes them', () => {
  it('deferred output read after other scans ran: exact; the probe columns go back and are reused', async () => {
    // Three joins at once (an executor's tasks): each consumer reads a batch's deferred columns
    // only after a macrotask, in which the other scans decode into whatever arrays were handed back.
    const runs = await Promise.all(
      [0, 1, 2].map(async () => {
        const seen: Batch[] = [];
        const rows: Record<string, unknown>[] = [];
        for await (const b of joined(seen, true, true)) {
          await tick();
          rows.push(...batchRows(b));
        }
        return { seen, rows };
      }),
    );
    for (const { seen, rows } of runs) {
      expectExact(rows);
      expect(seen.length).toBe(6);
      for (const b of seen) for (const c of b.columns) expect(isOwning(c)).toBe(false);
    }
    // Later row groups were decoded into arrays handed back: fewer buffers than columns decoded.
    const buffers = new Set(runs.flatMap(({ seen }) => seen.flatMap((b) => b.columns.map((c) => bufferOf(c)))));
    expect(buffers.size).toBeLessThan(runs.length * 6 * 4);
  });

  it('gathered output kept to the end stays exact while the scans reuse the probe arrays', async () => {
    const kept: Batch[] = [];
    const seen: Batch[] = [];
    const other: Batch[] = [];
    const drain = async (it: AsyncIterable<Batch>, into: Batch[]) => {
      for await (const b of it) {
        into.push(b);
        await tick();
      }
    };
    await Promise.all([drain(joined(seen, false, true), kept), drain(joined(other, false, true), [])]);
    expectExact(kept.flatMap((b) => batchRows(b)));
    for (const b of seen) for (const c of b.columns) expect(isOwning(c)).toBe(false);
  });

  it('a join that is not its stage first operator hands nothing back', async () => {
    const seen: Batch[] = [];
    const rows: Record<string, unknown>[] = [];
    for await (const b of joined(seen, true, false)) rows.push(...batchRows(b));
    expectExact(rows);
    expect(seen.every((b) => b.columns.every((c) => isOwning(c)))).toBe(true);
  });
});

describe("a stage's pipeline: which join hands its probe back", () => {
  /** The stage's ops on the scan, then an inner join on k = bk (probe columns first). */
  async function staged(before: PhysicalOp[], seen: Batch[]): Promise<Record<string, unknown>[]> {
    const probeSchema = (await readFooter(fileReader(file))).schema;
    const join: PhysicalOp = {
      op: 'HashJoin',
      type: 'inner',
      probeKeys: [col('k')],
      buildKeys: [col('bk')],
      residual: null,
      build: side,
      schema: [...probeSchema, ...buildSchema],
    };
    const ops = buildOperators([...before, join], probeSchema, { readBuildSide: async () => [build] });
    const rows: Record<string, unknown>[] = [];
    for await (const b of runPipeline(scanned(seen), ops)) rows.push(...batchRows(b));
    return rows;
  }

  it('after projections of the scan columns: handed back, exact', async () => {
    const probeSchema = (await readFooter(fileReader(file))).schema;
    const project: PhysicalOp = { op: 'Project', exprs: probeSchema.map((f) => col(f.name)), schema: probeSchema };
    const seen: Batch[] = [];
    expectExact(await staged([project, project], seen));
    for (const b of seen) for (const c of b.columns) expect(isOwning(c)).toBe(false);
  });

  it("after a filter (its batches are the filter's): nothing handed back, exact", async () => {
    const probeSchema = (await readFooter(fileReader(file))).schema;
    const filter: PhysicalOp = { op: 'Filter', predicate: binary('>=', col('id'), lit(0)), schema: probeSchema };
    const seen: Batch[] = [];
    expectExact(await staged([filter], seen));
    expect(seen.every((b) => b.columns.every((c) => isOwning(c)))).toBe(true);
  });
});

/** The buffer of a column's values (a decimal's doubles when it has no other values). */
function bufferOf(c: Batch['columns'][number]): ArrayBufferLike | null {
  const v = c as unknown as { values?: { buffer?: ArrayBufferLike }; doubles?: { buffer?: ArrayBufferLike } };
  return v.values?.buffer ?? v.doubles?.buffer ?? null;
}
