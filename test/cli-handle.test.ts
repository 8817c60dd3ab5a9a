/**
 * The job API for scripts: `submitJob` returns at once with a handle (status, wait, cancel,
 * result); `followJob` follows the same job as another process would, from its id alone.
 * Results are checked against DuckDB.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { col, count, followJob, session, submitJob } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { slowRow } from './support/cli-fns.js';
import { SF01, tempDir } from './support/tpch.js';

const store = tempDir('stratus-handle-');
const s = session({ store, executors: 2, progress: false });
afterAll(async () => {
  await s.stop();
  await closeDuckdbOracles();
});

describe('submitJob / followJob', () => {
  it('returns at once; wait and result give the job’s rows, equal to DuckDB; another handle sees it', async () => {
    const df = s.read.parquet(path.join(SF01, 'orders')).groupBy('o_orderstatus').agg(count('*').alias('n'));
    const job = await submitJob(s, df);
    expect(['submitted', 'running']).toContain((await job.status()).status);
    const table = await job.result();
    expectSameResults(
      rowsFromArrow(table),
      await duckdbQuery('select o_orderstatus, count(*) as n from orders group by 1', SF01),
      { ordered: false },
    );
    // From its id alone, as another process would: a fresh session on the same store.
    const other = session({ store, progress: false });
    try {
      expect(await followJob(other, job.jobId).status()).toMatchObject({ status: 'succeeded', rows: 3 });
    } finally {
      await other.stop();
    }
  });

  it('cancel stops a running job; result then throws JOB_CANCELLED', async () => {
    process.env.STRATUS_TEST_ROW_MS = '1000'; // inherited by the runner process
    let job: Awaited<ReturnType<typeof submitJob>>;
    try {
      job = await submitJob(
        s,
        s.read.parquet(path.join(SF01, 'nation')).select(slowRow(col('n_nationkey')).alias('k')),
        {
          options: { maxTaskAttempts: 1 },
        },
      );
    } finally {
      delete process.env.STRATUS_TEST_ROW_MS;
    }
    for (let i = 0; i < 600 && !(await job.status()).progress.running.length; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await job.cancel('test')).toMatchObject({ status: 'cancelled' });
    await expect(job.result()).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
  });
});
