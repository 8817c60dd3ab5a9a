/**
 * Fault suite — the runtime under faults, through the one state machine definition (the local
 * runner): executors killed at random points, every executor killed, a task group run twice,
 * an invocation stopped at its (Lambda) time limit mid-task, the driver killed during and
 * between steps and run again, a full scratch disk (ENOSPC), Parameter Store throttling. Each
 * ends with a result identical to a clean run, or a clear failure naming the cause — never a
 * partial or wrong result.
 */
import * as path from 'node:path';
import { GetParametersCommand, SSMClient, ThrottlingException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { col, count, session, sum, type DataFrame, type Session, type SessionOptions } from '../src/index.js';
import { cachedStore, type RuntimeEnv } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { jobKeys, type JobState } from '../src/runtime/jobState.js';
import { SsmParameterSource } from '../src/runtime/params.js';
import { StorageError } from '../planner/errors.js';
import type { ObjectStore, StoreRef } from '../src/storage/store.js';
import { getJson } from '../src/storage/store.js';
import { aroundGroups } from './support/faults.js';
import { mulberry32 } from './support/faultproxy.js';
import { API_KEY, slowOnce } from './support/fault-fns.js';
import { rowsFromArrow } from './support/compare.js';
import { SF01, tempDir } from './support/tpch.js';

const JOB = { shufflePartitions: 4, taskBytes: 1, broadcastThreshold: 0 } as const;
const open: Session[] = [];
const start = (opts: SessionOptions = {}) => {
  const s = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    keepJobs: true,
    ...opts,
    job: { ...JOB, ...opts.job },
  });
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

/** Customer ⋈ orders, grouped: two scan stages, a shuffle join, an aggregate. */
const query = (s: Session, orders: (df: DataFrame) => DataFrame = (df) => df): DataFrame =>
  orders(s.read.parquet(path.join(SF01, 'orders')))
    .join(s.read.parquet(path.join(SF01, 'customer')), col('o_custkey').equalTo(col('c_custkey')))
    .groupBy('c_mktsegment', 'o_orderpriority')
    .agg(count('*').alias('n'), sum('o_totalprice').alias('total'))
    .orderBy('c_mktsegment', 'o_orderpriority');

let clean: ReturnType<typeof rowsFromArrow>;
beforeAll(async () => {
  clean = rowsFromArrow(await query(start()).collect());
  expect(clean.rows.length).toBe(25);
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

const stateOf = (s: Session) => getJson<JobState>(cachedStore(s.storeRef), jobKeys(s.lastJobId!).state);
const lastErrors = async (s: Session) =>
  (await stateOf(s)).stages.flatMap((st) => st.tasks.flatMap((t) => (t.lastError ? [t.lastError.message] : [])));
const noResult = async (s: Session) =>
  expect(await cachedStore(s.storeRef).head(jobKeys(s.lastJobId!).result)).toBeUndefined();

describe('executors', () => {
  it('killed (SIGKILL) at random points: identical result; the crashes name the signal', async () => {
    const s = start({ job: { maxTaskAttempts: 8 } });
    const random = mulberry32(7);
    let kills = 0;
    aroundGroups(s, async (_g, run) => {
      const out = run();
      out.catch(() => undefined); // observed; the state machine gets the rejection
      if (kills < 4 && random() < 0.5) {
        await new Promise((r) => setTimeout(r, random() * 150));
        const busy = s.localRunner.pool.busyPids;
        if (busy.length) {
          process.kill(busy[Math.floor(random() * busy.length)]!, 'SIGKILL');
          kills++;
        }
      }
      return out;
    });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(kills).toBeGreaterThan(0);
    expect((await lastErrors(s)).some((m) => /executor process \d+ was killed by SIGKILL/.test(m))).toBe(true);
  });

  it('every executor killed: EXECUTOR_CRASHED naming SIGKILL after the attempts, no result', async () => {
    const s = start({ job: { maxTaskAttempts: 2 } });
    aroundGroups(s, async (_g, run) => {
      let settled = false;
      const out = run();
      out.then(
        () => (settled = true),
        () => (settled = true), // observed; the state machine gets the rejection
      );
      // Kill whatever runs this group until it settles: a fresh executor may still be starting
      // when the group is handed over, so a single kill at a fixed delay can miss it.
      while (!settled) {
        for (const pid of s.localRunner.pool.busyPids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      return out;
    });
    const err = await query(s)
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('EXECUTOR_CRASHED');
    expect(err.message).toMatch(/executor process \d+ was killed by SIGKILL/);
    expect(err.details).toMatchObject({ failures: 2 });
    await noResult(s);
  });

  it('a task group run twice at once (a duplicated invocation): identical result', async () => {
    const s = start();
    let twice = 0;
    aroundGroups(s, async (_g, run) => {
      twice++;
      const [a, b] = await Promise.all([run(), run()]);
      return twice % 2 ? a : b;
    });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(twice).toBeGreaterThan(4);
    // Both copies of every task reported; the driver took one report per task attempt (stages that
    // adaptive_sort skipped ran no task).
    const st = await stateOf(s);
    const ran = st.stages.filter((x) => !x.skipped);
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.every((x) => x.metrics!.attempts === x.tasks.length)).toBe(true);
  });
});

describe('the time limit', () => {
  it('an invocation stopped at its limit mid-task: retried, identical result', async () => {
    process.env.STRATUS_TEST_SLOW_MARKER = path.join(tempDir(), 'slow-once');
    process.env.STRATUS_TEST_SLOW_MS = '10000';
    // Roomy for the other tasks of a group even on a loaded machine; the slow one never fits.
    const s = start({ executorTimeLimitMs: 6000, job: { safetyMarginMs: 0, maxTaskAttempts: 4 } });
    const rows = rowsFromArrow(await query(s, (o) => o.filter(slowOnce(col('o_orderkey')).gt(0))).collect());
    expect(rows).toEqual(clean);
    expect((await lastErrors(s)).some((m) => /Sandbox\.Timedout: Task timed out after 6\.00 seconds/.test(m))).toBe(
      true,
    );
  });

  it('a task that never fits: EXECUTOR_CRASHED naming the time limit, no result', async () => {
    delete process.env.STRATUS_TEST_SLOW_MARKER;
    process.env.STRATUS_TEST_SLOW_MS = '3000';
    const s = start({ executorTimeLimitMs: 1500, job: { safetyMarginMs: 0, maxTaskAttempts: 2 } });
    const err = await query(s, (o) => o.filter(slowOnce(col('o_orderkey')).gt(0)))
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('EXECUTOR_CRASHED');
    expect(err.message).toMatch(/Sandbox\.Timedout: Task timed out after 1\.50 seconds/);
    await noResult(s);
  });
});

/** A store that fails as told: `fault(op, key)` returns an error to throw instead of the operation. */
function faultyStore(inner: ObjectStore, fault: (op: 'put' | 'delete', key: string) => Error | undefined): ObjectStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'put' || prop === 'delete') {
        return async (key: string | readonly string[], body?: Uint8Array) => {
          const e = fault(prop, typeof key === 'string' ? key : (key[0] ?? ''));
          if (e) throw e;
          return prop === 'put' ? target.put(key as string, body!) : target.delete(key as readonly string[]);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('the driver', () => {
  it('killed during and between steps (Runtime.ExitError) and run again by the state machine: identical result', async () => {
    const s = start();
    // Three of the driver's first writes, drawn at random, are where it dies (at most the
    // state machine's three retries, even if they hit one step).
    const random = mulberry32(11);
    const at = new Set<number>();
    for (let w = 1 + Math.floor(random() * 3); at.size < 3; w += 2 + Math.floor(random() * 4)) at.add(w);
    let writes = 0;
    let kills = 0;
    /** The driver call that died: nothing it does after that point reaches the store. */
    let deadCall = -1;
    const killed = () =>
      Object.assign(new Error('Runtime exited with error: signal: killed'), { name: 'Runtime.ExitError' });
    const runner = s.localRunner;
    const env = runner.env as { store: RuntimeEnv['store'] };
    const inner = env.store;
    env.store = (ref: StoreRef) =>
      faultyStore(inner(ref), (op, key) => {
        if (deadCall === runner.driverCalls) return killed();
        if (op !== 'put' || !key.startsWith('jobs/') || !at.has(++writes)) return undefined;
        kills++;
        deadCall = runner.driverCalls;
        return killed();
      });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(kills).toBe(3);
    const driverRetries = s.localRunner.retries.filter((r) => r.state === 'Driver' && r.error === 'Runtime.ExitError');
    expect(driverRetries.length).toBe(3);
  });
});

describe('the driver (store throttling)', () => {
  it('its store kept throttling: the step is run again by the state machine, identical result', async () => {
    const s = start();
    let throttles = 0;
    const env = s.localRunner.env as { store: RuntimeEnv['store'] };
    const inner = env.store;
    env.store = (ref: StoreRef) =>
      faultyStore(inner(ref), (op, key) =>
        op === 'put' && key.endsWith('/state.json') && throttles++ < 2
          ? new StorageError('THROTTLED', `S3 kept throttling PutObject '${key}' (SlowDown) after 6 attempts`, { key })
          : undefined,
      );
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(throttles).toBeGreaterThan(2);
    const retried = s.localRunner.retries.filter((r) => r.state === 'Driver' && r.error === 'DriverTransientError');
    expect(retried.length).toBe(2);
  });
});

/** Run executor invocations in this process, with an environment the test controls. */
function inProcessExecutors(s: Session, env: Partial<RuntimeEnv>): void {
  s.localRunner.pool.invoke = (event) =>
    runExecutorGroup(event, { store: cachedStore, remainingMillis: () => 600_000, log: () => {}, ...env });
}

const enospc = (file: string) =>
  Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
    path: file,
  });

describe('a full scratch disk (ENOSPC)', () => {
  it('for a while: the tasks that hit it run again, identical result', async () => {
    const s = start();
    let full = 3;
    inProcessExecutors(s, {
      store: (ref) =>
        faultyStore(cachedStore(ref), (op, key) =>
          op === 'put' && key.includes('/shuffle/') && full-- > 0 ? enospc(key) : undefined,
        ),
    });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(full).toBeLessThan(0);
    expect((await lastErrors(s)).filter((m) => m.includes('no space left on the device')).length).toBe(3);
  });

  it('for good: NO_SPACE naming the file, after the attempts; no result', async () => {
    const s = start({ job: { maxTaskAttempts: 2 } });
    inProcessExecutors(s, {
      store: (ref) =>
        faultyStore(cachedStore(ref), (op, key) =>
          op === 'put' && key.includes('/shuffle/') ? enospc(key) : undefined,
        ),
    });
    const err = await query(s)
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('NO_SPACE');
    expect(err.message).toMatch(
      /no space left on the device writing jobs\/.*\/shuffle\/\d+\/\d+\.\d+\.\w+ \(ENOSPC in write\)/,
    );
    expect(err.details).toMatchObject({ failures: 2 });
    await noResult(s);
  });
});

describe('Parameter Store throttling', () => {
  const ssm = mockClient(SSMClient);
  afterAll(() => ssm.restore());
  const throttle = () =>
    new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
  const fast = { retry: { baseMs: 1, capMs: 4 } };

  it('throttled often: retried with backoff, identical result', async () => {
    const random = mulberry32(3);
    let throttled = 0;
    ssm.reset();
    ssm.on(GetParametersCommand).callsFake(() => {
      if (random() < 0.5) {
        throttled++;
        throw throttle();
      }
      return { Parameters: [{ Name: API_KEY, Value: 'sk-ssm-value' }] };
    });
    const s = start({ job: { parameters: [API_KEY] } });
    inProcessExecutors(s, { parameters: new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), fast) });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);
    expect(throttled).toBeGreaterThan(0);
  });

  it('throttled for good: the invocation is retried by the state machine, then the job fails naming Parameter Store', async () => {
    ssm.reset();
    ssm.on(GetParametersCommand).rejects(throttle());
    const s = start({ job: { parameters: [API_KEY], maxTaskAttempts: 1 } });
    inProcessExecutors(s, { parameters: new SsmParameterSource(new SSMClient({ region: 'us-east-1' }), fast) });
    const err = await query(s)
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('EXECUTOR_CRASHED');
    expect(err.message).toMatch(/cannot read the job's parameters: SSM Parameter Store throttled GetParameters/);
    expect(
      s.localRunner.retries.filter((r) => r.state === 'Executor' && r.error === 'ExecutorTransientError').length,
    ).toBeGreaterThan(0);
    await noResult(s);
  });
});
