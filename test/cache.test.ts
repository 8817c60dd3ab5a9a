/**
 * cache() / persist() / unpersist(), with the job store and the data on the local store and on
 * the S3-compatible server: the first action writes the result once, later actions and derived
 * DataFrames read the copy (one stage, and they do not see the source change under them), explain
 * shows the cached relation, unpersist() and stop() delete it, and a failed materialization
 * leaves no copy that anything reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { col, count, session, StorageLevel, sum, type DataFrame, type Session } from '../src/index.js';
import { strictNation } from './support/fault-fns.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbRows, duckdbRun, s3Store, uniquePrefix } from './support/s3data.js';
import { tempDir } from './support/tpch.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('cache');
const dir = tempDir('stratus-cache-');
const v1 = path.join(dir, 'v1.parquet');
const v2 = path.join(dir, 'v2.parquet');
const typed = path.join(dir, 'typed.parquet');

const QUERY = (file: string) =>
  `SELECT k, sum(v) AS sv, count(*) AS n FROM read_parquet('${file}') WHERE k <> 0 GROUP BY k`;

beforeAll(async () => {
  const gen = (rows: number, file: string) =>
    duckdbRun(
      `COPY (SELECT range::INTEGER AS id, (range % 5)::INTEGER AS k, (range * 1.5)::DOUBLE AS v FROM range(${rows}))
       TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 300)`,
    );
  await gen(1000, v1);
  await gen(1700, v2);
  await duckdbRun(
    `COPY (SELECT * FROM (VALUES
       (1, 9007199254740993::BIGINT, 12345678901234567890.0123456789::DECIMAL(38,10), TIMESTAMPTZ '2024-03-10 01:59:59.123456+00',
        TIMESTAMP '1900-01-01 00:00:00.000001', DATE '0001-01-01', 'é', '\\xCAFE'::BLOB, [1, NULL, 3]),
       (2, (-9223372036854775807 - 1)::BIGINT, -0.0000000001::DECIMAL(38,10), NULL, NULL, NULL, NULL, NULL, NULL),
       (3, NULL, NULL, TIMESTAMPTZ '2262-04-11 23:47:16.854775+00', TIMESTAMP '2024-02-29 12:00:00', DATE '9999-12-31', '', ''::BLOB, [])
     ) AS t(id, big, dec, tz, ntz, d, s, bin, l)) TO '${typed}' (FORMAT parquet)`,
  );
});

const BACKENDS = ['local', 's3'] as const;

describe.each(BACKENDS)('cache with the store and data on %s', (backend) => {
  let s: Session;
  let src: string;
  /** Replace the source file's contents. */
  let put: (file: string) => Promise<void>;
  /** Keys of the data files under the session's cache area. */
  let cacheFiles: () => Promise<string[]>;

  beforeAll(async () => {
    if (backend === 'local') {
      const store = tempDir('stratus-cache-store-');
      src = path.join(dir, 'src.parquet');
      put = async (file) => fs.copyFileSync(file, src);
      s = session({ store, executors: 1, progress: false, job: { shufflePartitions: 2 } });
      cacheFiles = async () =>
        fs.existsSync(path.join(store, 'sessions'))
          ? (fs.readdirSync(path.join(store, 'sessions'), { recursive: true }) as string[]).filter(isDataFile)
          : [];
    } else {
      const t = { endpoint, bucket, prefix };
      src = `s3://${bucket}/${prefix}/data/src.parquet`;
      put = (file) => s3Store(t).put('data/src.parquet', fs.readFileSync(file));
      s = session({ store: `s3://${bucket}/${prefix}/jobs`, endpoint, executors: 1, progress: false });
      cacheFiles = async () =>
        (await s3Store({ ...t, prefix: `${prefix}/jobs` }).list('sessions/')).map((o) => o.key).filter(isDataFile);
    }
    await put(v1);
    if (backend === 's3') await s3Store({ endpoint, bucket, prefix }).put('data/typed.parquet', fs.readFileSync(typed));
  });
  afterAll(async () => {
    await s?.stop();
  });

  const query = (): DataFrame =>
    s.read.parquet(src).filter(col('k').notEqual(0)).groupBy('k').agg(sum('v').alias('sv'), count().alias('n'));

  it('the first action writes the result once; later actions and jobs read it, not the source', async () => {
    const cached = query().cache();
    expect(cached.storageLevel).toBe('MEMORY_AND_DISK');
    expect(query().storageLevel).toBe('MEMORY_AND_DISK'); // the same plan is the same cached relation
    // Not written yet: explain shows the cached relation over its plan (as Spark's InMemoryRelation
    // right after cache()), also inside a plan built on it; the plans below still compute it.
    const pending = await cached.explain();
    expect(pending).toMatch(
      /^== Cached Relations ==\nInMemoryRelation \(not yet materialized[^\n]*\): level=MEMORY_AND_DISK path=\S*sessions\/[^/]+\/cache\/1\n {2}Aggregate: keys=\[k\][^\n]*\n {4}Filter: predicate=\(k != 0\)\n {6}Scan: /,
    );
    expect(pending.split('== Staged Plan ==')[1]).not.toMatch(/ArrowScan/);
    expect(await cached.filter(col('k').leq(2)).explain()).toMatch(/InMemoryRelation \(not yet materialized/);
    expect(await s.read.parquet(src).explain()).not.toMatch(/InMemoryRelation/);
    expectSameResults(rowsFromArrow(await cached.collect()), await duckdbRows(QUERY(v1)), { ordered: false });
    expect(s.lastJobSummary!.stages).toHaveLength(1); // a scan of the copy: no aggregate, no shuffle
    expect(await cacheFiles()).not.toHaveLength(0);

    await put(v2); // the source changes; the cached relation keeps the result it had
    expectSameResults(rowsFromArrow(await cached.collect()), await duckdbRows(QUERY(v1)), { ordered: false });
    expect(s.lastJobSummary!.stages).toHaveLength(1);
    const derived = cached.filter(col('k').leq(2)).select('k', 'n');
    expectSameResults(
      rowsFromArrow(await derived.collect()),
      await duckdbRows(`SELECT k, n FROM (${QUERY(v1)}) WHERE k <= 2`),
      { ordered: false },
    );
    expect(await derived.explain()).toMatch(/ArrowScan: path=.*sessions\/[^ ]*\/cache\/1/);
    expect(await derived.explain()).not.toMatch(/InMemoryRelation|Cached Relations/); // written: the scan shows it
    // A plan that does not use the cached relation sees the new source.
    expect(await s.read.parquet(src).count()).toBe(1700);

    cached.unpersist();
    expect(cached.storageLevel).toBe('NONE');
    expectSameResults(rowsFromArrow(await cached.collect()), await duckdbRows(QUERY(v2)), { ordered: false });
    expect(s.lastJobSummary!.stages.length).toBeGreaterThan(1); // the plan runs again
    await put(v1);
  });

  it('a cached result keeps repeated and odd column names', async () => {
    const df = s.read.parquet(src).select(col('k').alias('x'), col('id').alias('x'), col('v').alias('v 1;{}')).cache();
    const expected = await duckdbRows(`SELECT k AS x, id AS x, v AS "v 1;{}" FROM read_parquet('${v1}')`);
    expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
    expectSameResults(rowsFromArrow(await df.collect()), expected, { ordered: false });
    expect(s.lastJobSummary!.stages).toHaveLength(1);
    df.unpersist();
  });

  it('a cached copy keeps every value and type exactly (int64, decimal(38,10), timestamps, binary, lists)', async () => {
    const source = s.read.parquet(backend === 'local' ? typed : src.replace('src.parquet', 'typed.parquet'));
    const cached = source.filter(col('id').gt(0)).cache();
    const expected = await source.filter(col('id').gt(0)).collectRows({ int64: 'string' });
    await cached.collect();
    const again = await cached.collectRows({ int64: 'string' });
    expect(s.lastJobSummary!.stages).toHaveLength(1);
    expect(await cached.explain()).toMatch(/ArrowScan/);
    const byId = (rows: Record<string, unknown>[]) =>
      [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(again).toHaveLength(3);
    expect(byId(again)).toEqual(byId(expected));
    expect(await cached.dtypes).toEqual(await source.dtypes);
    cached.unpersist();
  });

  it('persist() takes every Spark storage level and refuses others; stop() deletes the copies', async () => {
    const df = s.read.parquet(src).filter(col('k').equalTo(1)).persist(StorageLevel.DISK_ONLY);
    expect(df.storageLevel).toBe('DISK_ONLY');
    expect(s.read.parquet(src).persist('memory_only_ser').storageLevel).toBe('MEMORY_ONLY_SER');
    expect(() => s.read.parquet(src).persist('IN_THE_CLOUD')).toThrow(/unknown storage level "IN_THE_CLOUD"/);
    // A cached relation over another: explain lists both until they are written, outermost first.
    const outer = df.groupBy('k').agg(count().alias('n')).cache();
    const levels = (text: string) => [...text.matchAll(/InMemoryRelation [^\n]*level=(\w+)/g)].map((m) => m[1]);
    // (The scan under df is cached too, as MEMORY_ONLY_SER, just above.)
    expect(levels(await outer.explain())).toEqual(['MEMORY_AND_DISK', 'DISK_ONLY', 'MEMORY_ONLY_SER']);
    expect(await df.count()).toBe(200);
    expect(await cacheFiles()).not.toHaveLength(0);
    expect(levels(await outer.explain())).toEqual(['MEMORY_AND_DISK']);
    expect(await outer.explain()).toMatch(/ArrowScan: path=\S*\/cache\/\d/); // the inner copy is read
    await s.stop();
    expect(await cacheFiles()).toEqual([]);
  });

  it('a materialization that fails leaves no copy, and the next action runs the plan again', async () => {
    s = session(
      backend === 'local'
        ? { store: tempDir('stratus-cache-fail-'), executors: 1, progress: false }
        : { store: `s3://${bucket}/${prefix}/jobs`, endpoint, executors: 1, progress: false },
    );
    if (backend === 'local') {
      const store = s.storeRef.kind === 'local' ? s.storeRef.root : '';
      cacheFiles = async () =>
        fs.existsSync(path.join(store, 'sessions'))
          ? (fs.readdirSync(path.join(store, 'sessions'), { recursive: true }) as string[]).filter(isDataFile)
          : [];
    }
    // strict_nation throws for values over 23: id 23 fails the job.
    const bad = s.read
      .parquet(src)
      .select(strictNation(col('id')).alias('x'))
      .cache();
    await expect(bad.collect()).rejects.toThrow(/out of range/);
    expect(await cacheFiles()).toEqual([]);
    // Still not materialized: no scan of a copy, the relation pending again.
    const again = await bad.explain();
    expect(again).not.toMatch(/ArrowScan/);
    expect(again).toMatch(/InMemoryRelation \(not yet materialized/);
    await expect(bad.count()).rejects.toThrow(/out of range/);
  });
});

/** A committed data file of a copy (Arrow IPC; not staging, not the dataset log). */
function isDataFile(key: string): boolean {
  return key.endsWith('.arrow') && !key.includes('_temporary');
}
