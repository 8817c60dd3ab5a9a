/**
 * Executors under overlapping invocations (Lambda Managed Instances run several invocations at
 * once in one execution environment): per-invocation state — environment, scratch directory,
 * job parameters — is scoped by async context, so overlapping invocations in one process see
 * only their own, and give the same results as sequential ones. Also: a job's user code reads
 * only the parameters the job names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, session, type Session } from '../src/index.js';
import { readResult, readTimeline } from '../src/runtime/client.js';
import { runDriverStep } from '../src/runtime/driver.js';
import { cachedStore, defaultEnv, type RuntimeEnv } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { invocationScope, scratchDir, setInvocationParameters } from '../src/runtime/instance.js';
import type { JobRef } from '../src/runtime/protocol.js';
import { rowsFromArrow } from './support/compare.js';
import { whoSeesWhat } from './support/cli-fns.js';
import { SF01, tempDir } from './support/tpch.js';

/** A gate a test opens when it wants an invocation to go on. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

/** What user code's parameter(name) reads (the hook instance.ts installs). */
const param = (name: string): string | undefined =>
  ((globalThis as Record<symbol, unknown>)[Symbol.for('stratus.parameter')] as (n: string) => string | undefined)(name);

describe('invocation scope under overlap', () => {
  it('keeps environment, scratch directory and parameters per invocation; globals go when the last ends', async () => {
    const before = { ...process.env };
    const aSet = gate();
    const bStarted = gate();
    const aDone = gate();
    const seen: Record<string, unknown> = {};
    const a = invocationScope(async () => {
      process.env.STRATUS_TEST_OVERLAP = 'a';
      delete process.env.HOME;
      (globalThis as Record<string, unknown>).__stratusOverlapA = 1;
      setInvocationParameters(new Map([['/p/a', 'secret-a']]));
      const dir = scratchDir();
      fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
      aSet.open();
      await bStarted.wait;
      seen.aEnv = process.env.STRATUS_TEST_OVERLAP;
      seen.aHome = process.env.HOME;
      seen.aParam = param('/p/a');
      seen.aFiles = fs.readdirSync(dir);
      return dir;
    });
    await aSet.wait;
    const b = invocationScope(async () => {
      seen.bEnvAtStart = process.env.STRATUS_TEST_OVERLAP ?? '';
      seen.bHome = process.env.HOME;
      seen.bParamOfA = param('/p/a') ?? '';
      process.env.STRATUS_TEST_OVERLAP = 'b';
      seen.bKeys = Object.keys(process.env).includes('STRATUS_TEST_OVERLAP');
      const dir = scratchDir();
      seen.bFilesAtStart = fs.readdirSync(dir);
      bStarted.open();
      await aDone.wait;
      seen.bEnvAfterA = process.env.STRATUS_TEST_OVERLAP;
      seen.globalWhileBRuns = (globalThis as Record<string, unknown>).__stratusOverlapA;
      return dir;
    });
    const aDir = await a;
    aDone.open();
    const bDir = await b;
    expect(seen).toEqual({
      aEnv: 'a',
      aHome: undefined,
      aParam: 'secret-a',
      aFiles: ['a.txt'],
      bEnvAtStart: '',
      bHome: before.HOME,
      bParamOfA: '',
      bKeys: true,
      bFilesAtStart: [],
      bEnvAfterA: 'b',
      globalWhileBRuns: 1, // not removed under a running invocation
    });
    expect(aDir).not.toBe(bDir);
    expect(fs.existsSync(aDir) || fs.existsSync(bDir)).toBe(false);
    // Nothing crossed into the instance: environment as before, the job's global gone.
    expect({ ...process.env }).toEqual(before);
    expect('__stratusOverlapA' in globalThis).toBe(false);
  });

  it('outside an invocation, process.env is the instance environment', () => {
    process.env.STRATUS_TEST_OUTSIDE = 'x';
    expect(process.env.STRATUS_TEST_OUTSIDE).toBe('x');
    expect(Object.keys(process.env)).toContain('STRATUS_TEST_OUTSIDE');
    delete process.env.STRATUS_TEST_OUTSIDE;
    expect('STRATUS_TEST_OUTSIDE' in process.env).toBe(false);
  });
});

describe('overlapping executor invocations in one process', () => {
  let s: Session;
  let env: RuntimeEnv;
  beforeAll(() => {
    const params = path.join(tempDir(), 'params.json');
    fs.writeFileSync(params, JSON.stringify({ '/stratus/test/job-a': 'job-a', '/stratus/test/job-b': 'job-b' }));
    process.env.STRATUS_PARAMS_FILE = params;
    s = session({ store: tempDir(), progress: false, keepJobs: true });
    env = defaultEnv();
  });
  afterAll(async () => {
    delete process.env.STRATUS_PARAMS_FILE;
    await s.stop();
  });

  /** Each job names one parameter; each row reports whose state it sees. */
  const submit = async (job: 'job-a' | 'job-b'): Promise<JobRef> => {
    const df = s.read
      .parquet(path.join(SF01, 'supplier'))
      .select(whoSeesWhat().alias('who'))
      .groupBy('who')
      .agg(count('*').alias('n'));
    const jobId = await s.enqueue(
      df.plan,
      { kind: 'collect' },
      {
        parameters: [`/stratus/test/${job}`],
        taskBytes: 1,
        workers: 4,
        maxTaskAttempts: 1,
      },
    );
    return { jobId: jobId!, store: s.storeRef };
  };

  /** Route a job by hand, as the state machine would; a round's executor groups run at once or one by one. */
  const route = async (job: JobRef, overlap: boolean) => {
    let step = await runDriverStep({ job, results: [] }, env);
    while (step.action === 'run_executors' || step.action === 'run_driver') {
      const groups = step.groups ?? [];
      const results = [];
      if (overlap) results.push(...(await Promise.all(groups.map((group) => runExecutorGroup({ job, group }, env)))));
      else for (const group of groups) results.push(await runExecutorGroup({ job, group }, env));
      step = await runDriverStep({ job, results }, env);
    }
    expect(step.action).toBe('succeed');
    return rowsFromArrow((await readResult(cachedStore(job.store), job.jobId)).table);
  };

  /** The time intervals of a job's task attempts (epoch ms). */
  const spans = async (job: JobRef) =>
    (await readTimeline(cachedStore(job.store), job.jobId)).flatMap((g) =>
      g.reports.map((r) => [r.startedAt!, r.startedAt! + r.millis] as const),
    );

  it('give the same results as sequential ones, with no state crossing between them', async () => {
    const envBefore = { ...process.env };
    const [a1, b1] = [await submit('job-a'), await submit('job-b')];
    const sequential = [await route(a1, false), await route(b1, false)];
    const [a2, b2] = [await submit('job-a'), await submit('job-b')];
    const overlapped = await Promise.all([route(a2, true), route(b2, true)]);
    const suppliers = 1_000;
    const rows = (r: { rows: unknown[][] }) => r.rows;
    expect(rows(sequential[0]!)).toEqual([['job-a|env=own|files=own', suppliers]]);
    expect(rows(sequential[1]!)).toEqual([['job-b|env=own|files=own', suppliers]]);
    expect(overlapped.map(rows)).toEqual(sequential.map(rows));
    // The two jobs' tasks really ran at the same time in this process.
    const sa = await spans(a2);
    const sb = await spans(b2);
    expect(sa.length).toBeGreaterThan(1);
    expect(sa.some(([a0, a1e]) => sb.some(([b0, b1e]) => a0 < b1e && b0 < a1e))).toBe(true);
    expect({ ...process.env }).toEqual(envBefore);
  });
});
