/**
 * Schemas across files, against files DuckDB wrote: the same columns in any order read by name;
 * with mergeSchema, missing columns read as nulls and int32 widens to int64 (DuckDB's
 * union_by_name answers the same queries); anything else fails at plan time naming both files
 * and the column. The read options follow Spark's API (option, options, an options object).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, count, type DataFrame, lit, type Session, session, sum } from '../src/index.js';

let s: Session;
let duck: DuckDBConnection;
let dir: string;

/** Rows of a query in DuckDB as JSON-safe objects (BIGINT as strings, as collectRows({ int64: 'string' })). */
async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

const sorted = (rows: readonly Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

async function expectSame(df: DataFrame, sql: string): Promise<void> {
  const ours = await df.collectRows({ int64: 'string' });
  expect(sorted(ours)).toEqual(sorted(await duckRows(sql)));
}

/** Write a DuckDB query to `<dir>/<name>.parquet`. */
async function write(sub: string, name: string, sql: string): Promise<string> {
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const file = path.join(dir, sub, `${name}.parquet`);
  await duck.run(`COPY (${sql}) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 3)`);
  return file;
}

const glob = (sub: string) => `read_parquet('${path.join(dir, sub)}/*.parquet', union_by_name = true)`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-files-'));
  duck = await (await DuckDBInstance.create(':memory:')).connect();
  // Same columns, different order (and a different row-group layout).
  await write('order', 'a', `SELECT i::INT AS id, 'a' || i AS name, (i * 1.5)::DOUBLE AS v FROM range(0, 7) t(i)`);
  await write('order', 'b', `SELECT (i * 1.5)::DOUBLE AS v, i::INT AS id, 'b' || i AS name FROM range(7, 12) t(i)`);
  await write('order', 'c', `SELECT 'c' || i AS name, (i * 1.5)::DOUBLE AS v, i::INT AS id FROM range(12, 13) t(i)`);
  // mergeSchema: b lacks `extra`, c lacks `name` and has `id` as BIGINT (int32 in a and b).
  await write('merge', 'a', `SELECT i::INT AS id, 'a' || i AS name, (i * 10)::INT AS extra FROM range(0, 5) t(i)`);
  await write('merge', 'b', `SELECT 'b' || i AS name, i::INT AS id FROM range(5, 9) t(i)`);
  await write(
    'merge',
    'c',
    `SELECT (i + 5000000000)::BIGINT AS id, (i * 10)::INT AS extra, i % 2 = 0 AS flag FROM range(9, 13) t(i)`,
  );
  // Not mergeable: `v` is a string in one file and a double in the other.
  await write('clash', 'a', `SELECT i::INT AS id, (i * 1.5)::DOUBLE AS v FROM range(0, 3) t(i)`);
  await write('clash', 'b', `SELECT i::INT AS id, 'x' || i AS v FROM range(3, 6) t(i)`);
  // Without mergeSchema: one file has a column the other lacks; one has id as BIGINT.
  await write('extra', 'a', `SELECT i::INT AS id FROM range(0, 3) t(i)`);
  await write('extra', 'b', `SELECT i::INT AS id, 'x' AS more FROM range(3, 6) t(i)`);
  await write('widen', 'a', `SELECT i::INT AS id FROM range(0, 3) t(i)`);
  await write('widen', 'b', `SELECT i::BIGINT AS id FROM range(3, 6) t(i)`);
  s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
}, 60_000);

afterAll(async () => {
  await s?.stop();
  duck?.closeSync();
});

describe('the same columns in any order', () => {
  it('read by name: every row, grouped and filtered, as DuckDB reads them', async () => {
    const df = s.read.parquet(path.join(dir, 'order'));
    expect((await df.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual(['id: int32', 'name: string', 'v: float64']);
    await expectSame(df, `SELECT id, name, v FROM ${glob('order')}`);
    await expectSame(
      df.filter(col('id').gt(lit(5))).select('name', 'id'),
      `SELECT name, id FROM ${glob('order')} WHERE id > 5`,
    );
    await expectSame(
      df.groupBy(col('id').mod(lit(3)).alias('k')).agg(sum('v').alias('sv'), count('*').alias('n')),
      `SELECT id % 3 AS k, sum(v) AS sv, count(*) AS n FROM ${glob('order')} GROUP BY k`,
    );
  });
});

describe('mergeSchema', () => {
  it('reads missing columns as nulls and widens int32 to int64, as DuckDB union_by_name', async () => {
    const df = s.read.option('mergeSchema', true).parquet(path.join(dir, 'merge'));
    expect((await df.schema()).map((f) => `${f.name}: ${f.type}`)).toEqual([
      'id: int64',
      'name: string',
      'extra: int32',
      'flag: bool',
    ]);
    await expectSame(df, `SELECT id, name, extra, flag FROM ${glob('merge')}`);
    await expectSame(
      df.filter(col('extra').isNull()).select('id', 'name'),
      `SELECT id, name FROM ${glob('merge')} WHERE extra IS NULL`,
    );
    await expectSame(
      df.filter(col('extra').gt(lit(20))).select('id', 'extra'),
      `SELECT id, extra FROM ${glob('merge')} WHERE extra > 20`,
    );
    await expectSame(
      df.groupBy('flag').agg(count('*').alias('n'), count('name').alias('names'), sum('id').alias('ids')),
      `SELECT flag, count(*) AS n, count(name) AS names, sum(id) AS ids FROM ${glob('merge')} GROUP BY flag`,
    );
    // A column only one file has, read alone: the other files still contribute their rows.
    await expectSame(df.select('flag'), `SELECT flag FROM ${glob('merge')}`);
    expect(await df.count()).toBe(13);
  });

  it('is set by option, options or an options object, with Spark-style string values', async () => {
    const where = path.join(dir, 'merge');
    const sql = `SELECT id, name, extra, flag FROM ${glob('merge')}`;
    await expectSame(s.read.options({ mergeSchema: 'true' }).parquet(where), sql);
    await expectSame(s.read.parquet(where, { mergeSchema: true }), sql);
    expect(() => s.read.option('mergeSchemas', true)).toThrow(/unknown read option 'mergeSchemas'.*mergeSchema/);
    expect(() => s.read.option('mergeSchema', 'yes')).toThrow(/takes true or false/);
  });

  it('refuses types that do not merge, naming both files and the column', async () => {
    const a = path.join(dir, 'clash', 'a.parquet');
    const b = path.join(dir, 'clash', 'b.parquet');
    for (const df of [
      s.read.parquet(path.join(dir, 'clash')),
      s.read.option('mergeSchema', true).parquet(path.join(dir, 'clash')),
    ]) {
      const err = await df.collect().then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('SCHEMA_MISMATCH');
      expect(err?.message).toContain(`column 'v' is float64 in`);
      expect(err?.message).toContain(a);
      expect(err?.message).toContain(b);
    }
  });
});

describe('without mergeSchema', () => {
  it('a column missing from one file is an error naming both files and the column', async () => {
    const err = await s.read
      .parquet(path.join(dir, 'extra'))
      .collect()
      .then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
    expect(err?.code).toBe('SCHEMA_MISMATCH');
    expect(err?.message).toMatch(/column 'more' is in .*b\.parquet but not in .*a\.parquet/);
    expect(err?.message).toContain('mergeSchema');
  });

  it('int32 and int64 do not widen; with mergeSchema they do', async () => {
    const err = await s.read
      .parquet(path.join(dir, 'widen'))
      .collect()
      .then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
    expect(err?.message).toMatch(/column 'id' is int32 in .*a\.parquet but int64 in .*b\.parquet/);
    await expectSame(
      s.read.option('mergeSchema', true).parquet(path.join(dir, 'widen')),
      `SELECT id FROM ${glob('widen')}`,
    );
  });
});
