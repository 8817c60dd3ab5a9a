/**
 * Micro-batch jobs. The driver polls the plan's input for Parquet files it has not seen
 * (the checkpoint, in the job's stream state), runs each batch of new files as its own job
 * (`<job>-b<n>`, appending to the output), marks them seen when that job commits, and sleeps
 * (a Wait state, seconds chosen here) between polls — until max batches, an idle timeout or a
 * stop command (`jobs/<job>/stop`). A re-run driver call finds a committed batch already done,
 * so every file is processed exactly once.
 */
import { PlanError, toErrorData, type ErrorData } from '../../planner/errors.js';
import { collectScans } from '../../planner/plan.js';
import { datasetObjects } from './datasetLog.js';
import { locate, urlOf } from '../storage/url.js';
import { getJson, putJson } from '../storage/store.js';
import type { RuntimeEnv } from './env.js';
import { failedState, jobKeys, type JobSubmission, type ResultManifest } from './jobState.js';
import { jobStep } from './jobStep.js';
import { type DriverEvent, type DriverOutput, failOutput } from './protocol.js';

export interface StreamState {
  readonly jobId: string;
  status: 'running' | 'succeeded' | 'failed';
  /** Files processed (committed), by URL: the checkpoint. */
  seen: string[];
  batches: number;
  rows: number;
  /** The batch in flight: its job id and files. */
  active?: { jobId: string; files: string[] };
  lastNewFileAt: number;
  error?: ErrorData;
}

const batchJobId = (jobId: string, n: number) => `${jobId}-b${n}`;

export async function streamStep(event: DriverEvent, env: RuntimeEnv, sub: JobSubmission): Promise<DriverOutput> {
  const store = env.store(event.job.store);
  const keys = jobKeys(event.job.jobId);
  const opts = sub.options.stream!;
  const state: StreamState = (await store.head(keys.stream))
    ? await getJson<StreamState>(store, keys.stream)
    : { jobId: event.job.jobId, status: 'running', seen: [], batches: 0, rows: 0, lastNewFileAt: Date.now() };
  const save = () => putJson(store, keys.stream, state);
  const fail = async (err: ErrorData): Promise<DriverOutput> => {
    state.status = 'failed';
    state.error = err;
    await save();
    await putJson(store, keys.state, failedState(state.jobId, err));
    return failOutput(event, err);
  };
  /** Step the batch job `id` (its submission read from the store unless given). */
  const stepBatch = async (id: string, results: DriverEvent['results'], batchSub?: JobSubmission) => {
    const job = { ...event.job, jobId: id };
    const out = await jobStep(
      { job, results },
      env,
      batchSub ?? (await getJson<JobSubmission>(store, jobKeys(id).job)),
    );
    if (out.action !== 'fail') return out;
    return fail({
      category: 'execution',
      code: 'BATCH_FAILED',
      message: `micro-batch ${state.batches} failed: ${out.cause}`,
      details: { batch: state.batches },
    });
  };
  if (state.status === 'failed') return fail(state.error!);
  if (state.status === 'succeeded') return { action: 'succeed', job: event.job, results: [] };

  try {
    if (state.active) {
      // Step the batch's own job with the executors' results.
      const out = await stepBatch(state.active.jobId, event.results);
      if (out.action !== 'succeed') return { ...out, job: event.job };
      const result = await getJson<ResultManifest>(store, jobKeys(state.active.jobId).result);
      state.seen.push(...state.active.files);
      state.rows += result.rows;
      state.batches++;
      state.active = undefined;
      await save();
    }
    const stop = (await store.head(keys.stop)) !== undefined;
    const maxed = opts.maxBatches !== undefined && state.batches >= opts.maxBatches;
    const fresh = stop || maxed ? [] : await newFiles(sub, env, event, state.seen);
    if (!fresh.length) {
      const idle =
        opts.idleTimeoutSeconds !== undefined && Date.now() - state.lastNewFileAt >= opts.idleTimeoutSeconds * 1000;
      if (stop || maxed || idle) return finish(event, env, state);
      await save();
      return { action: 'sleep', job: event.job, results: [], seconds: opts.pollSeconds };
    }
    // Start the next batch: the same plan over the new files only, appended to the output.
    state.lastNewFileAt = Date.now();
    const id = batchJobId(event.job.jobId, state.batches);
    const { stream: _stream, ...options } = sub.options;
    const batchSub: JobSubmission = {
      ...sub,
      options: { ...options, onlyFiles: fresh },
      plan: {
        ...sub.plan,
        sink: sub.plan.sink.kind === 'write' ? { ...sub.plan.sink, mode: 'append' } : sub.plan.sink,
      },
    };
    await putJson(store, jobKeys(id).job, batchSub);
    state.active = { jobId: id, files: fresh };
    await save();
    return { ...(await stepBatch(id, [], batchSub)), job: event.job };
  } catch (e) {
    return fail(toErrorData(e));
  }
}

async function newFiles(
  sub: JobSubmission,
  env: RuntimeEnv,
  event: DriverEvent,
  seen: readonly string[],
): Promise<string[]> {
  const scans = collectScans(sub.plan.root);
  if (scans.length !== 1)
    throw new PlanError(
      'STREAM_SOURCE',
      `a micro-batch job reads exactly one dataset; this plan reads ${scans.length}`,
    );
  const path = scans[0]!.path;
  const loc = locate(path, event.job.store);
  const done = new Set(seen);
  try {
    const files = await datasetObjects(env.store(loc.ref), loc.key, path);
    return files.map((o) => urlOf(loc.ref, o.key)).filter((u) => !done.has(u));
  } catch (e) {
    if ((e as { code?: string }).code === 'NOT_FOUND' || (e as { code?: string }).code === 'NO_FILES') return [];
    throw e;
  }
}

async function finish(event: DriverEvent, env: RuntimeEnv, state: StreamState): Promise<DriverOutput> {
  const store = env.store(event.job.store);
  const keys = jobKeys(event.job.jobId);
  state.status = 'succeeded';
  await putJson(store, keys.stream, state);
  const manifest: ResultManifest = {
    schema: [],
    parts: [],
    rows: state.rows,
    files: state.seen.length,
    batches: state.batches,
  };
  await putJson(store, keys.result, manifest);
  return { action: 'succeed', job: event.job, results: [] };
}
