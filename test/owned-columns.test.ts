/**
 * A scan's column arrays recycled by the aggregate that reads them (operators/ownedColumns.ts):
 * an aggregate whose calls copy what they read hands each batch's columns back, and the next row
 * groups are decoded into them; one that keeps vectors (first, collect_list keep the batch's
 * column and a row) never does, so what it kept reads the same after the scan reused its spare
 * arrays. The storage reads a scan hands back (LocalStore's lent bytes) are reused the same way,
 * and values decoded from uncompressed pages (views of the read bytes until copied) stay intact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashAggregateOperator } from '../operators/aggregate.js';
import { isOwning } from '../operators/ownedColumns.js';
import { type RangeReader, readFooter } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { handBack, lendBytes } from '../operators/spareArrays.js';
import { type Batch, batchRows } from '../operators/vector.js';
import { aggCallType, type AggFn, NO_SIG } from '../planner/aggregates.js';
import { binary, col, type Expr, lit } from '../planner/expr.js';
import type { AggCall } from '../planner/stages.js';
import { type DataType, field, type Schema } from '../planner/types.js';
import { LocalStore } from '../src/storage/local/store.js';
import { fileReader } from './support/rangeReaders.js';
import { tempDir } from './support/tpch.js';

/** Six row groups of 20,000 rows; key k = i // 2000 (ten keys per row group, none shared). */
const ROWS = 120_000;
const dir = tempDir('stratus-owned-');
const file = path.join(dir, 'f.parquet');
const plainFile = path.join(dir, 'plain.parquet');
/** The same columns over 300,000 rows in row groups of 100,000. */
const bigFile = path.join(dir, 'big.parquet');
const BIG = 300_000;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  // x: a double of the key (dictionary pages); d: short decimals (plain pages, as doubles); dt: dates.
  const select = `SELECT (i // 2000)::INTEGER AS k, ((i // 2000) * 1.5)::DOUBLE AS x,
      ((i % 1000) / 100 + (i // 2000))::DECIMAL(12,2) AS d, DATE '1995-01-01' + (i % 3000)::INTEGER AS dt,
      'v' || i AS s
    FROM range(${ROWS}) t(i)`;
  await c.run(`COPY (${select}) TO '${file}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 20000)`);
  await c.run(`COPY (${select}) TO '${plainFile}' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 20000)`);
  await c.run(
    `COPY (${select.replace(`range(${ROWS})`, `range(${BIG})`)}) TO '${bigFile}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)`,
  );
  c.closeSync();
  db.closeSync();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The file's columns `names` scanned (row groups in order), each batch yielded also kept in `seen`. */
async function* scanned(r: RangeReader, names: readonly string[], seen: Batch[]): AsyncIterable<Batch> {
  const footer = await readFooter(r);
  const schema = names.map((n) => footer.schema.find((f) => f.name === n)!);
  const spec = { columns: [...names], filters: [], schema };
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

const INPUT: Schema = [field('k', 'int32'), field('x', 'float64'), field('d', 'decimal(12,2)' as DataType)];

function call(fn: AggFn, arg: string | null, name: string): AggCall {
  const argType = arg ? INPUT.find((f) => f.name === arg)!.type : null;
  const r = aggCallType(fn, argType, NO_SIG);
  if (!('type' in r)) throw new Error(r.error);
  return { fn, arg: arg ? col(arg) : null, name, argType, outType: r.type as DataType };
}

/** A single-mode aggregate by k of the scanned file, as a stage's first operator (`ownInput`) or not. */
async function aggregate(calls: readonly AggCall[], seen: Batch[], ownInput: boolean) {
  const schema: Schema = [INPUT[0]!, ...calls.map((c) => field(c.name, c.outType))];
  const agg = new HashAggregateOperator('single', [col('k')], calls, INPUT, schema, {}, undefined, ownInput);
  const rows: Record<string, unknown>[] = [];
  for await (const b of agg.execute(scanned(fileReader(file), ['k', 'x', 'd'], seen))) rows.push(...batchRows(b));
  return new Map(rows.map((r) => [r.k as number, r]));
}

/** Row i's d, in cents. */
const cents = (i: number) => (i % 1000) + 100 * Math.floor(i / 2000);

describe('scan columns handed back by the aggregate that reads them', () => {
  it('an aggregate that copies what it reads hands every column back; its answer is exact', async () => {
    const seen: Batch[] = [];
    const groups = await aggregate(
      [call('sum', 'x', 'sx'), call('count', null, 'n'), call('min', 'd', 'lo'), call('max', 'd', 'hi')],
      seen,
      true,
    );
    expect(seen.length).toBeGreaterThanOrEqual(6);
    // Each batch's columns were the scan's own (marked) and are handed back (unmarked) once read.
    for (const b of seen) for (const c of b.columns) expect(isOwning(c)).toBe(false);
    expect(groups.size).toBe(60);
    for (let k = 0; k < 60; k++) {
      const g = groups.get(k)!;
      expect(g.sx).toBe(2000 * k * 1.5);
      expect(Number(g.n)).toBe(2000);
      expect(Math.round(Number(g.lo) * 100)).toBe(100 * k);
      expect(Math.round(Number(g.hi) * 100)).toBe(100 * k + 999);
    }
  });

  it('first and collect_list keep the columns they read: never handed back, intact after the scan', async () => {
    const seen: Batch[] = [];
    const groups = await aggregate(
      [call('first', 'x', 'fx'), call('collect_list', 'd', 'ds'), call('sum', 'x', 'sx')],
      seen,
      true,
    );
    // The scan's batches keep their marks: nothing handed back.
    expect(seen.some((b) => b.columns.some((c) => isOwning(c)))).toBe(true);
    expect(groups.size).toBe(60);
    for (let k = 0; k < 60; k++) {
      const g = groups.get(k)!;
      expect(g.fx).toBe(k * 1.5);
      // An Arrow list of decimals: their unscaled values (cents).
      const list = Array.from(g.ds as Iterable<unknown>, (v) => Number(v));
      const want = Array.from({ length: 2000 }, (_, j) => cents(2000 * k + j));
      expect(list).toEqual(want);
    }
  });

  it('an aggregate that is not its stage first operator hands nothing back', async () => {
    const seen: Batch[] = [];
    await aggregate([call('sum', 'x', 'sx')], seen, false);
    expect(seen.every((b) => b.columns.every((c) => isOwning(c)))).toBe(true);
  });
});

/** Every row group of `path` scanned (columns k, x, d, dt) with `filter`: all batches read first, then their rows. */
async function filteredRows(path: string, filter: Expr) {
  const r = fileReader(path);
  const footer = await readFooter(r);
  const names = ['k', 'x', 'd', 'dt'];
  const schema = names.map((n) => footer.schema.find((f) => f.name === n)!);
  const seen: Batch[] = [];
  const groups = footer.rowGroups.map((g) => g.index);
  for await (const b of scanRowGroups(r, groups, { columns: names, filters: [filter], schema }, {})) seen.push(b);
  return seen.flatMap((b) => batchRows(b));
}

describe('a filtered scan hands back what it decoded and does not hand on', () => {
  it("row groups' whole chunks and selections are reused; the columns handed on stay intact", async () => {
    // x >= 1.5 drops key 0 (a tenth of the first row group: its chunks decoded whole, then
    // gathered at the selection) and keeps every row of the others (their chunks handed on).
    const rows = await filteredRows(file, binary('>=', col('x'), lit(1.5)));
    expect(rows.length).toBe(ROWS - 2000);
    rows.forEach((row, j) => {
      const i = j + 2000;
      expect(row.k).toBe(Math.floor(i / 2000));
      expect(row.x).toBe(Math.floor(i / 2000) * 1.5);
      expect(Math.round(Number(row.d) * 100)).toBe(cents(i));
    });
  });
});

describe('a sparse selection decodes chunks at its rows', () => {
  it('their codes and doubles are reused by later row groups; the columns handed on stay intact', async () => {
    // A quarter of every row group (dt before day 750): the other columns decoded at those rows (25 K
    // rows a row group: arrays large enough to be recycled).
    const rows = await filteredRows(bigFile, binary('<', col('dt'), lit('1997-01-20', 'date')));
    const want = Array.from({ length: BIG }, (_, i) => i).filter((i) => i % 3000 < 750);
    expect(rows.length).toBe(want.length);
    rows.forEach((row, j) => {
      const i = want[j]!;
      expect(row.k).toBe(Math.floor(i / 2000));
      expect(row.x).toBe(Math.floor(i / 2000) * 1.5);
      expect(Math.round(Number(row.d) * 100)).toBe(cents(i));
    });
  });
});

describe('storage reads handed back by the scan', () => {
  it('a lent range handed back is lent again; one kept is never reused', async () => {
    const store = new LocalStore(dir);
    const size = fs.statSync(plainFile).size;
    const kept = await store.getRange('plain.parquet', 0, 200_000);
    const copy = kept.slice();
    const back = await store.getRange('plain.parquet', 100, 200_100);
    handBack(back);
    const again = lendBytes(200_000);
    expect(again.buffer).toBe(back.buffer);
    again.fill(7);
    expect(kept).toEqual(copy);
    // Handing back what was not lent (or twice) recycles nothing.
    handBack(copy);
    handBack(back);
    expect(lendBytes(200_000).buffer).not.toBe(copy.buffer);
    expect(size).toBeGreaterThan(200_100);
  });

  it('values of uncompressed pages read through the store stay intact while later row groups reuse the reads', async () => {
    const store = new LocalStore(dir);
    const r: RangeReader = {
      name: plainFile,
      size: fs.statSync(plainFile).size,
      read: (s, e) => store.getRange('plain.parquet', s, e),
    };
    const seen: Batch[] = [];
    for await (const _ of scanned(r, ['k', 'x', 'd', 'dt', 's'], seen));
    const rows = seen.flatMap((b) => batchRows(b));
    expect(rows.length).toBe(ROWS);
    for (let i = 0; i < ROWS; i += 997) {
      const row = rows[i]!;
      expect(row.k).toBe(Math.floor(i / 2000));
      expect(row.x).toBe(Math.floor(i / 2000) * 1.5);
      expect(Math.round(Number(row.d) * 100)).toBe(cents(i));
      expect(row.s).toBe(`v${i}`);
    }
    expect(new Set(rows.map((r) => String(r.dt))).size).toBe(3000);
  });
});
