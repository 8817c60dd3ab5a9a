/**
 * The serverless runtime's limits, each proven in local mode: routing, references not payloads,
 * sizing, time limits, instance reuse, parameters, history chaining, failures and resume.
 * (Micro-batch has its own file.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { col, count, session, sum, type Session, type SessionOptions } from '../src/index.js';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { EXECUTOR_INITIAL_OLD_SPACE_MB, EXECUTOR_MALLOC_ENV, executorNodeArgs } from '../src/local/pool.js';
import { runDriverStep } from '../src/runtime/driver.js';
import { cachedStore, defaultEnv } from '../src/runtime/env.js';
import { newJobId, submitJob } from '../src/runtime/client.js';
import { jobKeys, stageCriticalMillis } from '../src/runtime/jobState.js';
import { setPayloadLimit, PAYLOAD_LIMIT_BYTES, payloadSize } from '../src/runtime/payload.js';
import { sizeStage } from '../src/runtime/sizing.js';
import { PLAN_VERSION } from '../planner/plan.js';
import type { Stage } from '../planner/stages.js';
import { failWhileFlag, flaky, secretLength, threadOf } from './support/runtime-fns.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const open: Session[] = [];
const start = (opts: SessionOptions = {}) => {
  const s = session({ store: tempDir(), executors: 2, progress: false, ...opts, job: { ...opts.job } });
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

const q1Rows = async (s: Session) => rowsFromArrow(await QUERIES[1]!(tpchTables(s, SF01)).collect());
let reference: ReturnType<typeof rowsFromArrow> | undefined;
const q1Reference = async () => (reference ??= await q1Rows(start()));

/** A Parquet file with many row groups (DuckDB writes it). */
async function manyRowGroups(groups: number): Promise<string> {
  const file = path.join(tempDir('stratus-rg-'), `orders-${groups}.parquet`);
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(
    `COPY (SELECT * FROM '${SF01}/orders/*.parquet' ORDER BY o_orderkey) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${2048 * Math.max(1, Math.floor(150000 / groups / 2048))})`,
  );
  return file;
}

describe('1. routing', () => {
  it('plans a large input over several driver calls (run_driver), then runs executors and succeeds', async () => {
    const s = start({ job: { footersPerCall: 1 } });
    expect(await q1Rows(s)).toEqual(await q1Reference());
    const actions = s.localRunner.actions;
    expect(actions.filter((a) => a === 'run_driver').length).toBeGreaterThanOrEqual(3); // 4 lineitem files, 1 per call
    expect(actions).toContain('run_executors');
    expect(actions.at(-1)).toBe('succeed');
  });

  it('fails at once with the cause when user code throws (deterministic: no retries)', async () => {
    const flag = path.join(tempDir(), 'flag');
    fs.writeFileSync(flag, '');
    process.env.STRATUS_TEST_FLAG = flag;
    const s = start({ job: { maxTaskAttempts: 2 } });
    const err = await s.read
      .parquet(path.join(SF01, 'nation'))
      .select(failWhileFlag(col('n_nationkey')).alias('k'))
      .collect()
      .catch((e) => e);
    expect(s.localRunner.actions.at(-1)).toBe('fail');
    expect(err.code).toBe('USER_CODE_ERROR');
    expect(err.message).toMatch(/user function 'fail_while_flag' threw Error: deliberate failure/);
    expect(err.details).toMatchObject({ function: 'fail_while_flag', stage: 0, task: 0, attempt: 0, failures: 1 });
    // The stack is mapped to the function's own source file.
    expect(err.message).toMatch(/\(.*test\/support\/runtime-fns.ts:\d+:\d+\)$/);
    expect(err.details.stack).toMatch(/^Error: deliberate failure.*\n {4}at .*test\/support\/runtime-fns.ts:\d+:\d+/);
  });
});

describe('2. references, not payloads', () => {
  it('keeps every state payload small and fails clearly above the limit', async () => {
    const s = start();
    const sizes: number[] = [];
    const inner = s.localRunner.pool.invoke.bind(s.localRunner.pool);
    s.localRunner.pool.invoke = async (e) => {
      sizes.push(payloadSize(e));
      const out = await inner(e);
      sizes.push(payloadSize(out));
      return out;
    };
    await q1Rows(s);
    expect(Math.max(...sizes)).toBeLessThan(2048);
    const prev = setPayloadLimit(200);
    try {
      const err = await q1Rows(s).catch((e) => e);
      expect(String(err.message)).toMatch(/driver (input|output) is \d+ bytes, above the 200-byte state payload limit/);
    } finally {
      setPayloadLimit(prev);
    }
    expect(PAYLOAD_LIMIT_BYTES).toBe(256 * 1024);
  });
});

describe('3. sizing policy', () => {
  const scanStage = {
    id: 0,
    source: { kind: 'scan' },
    ops: [],
    output: { kind: 'result' },
    schema: [],
  } as unknown as Stage;
  const aggStage = { ...scanStage, ops: [{ op: 'HashAggregate' }] } as unknown as Stage;
  it('scales executors from 1 by input bytes up to the goal, workers by workload', () => {
    expect(sizeStage(scanStage, 1, 10e6, {})).toMatchObject({ workload: 'network', executors: 1, groups: 1 });
    expect(sizeStage(scanStage, 400, 100e9, { goal: 'latency' })).toMatchObject({ executors: 40, workers: 10 });
    expect(sizeStage(scanStage, 400, 100e9, { goal: 'stability' })).toMatchObject({ executors: 10, workers: 24 });
    expect(sizeStage(aggStage, 60, 1e9, {})).toMatchObject({ workload: 'cpu', workers: 6 });
    expect(sizeStage(aggStage, 60, 1e9, { workload: 'memory' })).toMatchObject({ workers: 3 });
    expect(sizeStage(scanStage, 500, 1e12, { workers: 1, maxExecutors: 200 })).toMatchObject({
      executors: 200,
      distributed: true,
    });
  });

  it('runs a round of more than 40 groups through the Distributed Map branch', async () => {
    const file = await manyRowGroups(60);
    const s = start({ job: { taskBytes: 1, workers: 1, maxExecutors: 100 } });
    const rows = await s.read.parquet(file).agg(count('*').alias('n')).take(1);
    expect(rows[0]!.n).toBe(150000);
    expect(s.lastJobSummary!.stages[0]!.tasks).toBeGreaterThan(40);
    // The same definition as on AWS: a Distributed Map whose ItemReader read the group list.
    expect(s.localRunner.actions).toContain('run_executors:distributed');
  });
});

describe('3c. job summary', () => {
  it("accounts each executor's busy time and CPU: tasks run one after another add up", async () => {
    const file = await manyRowGroups(4);
    const s = start({ executors: 1, job: { taskBytes: 1, workers: 1 } });
    await s.read.parquet(file).agg(count('*').alias('n')).take(1);
    const scan = s.lastJobSummary!.stages[0]!;
    expect(scan.tasks).toBeGreaterThanOrEqual(4);
    const busy = Object.values(scan.executorMillis ?? {});
    expect(busy).toHaveLength(1); // one executor ran every task, one at a time
    expect(stageCriticalMillis(scan)).toBeGreaterThan(scan.maxTaskMillis!);
    expect(stageCriticalMillis(scan)).toBeGreaterThan(0.9 * scan.taskMillis);
    expect(scan.stats.cpuMillis).toBeGreaterThan(0);
  });

  it.runIf(process.platform === 'linux')(
    "accounts the invocation thread's own CPU (within the process's) and its run-queue wait",
    async () => {
      const file = await manyRowGroups(4);
      const s = start({ executors: 1, job: { taskBytes: 1, workers: 1 } });
      await s.read.parquet(file).agg(count('*').alias('n')).take(1);
      const { stats } = s.lastJobSummary!.stages[0]!;
      expect(stats.threadCpuMillis).toBeGreaterThan(0);
      // The process's CPU adds its helper threads' (GC, compilers) to the invocation thread's.
      expect(stats.threadCpuMillis).toBeLessThanOrEqual(stats.cpuMillis! + 1);
      expect(stats.threadWaitMillis).toBeGreaterThanOrEqual(0);
    },
  );
});

describe('3b. task threads', () => {
  it('runs the tasks of a group in parallel on worker threads, with the same answer', async () => {
    process.env.STRATUS_EXECUTOR_THREADS = '2';
    try {
      const s = start({ executors: 1, job: { taskBytes: 1, workers: 4 } });
      const file = await manyRowGroups(8);
      const rows = await s.read
        .parquet(file)
        .select(threadOf().alias('t'), col('o_totalprice'))
        .groupBy('t')
        .agg(count('*').alias('n'), sum('o_totalprice').alias('p'))
        .take(10);
      expect(rows.reduce((a, r) => a + (r.n as number), 0)).toBe(150000);
      expect(rows.every((r) => (r.t as number) > 0)).toBe(true); // never the executor's main thread
      expect(new Set(rows.map((r) => r.t)).size).toBe(2);
      expect(s.lastJobSummary!.stages[0]!.stats.put).toBeGreaterThan(0); // thread requests are accounted
    } finally {
      delete process.env.STRATUS_EXECUTOR_THREADS;
    }
  });
});

describe('4. time limit', () => {
  it('hands unfinished tasks back before the limit and completes over several rounds', async () => {
    process.env.STRATUS_TEST_SLOW_MS = '700';
    const file = await manyRowGroups(8);
    const s = start({
      executors: 1,
      // The margin leaves a 700 ms task 1.3 s to finish: an invocation still running at its
      // limit is stopped, as on Lambda (a loaded machine must not turn this into a timeout).
      executorTimeLimitMs: 3300,
      job: { taskBytes: 1, workers: 1, maxExecutors: 1, safetyMarginMs: 2000 },
    });
    const rows = await s.read.parquet(file).mapBatches('slow_batch').agg(count('*').alias('n')).take(1);
    expect(rows[0]!.n).toBe(150000);
    const summary = s.lastJobSummary!;
    expect(summary.stages[0]!.tasks).toBeGreaterThanOrEqual(8);
    expect(summary.rounds).toBeGreaterThanOrEqual(4); // at most 2 tasks start in each 3.3 s invocation
  });
});

describe('5. instance reuse', () => {
  it('runs two jobs in the same warm process without leaking globals, env or scratch files', async () => {
    const s = start({ executors: 1 });
    const nation = s.read.parquet(path.join(SF01, 'nation'));
    await nation.map('leave_traces').count();
    const seen = await nation.map('look_for_traces').take(3);
    const pool = s.localRunner.pool;
    expect(pool.started).toBe(1);
    expect(pool.invocationCounts[0]).toBeGreaterThanOrEqual(4);
    for (const r of seen) expect(r).toMatchObject({ global: '', env: '', files: '', pid: pool.pids[0] });
  });
});

describe('5b. executor processes', () => {
  it('start with a larger initial old generation, glibc malloc keeping its pages, and GC on their own thread when every core has one', async () => {
    expect(executorNodeArgs(1, 2)).toEqual([`--initial-old-space-size=${EXECUTOR_INITIAL_OLD_SPACE_MB}`]);
    expect(executorNodeArgs(2, 2)).toContain('--single-threaded-gc');
    expect(executorNodeArgs(4, 2)).toContain('--single-threaded-gc');
    const s = start({ executors: 1 });
    await s.read.parquet(path.join(SF01, 'nation')).count();
    const argv = fs.readFileSync(`/proc/${s.localRunner.pool.pids[0]}/cmdline`, 'utf8').split('\0');
    expect(argv).toContain(`--initial-old-space-size=${EXECUTOR_INITIAL_OLD_SPACE_MB}`);
    const environ = fs.readFileSync(`/proc/${s.localRunner.pool.pids[0]}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(EXECUTOR_MALLOC_ENV)) expect(environ).toContain(`${k}=${v}`);
  });
});

describe('6. parameters', () => {
  it('loads a named secret for user code and never writes it to the store', async () => {
    const secret = 'sk-test-7f3a9c2e41d8b6';
    const file = path.join(tempDir(), 'params.json');
    fs.writeFileSync(file, JSON.stringify({ '/stratus/test/api-key': secret }));
    process.env.STRATUS_PARAMS_FILE = file;
    const s = start({ keepJobs: true, job: { parameters: ['/stratus/test/api-key'] } });
    const rows = await s.read.parquet(path.join(SF01, 'region')).select(secretLength().alias('len')).take(5);
    expect(rows.map((r) => r.len)).toEqual(Array(5).fill(secret.length));
    const root = (s.storeRef as { root: string }).root;
    const everything = fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => fs.readFileSync(path.join(d.parentPath, d.name)).toString('latin1'));
    expect(everything.length).toBeGreaterThan(5);
    expect(everything.some((text) => text.includes(secret))).toBe(false);
    expect(everything.some((text) => text.includes('/stratus/test/api-key'))).toBe(true); // the name travels
  });
});

describe('7. execution history', () => {
  it('chains new executions before a (tiny) history cap and completes correctly', async () => {
    // Q1's four rounds (its sort as three stages, not adaptive_sort's one task) outgrow the cap.
    const s = start({ job: { historyEventCap: 60, shufflePartitions: 2, disabledRules: ['adaptive_sort'] } });
    expect(await q1Rows(s)).toEqual(await q1Reference());
    expect(s.localRunner.executions).toBeGreaterThan(1);
    expect(s.localRunner.actions).toContain('chain');
    // Every execution stayed under the cap, by the interpreter's count of history events.
    expect(s.localRunner.historyEvents).toHaveLength(s.localRunner.executions);
    for (const events of s.localRunner.historyEvents) expect(events).toBeLessThanOrEqual(60);
  });
});

describe('9. failures', () => {
  it('retries transient executor errors in the state machine, with backoff', async () => {
    const s = start();
    let injected = 0;
    s.localRunner.faultInjector = () =>
      injected++ < 2 ? Object.assign(new Error('simulated throttling'), { name: 'ExecutorTransientError' }) : undefined;
    expect(await q1Rows(s)).toEqual(await q1Reference());
    expect(injected).toBeGreaterThan(2);
    // The Executor state's Retry (IntervalSeconds 1, BackoffRate 2, FULL jitter) drew a delay
    // below its backoff before each new attempt (exact backoff arithmetic: test/asl.test.ts).
    const retries = s.localRunner.retries;
    expect(retries.map((r) => [r.state, r.error])).toEqual([
      ['Executor', 'ExecutorTransientError'],
      ['Executor', 'ExecutorTransientError'],
    ]);
    for (const r of retries) {
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      expect(r.delayMs).toBeLessThanOrEqual(2000);
    }
  });

  it('aborts a running job through the runner (AbortSignal): the execution stops, no result', async () => {
    const s = start({ keepJobs: true });
    const store = cachedStore(s.storeRef);
    const jobId = newJobId();
    await submitJob(store, jobId, {
      plan: { version: PLAN_VERSION, root: QUERIES[1]!(tpchTables(s, SF01)).plan, sink: { kind: 'collect' } },
      options: {},
      submittedAt: new Date().toISOString(),
    });
    const abort = new AbortController();
    s.localRunner.faultInjector = () => {
      abort.abort('the user pressed stop');
      return undefined;
    };
    const err = await s.localRunner.run({ jobId, store: s.storeRef }, undefined, abort.signal);
    expect(err).toMatchObject({ code: 'JOB_ABORTED' });
    expect(err!.message).toMatch(/the user pressed stop/);
    expect(await store.head(jobKeys(jobId).result)).toBeUndefined();
  });

  it('fails the job (instead of looping) when an executor keeps crashing', async () => {
    const s = start({ job: { maxTaskAttempts: 2 } });
    s.localRunner.faultInjector = () => new Error('segfault-like crash');
    const err = await q1Rows(s).catch((e) => e);
    expect(err.code).toBe('EXECUTOR_CRASHED');
    expect(err.message).toMatch(/executor invocation crashed: Error: segfault-like crash/);
    expect(s.localRunner.actions.filter((a) => a === 'run_executors').length).toBe(2);
  });

  it('retries a task attempt that failed transiently (error returned as data) and succeeds', async () => {
    process.env.STRATUS_TEST_FLAKY_DIR = tempDir();
    const s = start();
    const rows = await s.read
      .parquet(path.join(SF01, 'nation'))
      .select(flaky(col('n_nationkey')).alias('k'))
      .agg(sum('k').alias('s'))
      .take(1);
    expect(rows[0]!.s).toBe(300);
    const st = s.lastJobSummary!.stages[0]!;
    expect(st.attempts).toBe(st.tasks + 1);
  });

  it('a driver call that runs again on the same input is idempotent', async () => {
    const s = start({ keepJobs: true });
    const store = cachedStore(s.storeRef);
    const jobId = newJobId();
    await submitJob(store, jobId, {
      plan: { version: PLAN_VERSION, root: QUERIES[6]!(tpchTables(s, SF01)).plan, sink: { kind: 'collect' } },
      options: {},
      submittedAt: new Date().toISOString(),
    });
    const event = { job: { jobId, store: s.storeRef }, results: [] };
    const first = await runDriverStep(event, defaultEnv());
    const second = await runDriverStep(event, defaultEnv());
    expect(first.action).toBe('run_executors');
    expect(second).toEqual(first); // same round, same manifests: replayed, not rescheduled
    const state = JSON.parse(
      fs.readFileSync(path.join((s.storeRef as { root: string }).root, jobKeys(jobId).state), 'utf8'),
    );
    expect(state.round).toBe(1);
  });

  it('resumes a failed job from its last completed stage', async () => {
    const flag = path.join(tempDir(), 'flag');
    process.env.STRATUS_TEST_FLAG = flag;
    const s = start({ keepJobs: true, job: { maxTaskAttempts: 1, shufflePartitions: 2 } });
    // Stage 0 aggregates; the failing function runs after the shuffle, in stage 1.
    const df = s.read
      .parquet(path.join(SF01, 'orders'))
      .groupBy('o_orderstatus')
      .agg(count('*').alias('n'))
      .select('o_orderstatus', failWhileFlag(col('n').cast('int32')).alias('n'))
      .orderBy('o_orderstatus');
    fs.writeFileSync(flag, '');
    const err = await df.collect().catch((e) => e);
    expect(err.message).toMatch(/deliberate failure/);
    const jobId = s.lastJobId!;
    fs.rmSync(flag);
    const table = await s.resume(jobId);
    expectSameResults(
      rowsFromArrow(table),
      await duckdbQuery('select o_orderstatus, count(*) as n from orders group by 1 order by 1', SF01),
      { ordered: true },
    );
    expect(s.lastJobSummary!.stages[0]!.attempts).toBe(s.lastJobSummary!.stages[0]!.tasks); // stage 0 not run again
  });
});
