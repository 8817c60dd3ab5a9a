/**
 * Hive paths as Spark writes them: partition names and values escaped on write and unescaped on
 * read (operators/hivePath.ts), null and '' as `__HIVE_DEFAULT_PARTITION__`; checked against
 * DuckDB reading Stratus's output (hive_partitioning) and Stratus reading DuckDB's. And a 0-row
 * write: one schema-only Parquet file that reads back as 0 rows with the right schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { col, session, type Session } from '../src/index.js';
import { escapePathName, partitionSegment, unescapePathName } from '../operators/hivePath.js';
import { partitionValuesOf } from '../src/runtime/partitions.js';
import { locate, normalizeDataUrl, urlOf } from '../src/storage/url.js';
import { expectSameTyped, runQuery, typedRowsFromArrow } from './support/fixtures.js';
import { tempDir } from './support/tpch.js';

let s: Session;
let dir: string;
let db: DuckDBConnection;
beforeAll(async () => {
  s = session({ store: tempDir(), executors: 2, progress: false });
  dir = tempDir('stratus-hive-');
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(async () => {
  db.closeSync();
  await s.stop();
});

const sq = (p: string) => `'${p.replaceAll("'", "''")}'`;
const files = (d: string) =>
  (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => f.endsWith('.parquet')).sort();

/** Values that break naive paths: separators, escapes, control characters, unicode, lookalikes. */
const NASTY = ['a/b', 'x=y', '100%', '%2F', 'c:d', 'tab\there', 'nl\nx', 'q"\'#*?', 'br{[]}^\\', 'é ü ✓', 'plain', ' '];

describe('escapePathName / unescapePathName', () => {
  it('escape exactly the characters Spark escapes, as upper-case %XX', () => {
    expect(escapePathName('a/b=c%d:e')).toBe('a%2Fb%3Dc%25d%3Ae');
    expect(escapePathName('\x01\x1f\x7f"#\'*?\\{[]^')).toBe('%01%1F%7F%22%23%27%2A%3F%5C%7B%5B%5D%5E');
    expect(escapePathName('é ü ✓ -_.~!$&()+,;@<>|}`')).toBe('é ü ✓ -_.~!$&()+,;@<>|}`');
    expect(partitionSegment('k', null)).toBe('k=__HIVE_DEFAULT_PARTITION__');
    expect(partitionSegment('k', '')).toBe('k=__HIVE_DEFAULT_PARTITION__');
    expect(partitionSegment('a=b', 'c')).toBe('a%3Db=c');
  });

  it('round-trip every character, and leave a % that is not an escape as it is', () => {
    const all = Array.from({ length: 0x250 }, (_, i) => String.fromCharCode(i)).join('');
    expect(unescapePathName(escapePathName(all))).toBe(all);
    for (const v of NASTY) expect(unescapePathName(escapePathName(v))).toBe(v);
    expect(unescapePathName('50%')).toBe('50%');
    expect(unescapePathName('%zz%4')).toBe('%zz%4');
    expect(unescapePathName('%C3%A9%E2%9C%93')).toBe('é✓'); // UTF-8 escapes (DuckDB writes them)
    expect(unescapePathName('%E9t%E9')).toBe('été'); // not UTF-8: one character per byte
    expect(partitionValuesOf('d/k=a%2Fb/n=__HIVE_DEFAULT_PARTITION__/p.parquet', 'd/')).toEqual({ k: 'a/b', n: null });
  });

  it('local data URLs round-trip keys holding %, # and ?', () => {
    const key = 'tmp/x/k=a%2Fb%3D%25/q#?/part-0.parquet';
    const url = urlOf({ kind: 'local', root: '/' }, key);
    expect(locate(url).key).toBe(key);
    expect(locate(normalizeDataUrl(`/${key}`)).key).toBe(key);
  });
});

describe('partitioned writes', () => {
  it('write partition values Spark-escaped; Stratus and DuckDB read back the same rows', async () => {
    const input = path.join(dir, 'nasty.parquet');
    const values = [...NASTY, '', null];
    const rows = values.map((v, i) => `(${i}, ${v === null ? 'NULL' : sq(v)}, ${i % 3})`).join(', ');
    await db.run(`COPY (SELECT * FROM (VALUES ${rows}) t(id, k, n)) TO ${sq(input)} (FORMAT parquet)`);
    const dest = path.join(dir, 'by_k');
    const written = await s.read.parquet(input).write.partitionBy('k', 'n').parquet(dest);
    expect(written.rows).toBe(values.length);
    // One directory level per partition column: '/' never splits a value.
    expect(files(dest).every((f) => f.split('/').length === 3)).toBe(true);
    expect(files(dest).some((f) => f.startsWith('k=a%2Fb/n=0/'))).toBe(true);
    expect(files(dest).some((f) => f.startsWith('k=__HIVE_DEFAULT_PARTITION__/'))).toBe(true);

    const stratus = typedRowsFromArrow(await s.read.parquet(dest).select('id', 'k', 'n').collect());
    // Spark's rule: '' is written as the default partition, so it reads back as null.
    const expected = await runQuery(
      db,
      `SELECT id, CASE WHEN k = '' THEN NULL ELSE k END AS k, n FROM read_parquet(${sq(input)})`,
    );
    expectSameTyped(stratus, expected);
    const duck = await runQuery(
      db,
      // DuckDB types a small integer partition value BIGINT; Stratus (like Spark) int32.
      `SELECT id, k, n::INTEGER AS n FROM read_parquet(${sq(`${dest}/*/*/*.parquet`)}, hive_partitioning = true)`,
    );
    expectSameTyped(stratus, duck);
    // Pruning on an escaped value reads the right directory.
    expect(await s.read.parquet(dest).filter(col('k').equalTo('a/b')).count()).toBe(1);
    expect(await s.read.parquet(dest).filter(col('k').isNull()).count()).toBe(2);
  });

  it('read the hive directories DuckDB writes, as DuckDB reads them', async () => {
    const dest = path.join(dir, 'duck_written');
    const rows = NASTY.map((v, i) => `(${i}, ${sq(v)})`).join(', ');
    await db.run(
      `COPY (SELECT * FROM (VALUES ${rows}, (100, NULL)) t(id, k)) TO ${sq(dest)} (FORMAT parquet, PARTITION_BY (k))`,
    );
    const stratus = typedRowsFromArrow(await s.read.parquet(dest).select('id', 'k').collect());
    const duck = await runQuery(
      db,
      `SELECT id, k FROM read_parquet(${sq(`${dest}/*/*.parquet`)}, hive_partitioning = true)`,
    );
    expectSameTyped(stratus, duck);
  });
});

describe('a 0-row write', () => {
  it('leaves one schema-only file that Stratus and DuckDB read as 0 rows with the schema', async () => {
    const input = path.join(dir, 'typed.parquet');
    await db.run(
      `COPY (SELECT i::INTEGER AS id, 'v' || i AS name, DATE '2024-01-01' + i::INTEGER AS day, (i * 1.5)::DOUBLE AS x FROM range(10) r(i)) TO ${sq(input)} (FORMAT parquet)`,
    );
    const src = s.read.parquet(input).select(col('id').cast('int32').alias('id'), 'name', 'day', 'x');
    const none = src.filter(col('id').lt(0));
    const dest = path.join(dir, 'empty');
    expect(await none.write.parquet(dest)).toEqual({ rows: 0, files: 1 });
    expect(files(dest)).toHaveLength(1);
    const back = typedRowsFromArrow(await s.read.parquet(dest).collect());
    const duck = await runQuery(db, `SELECT * FROM read_parquet(${sq(`${dest}/*.parquet`)})`);
    expect(back.rows).toEqual([]);
    expect(duck.rows).toEqual([]);
    expect(back.columns).toEqual(['id', 'name', 'day', 'x']);
    expect(duck.columns).toEqual(back.columns);
    expect(back.types).toEqual(['int32', 'string', 'date', 'float64']);
    expect(duck.types).toEqual(back.types);
    expect(await s.read.parquet(dest).count()).toBe(0);

    // Partitioned: the file holds the partition column too, so the schema survives.
    const parted = path.join(dir, 'empty_parted');
    await none.write.partitionBy('name').parquet(parted);
    expect((await s.read.parquet(parted).schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int32',
      'name:string',
      'day:date',
      'x:float64',
    ]);

    // Appending 0 rows to data adds no file; overwriting with 0 rows leaves the empty dataset.
    await src.write.mode('overwrite').parquet(dest);
    const before = files(dest);
    await none.write.mode('append').parquet(dest);
    expect(await s.read.parquet(dest).count()).toBe(10);
    expect(files(dest)).toEqual(before);
    await none.write.mode('overwrite').parquet(dest);
    expect(await s.read.parquet(dest).count()).toBe(0);
    await s.gc({ fileRetentionMs: 0 }); // the overwritten files, kept for readers of the old version, go
    expect(files(dest)).toHaveLength(1);
  });
});
