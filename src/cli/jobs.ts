/**
 * Job control from any process: a job's status read from the store (its submission, state,
 * lease, result, cancel request and — on AWS — its execution), listing, waiting, and cancelling.
 * Nothing here runs a job: local jobs run in their runner process (background.ts), AWS jobs in
 * the deployed state machine; both are found through the job's keys (jobState.ts).
 */
import type { ErrorData } from '../../planner/errors.js';
import { PlanError } from '../../planner/errors.js';
import type { AwsRunner, ExecutionRecord } from '../aws/runner.js';
import { failedState, jobKeys, type JobState, type JobSubmission, type ResultManifest } from '../runtime/jobState.js';
import { isLive, type Lease } from '../runtime/lease.js';
import { liveProgress } from '../runtime/heartbeat.js';
import type { Progress } from '../runtime/protocol.js';
import { getJson, putJson, type ObjectStore, type StoreRef } from '../storage/store.js';

export type JobStatusName = 'submitted' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'abandoned';

/** Statuses after which nothing more happens (until `resume`). */
export const FINAL: ReadonlySet<JobStatusName> = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobStatus {
  readonly jobId: string;
  readonly status: JobStatusName;
  readonly submittedAt?: string;
  readonly sink: 'collect' | 'write';
  readonly progress: Progress;
  readonly rows?: number;
  readonly error?: ErrorData;
  /** Who runs it locally (host:pid) and whether that process is alive. */
  readonly runner?: { readonly owner: string; readonly live: boolean };
  readonly execution?: { readonly arn: string; readonly status: string };
}

/** The code of a cancelled job's error (its state is failed, so that `resume` can pick it up). */
export const CANCELLED = 'JOB_CANCELLED';

const NO_PROGRESS: Progress = { stagesDone: 0, stagesTotal: 0, tasksDone: 0, tasksTotal: 0, running: [] };

async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  return (await store.head(key)) ? getJson<T>(store, key) : undefined;
}

/** The status of a job, or JOB_NOT_FOUND naming the store searched. */
export async function jobStatus(store: ObjectStore, jobId: string, aws?: AwsRunner): Promise<JobStatus> {
  const keys = jobKeys(jobId);
  const sub = await readJson<JobSubmission>(store, keys.job);
  if (!sub)
    throw new PlanError('JOB_NOT_FOUND', `no job '${jobId}' in ${store.url}; 'stratus list' shows the jobs there`, {
      jobId,
      store: store.url,
    });
  const [state, result, lease, cancel, record] = await Promise.all([
    readJson<JobState>(store, keys.state),
    readJson<ResultManifest>(store, keys.result),
    readJson<Lease>(store, keys.lease),
    store.head(keys.cancel),
    readJson<ExecutionRecord>(store, keys.execution),
  ]);
  const execution = record && aws ? await executionStatus(aws, record.executionArn) : undefined;
  const base = {
    jobId,
    submittedAt: sub.submittedAt,
    sink: sub.plan.sink.kind === 'write' ? ('write' as const) : ('collect' as const),
    progress: state ? await liveProgress(store, state) : NO_PROGRESS,
    ...(lease ? { runner: { owner: lease.owner, live: isLive(lease) } } : {}),
    ...(execution ? { execution } : {}),
  };
  if (result) return { ...base, status: 'succeeded', rows: result.rows };
  if (state?.status === 'failed')
    return { ...base, status: state.error?.code === CANCELLED ? 'cancelled' : 'failed', ...errorOf(state) };
  const awsRunning = execution?.status === 'RUNNING';
  if (execution && !awsRunning && execution.status !== 'SUCCEEDED')
    return {
      ...base,
      status: cancel ? 'cancelled' : 'failed',
      error: {
        category: 'execution',
        code: `EXECUTION_${execution.status}`,
        message: `execution ${execution.arn} ${execution.status.toLowerCase()}`,
      },
    };
  if (isLive(lease) || awsRunning) return { ...base, status: 'running' };
  // Nobody runs it: never started yet, or its runner died (resume it).
  return { ...base, status: state || lease ? 'abandoned' : 'submitted' };
}

function errorOf(state: JobState): { error?: ErrorData } {
  return state.error ? { error: state.error } : {};
}

/** The status of the execution a job was last started in, following chained executions. */
async function executionStatus(aws: AwsRunner, first: string): Promise<{ arn: string; status: string }> {
  let arn = first;
  for (let hop = 0; hop < 100; hop++) {
    const d = await aws.describe(arn);
    const next = d.status === 'SUCCEEDED' ? chained(d.output) : undefined;
    if (!next) return { arn, status: d.status };
    arn = next;
  }
  return { arn, status: 'UNKNOWN' };
}

function chained(output: string | undefined): string | undefined {
  try {
    const arn = (JSON.parse(output ?? 'null') as { ExecutionArn?: unknown } | null)?.ExecutionArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** The jobs of a store (micro-batch children `<id>-b<n>` left out), newest first. */
export async function listJobs(store: ObjectStore, aws?: AwsRunner): Promise<JobStatus[]> {
  const ids = new Set<string>();
  for (const o of await store.list('jobs/')) {
    const [, id, file] = o.key.split('/');
    if (id && file === 'job.json' && !/-b\d+$/.test(id)) ids.add(id);
  }
  const out: JobStatus[] = [];
  for (const id of [...ids].sort().reverse()) out.push(await jobStatus(store, id, aws));
  return out;
}

/** How long `wait` waits for a runner to pick up a submitted or resumed job before giving up. */
export const START_GRACE_MS = 120_000;

export interface WaitOptions {
  readonly startGraceMs?: number;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly onProgress?: (s: JobStatus) => void;
  readonly aws?: AwsRunner;
}

/** Poll a job's status until it is final (or abandoned), or until the timeout: then its last status. */
export async function waitForJob(store: ObjectStore, jobId: string, opts: WaitOptions = {}): Promise<JobStatus> {
  const deadline = Date.now() + (opts.timeoutMs ?? Number.POSITIVE_INFINITY);
  let idleSince: number | undefined;
  for (;;) {
    const s = await jobStatus(store, jobId, opts.aws);
    opts.onProgress?.(s);
    if (FINAL.has(s.status)) return s;
    // A job that nobody runs will not finish: a grace for a runner that is starting.
    if (s.status === 'abandoned' || s.status === 'submitted') {
      idleSince ??= Date.now();
      if (Date.now() - idleSince > (opts.startGraceMs ?? START_GRACE_MS)) return s;
    } else idleSince = undefined;
    if (Date.now() >= deadline) return s;
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
  }
}

/** Ask the job's runner to stop (it polls for this record); the local runner then marks the job cancelled. */
export async function requestCancel(store: ObjectStore, jobId: string, reason: string): Promise<void> {
  await putJson(store, jobKeys(jobId).cancel, { reason, at: new Date().toISOString() });
}

/** Record a job as cancelled: its state failed with JOB_CANCELLED (kept stages stay, for `resume`). */
export async function markCancelled(store: ObjectStore, jobId: string, reason: string): Promise<void> {
  const keys = jobKeys(jobId);
  const error: ErrorData = { category: 'execution', code: CANCELLED, message: `job ${jobId} was cancelled: ${reason}` };
  const state = (await readJson<JobState>(store, keys.state)) ?? failedState(jobId, error);
  state.status = 'failed';
  state.error = error;
  await putJson(store, keys.state, state);
}

/** Forget a cancel request (before a resume). */
export async function clearCancel(store: ObjectStore, jobId: string): Promise<void> {
  await store.delete([jobKeys(jobId).cancel]);
}

/**
 * Cancel a job that has not ended: on AWS stop its execution and mark it; locally ask its runner
 * (which stops the run and marks it) and wait for that, or mark it when nobody runs it.
 */
export async function cancelJob(
  store: ObjectStore,
  jobId: string,
  reason: string,
  aws?: AwsRunner,
  storeRef?: StoreRef,
): Promise<JobStatus> {
  const before = await jobStatus(store, jobId, aws);
  if (FINAL.has(before.status)) return before;
  await requestCancel(store, jobId, reason);
  const record = aws && storeRef ? await aws.readExecution({ jobId, store: storeRef }) : undefined;
  if (aws && record) {
    await aws.stopExecution(record.executionArn, reason);
    await markCancelled(store, jobId, reason);
  } else if (before.runner?.live || before.status === 'submitted') {
    const after = await waitForJob(store, jobId, { timeoutMs: 60_000, pollMs: 200 });
    if (!FINAL.has(after.status)) await markCancelled(store, jobId, reason);
  } else await markCancelled(store, jobId, reason);
  return jobStatus(store, jobId, aws);
}
