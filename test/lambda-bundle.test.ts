/**
 * The deployable artifacts: synthesize the stack with real bundling (esbuild, wasm copy, task
 * thread script), load the bundled driver and executor handlers as Lambda would, and drive a
 * TPC-H job through them (routing by hand instead of Step Functions) on a local store.
 *
 * The synth (a tsx process, two esbuild bundles) takes ~20 s on a quiet machine and several
 * times that at load 20: it runs once, in `beforeAll`, off the test's event loop, with a
 * deadline of its own (SYNTH_DEADLINE_MS) that says what timed out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { session } from '../src/index.js';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { cachedStore } from '../src/runtime/env.js';
import { newJobId, readResult, submitJob } from '../src/runtime/client.js';
import { PLAN_VERSION } from '../planner/plan.js';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

type Handler = (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<Record<string, unknown>>;

const SYNTH_DEADLINE_MS = 540_000;
let assets: string[] = [];

beforeAll(async () => {
  const out = tempDir('stratus-cdk-');
  const started = Date.now();
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      env: { ...process.env, CDK_OUTDIR: out },
      timeout: SYNTH_DEADLINE_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as Error & { killed?: boolean; stderr?: string };
    throw new Error(
      err.killed
        ? `CDK synth (infra/app.ts) did not finish within ${SYNTH_DEADLINE_MS / 1000} s`
        : `CDK synth (infra/app.ts) failed after ${((Date.now() - started) / 1000).toFixed(0)} s: ${err.stderr || err.message}`,
    );
  }
  assets = fs
    .readdirSync(out)
    .filter((d) => d.startsWith('asset.'))
    .map((d) => path.join(out, d));
}, SYNTH_DEADLINE_MS + 30_000);

describe('Lambda bundles', () => {
  it('the synth makes two assets: bundle, task thread script and parquet-wasm each', () => {
    expect(assets).toHaveLength(2);
    for (const a of assets) {
      expect(fs.readdirSync(a).sort()).toEqual(expect.arrayContaining(['index.mjs', 'thread.mjs']));
      // parquet-wasm beside the bundle (re-evaluated for a fresh instance after a decoder panic).
      expect(fs.readdirSync(path.join(a, 'node_modules/parquet-wasm/node'))).toContain('parquet_wasm_bg.wasm');
    }
  });

  it('run a job through the bundled driver and executor (with task threads)', async () => {
    expect(assets).toHaveLength(2);
    const executorDir = assets.find((a) =>
      fs.readFileSync(path.join(a, 'index.mjs'), 'utf8').includes('cannot read task group'),
    )!;
    const driverDir = assets.find((a) => a !== executorDir)!;
    const driver = (await import(pathToFileURL(path.join(driverDir, 'index.mjs')).href)).handler as Handler;
    const executor = (await import(pathToFileURL(path.join(executorDir, 'index.mjs')).href)).handler as Handler;

    const store = tempDir();
    process.env.STRATUS_STORE = store; // the handlers serve only their deployed store (src/lambda/environment.ts)
    const s = session({ store, progress: false });
    const jobId = newJobId();
    await submitJob(cachedStore(s.storeRef), jobId, {
      plan: { version: PLAN_VERSION, root: QUERIES[3]!(tpchTables(s, SF01)).plan, sink: { kind: 'collect' } },
      options: { workers: 4 },
      submittedAt: new Date().toISOString(),
    });
    const ctx = { getRemainingTimeInMillis: () => 600_000 };
    const job = { jobId, store: s.storeRef };
    process.env.STRATUS_EXECUTOR_THREADS = '2';
    try {
      let step = await driver({ job, results: [] }, ctx);
      const actions: unknown[] = [step.action];
      while (step.action === 'run_executors' || step.action === 'run_driver') {
        const groups = (step.groups ?? []) as unknown[];
        const results = [];
        for (const group of groups) results.push(await executor({ job, group }, ctx)); // one invocation at a time, as on one instance
        step = await driver({ job, results }, ctx);
        actions.push(step.action);
      }
      expect(actions.at(-1)).toBe('succeed');
    } finally {
      delete process.env.STRATUS_EXECUTOR_THREADS;
    }
    const { table } = await readResult(cachedStore(s.storeRef), jobId);
    expectSameResults(rowsFromArrow(table), await duckdbQuery(tpchSql(3), SF01), { ordered: true, relTol: 1e-9 });
  }, 300_000); // Q3 through one in-process executor invocation at a time: generous for a loaded machine
});
