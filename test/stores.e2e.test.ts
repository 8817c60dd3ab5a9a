/**
 * One end-to-end suite, two store backends: TPC-H on the official SF0.1 data with the job
 * store (job state, shuffle, results) AND the data on
 * - `local`: a temporary directory store, data read from the local files;
 * - `s3`: `s3://<bucket>/<prefix>/jobs` on the shared s3rver (test/support/s3-global-setup.ts),
 *   data uploaded once per run to `s3://<bucket>/<prefix>/tpch/<table>/…` and read from there.
 * Every query must match DuckDB on the same files, and the two backends must give identical
 * results (same plan, same task split, same values: no tolerance between them).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { ORDERED, QUERIES, tpchTables, type Tables } from '../benchmarks/tpch/queries/index.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow, type ResultSet } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';
import { listFiles, s3Store, s3TpchTables, stageRows, totalStats, uniquePrefix, uploadDir } from './support/s3data.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('stores-e2e');
const TPCH_QUERIES = [1, 3, 6, 5, 12, 18] as const;
const BACKENDS = [{ name: 'local' }, { name: 's3' }] as const;
type Backend = (typeof BACKENDS)[number]['name'];

/** Results per backend and query, for the cross-backend comparison at the end. */
const results = new Map<Backend, Map<number, ResultSet>>(BACKENDS.map((b) => [b.name, new Map()]));

beforeAll(async () => {
  // Once per run: the SF0.1 files (8 tables, ~18 MB) into the shared bucket, bounded parallel PUTs.
  const up = await uploadDir(SF01, { endpoint, bucket, prefix: `${prefix}/tpch` });
  expect(up.files).toBe(listFiles(SF01).length);
}, 60_000);

afterAll(async () => {
  await closeDuckdbOracles();
});

describe.each(BACKENDS)('TPC-H SF0.1 with job store and data on $name', ({ name }) => {
  let s: Session;
  let tables: Tables;
  beforeAll(() => {
    if (name === 'local') {
      s = session({ store: tempDir('stratus-stores-e2e-'), executors: 2, progress: false });
      tables = tpchTables(s, SF01);
    } else {
      s = session({ store: `s3://${bucket}/${prefix}/jobs`, endpoint, executors: 2, progress: false });
      tables = s3TpchTables(s, `s3://${bucket}/${prefix}/tpch`);
    }
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('uses the intended backend for the job store', () => {
    expect(s.storeRef.kind).toBe(name);
    if (name === 's3') expect(s.storeRef).toMatchObject({ bucket, prefix: `${prefix}/jobs`, endpoint });
  });

  for (const q of TPCH_QUERIES) {
    it(`Q${q} matches DuckDB`, async () => {
      const actual = rowsFromArrow(await QUERIES[q]!(tables).collect());
      expectSameResults(actual, await duckdbQuery(tpchSql(q), SF01), { ordered: ORDERED[q]!, relTol: 1e-9 });
      // The executors' requests went to this backend: data read, shuffle/results written (every
      // stage that ran wrote — a stage read inline by its readers or skipped by an adaptive join
      // did not run; PUTs counted once each, retries apart — a loaded machine may time some out).
      const stats = totalStats(s.lastJobSummary);
      const ran = stageRows(s.lastJobSummary).filter((st) => !st.skipped);
      expect(stats.bytesIn).toBeGreaterThan(100_000);
      expect(stats.put - stats.retriedPuts).toBeGreaterThanOrEqual(ran.length);
      for (const st of ran) expect(st.requests.put - st.requests.retriedPuts).toBeGreaterThan(0);
      results.get(name)!.set(q, actual);
    });
  }

  if (name === 's3') {
    it('leaves no job objects behind in the S3 job store', async () => {
      await s.stop(); // finished jobs are removed in the background; stop() waits for that
      const store = s3Store({ endpoint, bucket, prefix });
      expect((await store.list('jobs/')).map((o) => o.key)).toEqual([]);
      expect((await store.list('tpch/')).length).toBe(listFiles(SF01).length);
    });
  }
});

describe('local and s3 backends', () => {
  it.each(TPCH_QUERIES.map((q) => [q]))('Q%i: identical results on both backends', (q) => {
    const local = results.get('local')!.get(q);
    const s3 = results.get('s3')!.get(q);
    expect(local, `Q${q} did not complete on local`).toBeDefined();
    expect(s3, `Q${q} did not complete on s3`).toBeDefined();
    expect(s3!.columns).toEqual(local!.columns);
    expect(s3!.rows.length).toBe(local!.rows.length);
    expect(s3!.rows).toEqual(local!.rows);
  });
});
