/**
 * Request accounting on the S3 backend (job store and data on the shared s3rver): what the
 * per-stage job summary (`session.lastJobSummary`, requests made by the tasks themselves)
 * says about projection pushdown, the shuffle's request pattern (M PUTs + M×R range GETs),
 * and listing a dataset of more than 1,000 objects end to end. Also prints the requests and
 * bytes per stage of TPC-H Q3 at SF0.1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { col, session, sum, type Session } from '../src/index.js';
import { ORDERED, QUERIES } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';
import {
  duckdbRows,
  duckdbRun,
  formatStageTable,
  parquetRowGroups,
  putCopies,
  s3Store,
  s3TpchTables,
  stageRows,
  totalStats,
  uniquePrefix,
  uploadDir,
} from './support/s3data.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('s3-accounting');
const base = `s3://${bucket}/${prefix}`;
const EXECUTORS = 2;
const work = tempDir('stratus-s3-accounting-');

let s: Session;
beforeAll(() => {
  s = session({ store: `${base}/jobs`, endpoint, executors: EXECUTORS, progress: false });
});
afterAll(async () => {
  await s?.stop();
  await closeDuckdbOracles();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('S3 request accounting', () => {
  it('projection pushdown: reading 2 of 16 columns fetches < 25% of the file', async () => {
    const file = path.join(work, 'wide.parquet');
    // 16 columns of pseudo-random values (little compression), 200,000 rows in 4 row groups.
    const cols = Array.from({ length: 16 }, (_, k) =>
      k % 2 === 0
        ? `(hash(i * 16 + ${k}) % 1000000000)::BIGINT as c${String(k).padStart(2, '0')}`
        : `((hash(i * 16 + ${k}) % 1000000000) / 1000.0)::DOUBLE as c${String(k).padStart(2, '0')}`,
    );
    await duckdbRun(
      `set threads = 1; copy (select ${cols.join(', ')} from range(200000) t(i)) to '${file}' (format parquet, row_group_size 50000)`,
    );
    expect(await parquetRowGroups(file)).toBeGreaterThanOrEqual(4);
    const size = fs.statSync(file).size;
    await s3Store({ endpoint, bucket, prefix }).put('wide/data.parquet', fs.readFileSync(file));

    const t = await s.read
      .parquet(`${base}/wide`)
      .agg(sum(col('c00')).alias('a'), sum(col('c05')).alias('b'))
      .collect();
    const expected = await duckdbRows(`select sum(c00)::DOUBLE as a, sum(c05) as b from '${file}'`);
    expectSameResults(rowsFromArrow(t), expected, { ordered: true, relTol: 1e-9 });

    const stages = stageRows(s.lastJobSummary);
    const scan = stages[0]!; // the scan + partial aggregate stage (the only one that reads the file)
    console.log(
      `projection: 2 of 16 columns, scan stage fetched ${scan.requests.bytesIn} of ${size} bytes (${((100 * scan.requests.bytesIn) / size).toFixed(1)}%) in ${scan.requests.get} GETs, ${scan.tasks} tasks`,
    );
    expect(scan.requests.bytesIn).toBeGreaterThan(0);
    expect(scan.requests.bytesIn, `scan stage fetched ${scan.requests.bytesIn} of ${size} bytes`).toBeLessThan(
      0.25 * size,
    );
    // And the whole job too (the final stage reads only tiny shuffle objects).
    expect(totalStats(s.lastJobSummary).bytesIn).toBeLessThan(0.25 * size);
  });

  it('shuffle: M map tasks make M PUTs; R reduce tasks make M×R range GETs + cached index and commit reads', async () => {
    const M = 8;
    const R = 16;
    const file = path.join(work, 'keys.parquet');
    // 8 row groups of 25,000 rows; every row group holds all 5,000 keys, so each map task
    // writes rows to all 16 partitions (no empty range is skipped by the readers).
    await duckdbRun(
      `set threads = 1; copy (select (i % 5000)::INTEGER as k, (i % 97)::DOUBLE as v from range(200000) t(i)) to '${file}' (format parquet, row_group_size 25000)`,
    );
    expect(await parquetRowGroups(file)).toBe(M);
    await s3Store({ endpoint, bucket, prefix }).put('keys/data.parquet', fs.readFileSync(file));

    // taskBytes 1: every row group is a task of its own → M map tasks; R shuffle partitions.
    const sj = session({
      store: `${base}/jobs`,
      endpoint,
      executors: EXECUTORS,
      progress: false,
      job: { shufflePartitions: R, taskBytes: 1 },
    });
    try {
      const got = await sj.read
        .parquet(`${base}/keys`)
        .groupBy('k')
        .agg(sum(col('v')).alias('s'))
        .collect();
      expectSameResults(rowsFromArrow(got), await duckdbRows(`select k, sum(v) as s from '${file}' group by k`), {
        ordered: false,
        relTol: 1e-9,
      });
      expect(got.numRows).toBe(5000);

      const stages = stageRows(sj.lastJobSummary);
      expect(stages.map((x) => x.tasks)).toEqual([M, R]);
      const [map, reduce] = stages as [(typeof stages)[0], (typeof stages)[0]];
      expect(map.attempts).toBe(M);
      expect(reduce.attempts).toBe(R);
      // Counts below are of requests asked for: a retried attempt (a timeout on a loaded
      // machine) is counted apart (retriedPuts, retriedGets), so they do not depend on timing.

      // Map stage: ONE shuffle object per map task (all R partitions + index in it): M PUTs.
      // (PUTs are not hedged against an S3-compatible endpoint — see straggler.ts — so no
      // straggler duplicate can add one: exactly M.)
      expect(map.requests.put - map.requests.retriedPuts).toBe(M);
      // Reduce stage: one result part per reduce task (every partition has rows): R PUTs.
      expect(reduce.requests.put - reduce.requests.retriedPuts).toBe(R);

      // Reduce stage GETs, exactly. Let P = the executor processes that ran reduce tasks
      // (1 ≤ P ≤ EXECUTORS). Reduce task r reads:
      //  - data:   the byte range of partition r in every map object: M range GETs per task,
      //            M×R in all (no partition is empty, so none is skipped);
      //  - index:  the tail of each map object (its partition offsets), cached per executor
      //            process (shuffleRead.ts indexOf): only the first reduce task in a process
      //            reads the M indexes, so M×P in all (≤ M × EXECUTORS);
      //  - commit: the map stage's commit record, cached per process (commitOf): P in all.
      // Straggler duplicates (hedged GETs, DEFAULT_STRAGGLER) add one GET each and are
      // counted in `duplicates`, retries in `retriedGets`. So  GET − duplicates − retriedGets = M×R + (M+1)×P.
      console.log(
        `shuffle M=${M} R=${R}: map ${JSON.stringify(map.requests)}; reduce ${JSON.stringify(reduce.requests)}`,
      );
      const gets = reduce.requests.get - reduce.requests.duplicates - reduce.requests.retriedGets;
      const overhead = gets - M * R;
      const detail = `reduce GETs ${reduce.requests.get} (duplicates ${reduce.requests.duplicates}): ${M * R} data + ${overhead} index/commit reads, expected (M+1)×P = ${M + 1}×P with 1 ≤ P ≤ ${EXECUTORS}`;
      expect(overhead % (M + 1), detail).toBe(0);
      expect(overhead / (M + 1), detail).toBeGreaterThanOrEqual(1);
      expect(overhead / (M + 1), detail).toBeLessThanOrEqual(EXECUTORS);
      // i.e. M×R + M + 1 ≤ GET − duplicates ≤ M×R + (M+1) × EXECUTORS.
      // No listing, HEAD or DELETE by any task: a reduce task never lists the map outputs.
      for (const st of stages) expect([st.requests.list, st.requests.head, st.requests.delete]).toEqual([0, 0, 0]);
    } finally {
      await sj.stop();
    }
  });

  it('reads a dataset directory of 1,050 Parquet files on S3 (listing past one page)', async () => {
    const FILES = 1050;
    const file = path.join(work, 'tiny.parquet');
    await duckdbRun(`copy (select i::INTEGER as x from range(3) t(i)) to '${file}' (format parquet)`);
    const keys = Array.from({ length: FILES }, (_, i) => `many/part-${String(i).padStart(5, '0')}.parquet`);
    await putCopies({ endpoint, bucket, prefix }, keys, fs.readFileSync(file));
    expect(await s.read.parquet(`${base}/many`).count()).toBe(3 * FILES);
    // Every file is read, but small files share tasks (packed up to the task size).
    expect(s.lastJobSummary!.stages[0]!.rowGroups).toBe(FILES);
    expect(stageRows(s.lastJobSummary)[0]!.tasks).toBeLessThanOrEqual(8); // two or so per executor, not 1,050
  });

  it('prints requests and bytes per stage of TPC-H Q3 at SF0.1', async () => {
    // The three tables Q3 reads.
    await Promise.all(
      ['customer', 'orders', 'lineitem'].map((t) =>
        uploadDir(path.join(SF01, t), { endpoint, bucket, prefix: `${prefix}/tpch/${t}` }),
      ),
    );
    const got = rowsFromArrow(await QUERIES[3]!(s3TpchTables(s, `${base}/tpch`)).collect());
    expectSameResults(got, await duckdbQuery(tpchSql(3), SF01), { ordered: ORDERED[3]!, relTol: 1e-9 });
    const table = formatStageTable(s.lastJobSummary);
    console.log(
      `TPC-H Q3, SF0.1, S3 (s3rver), ${EXECUTORS} executors — store requests per stage (task requests only):\n${table}`,
    );
    const total = totalStats(s.lastJobSummary);
    expect(total.list + total.head + total.delete).toBe(0);
    // Every task writes at most one object (a shuffle object, or a result part when it has
    // rows); PUTs are not hedged against s3rver, so no duplicate PUT either (retries apart).
    // A stage read inline by the tasks that build on it (inline_broadcast_scans) does not run.
    for (const st of stageRows(s.lastJobSummary).filter((x) => !x.skipped)) {
      expect(st.requests.put - st.requests.retriedPuts).toBeGreaterThanOrEqual(1);
      expect(st.requests.put - st.requests.retriedPuts).toBeLessThanOrEqual(st.attempts);
    }
  });
});
