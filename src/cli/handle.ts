/**
 * The job API for scripts: `submitJob` stores a job and starts it — on AWS an execution of the
 * deployed machine, locally a detached runner process — and returns a handle at once; `followJob`
 * gives the same handle for a job started anywhere (another process, the CLI). The handle reads
 * the job's record in the store: the paths the `stratus` commands use.
 *
 * @example
 * const job = await submitJob(s, s.read.parquet('s3://data/orders').groupBy('o_orderstatus').count());
 * console.log(job.jobId, (await job.status()).status);
 * const table = await job.result(); // waits for it
 */
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { ExecutionError, PlanError } from '../../planner/errors.js';
import type { Sink } from '../../planner/plan.js';
import type { DataFrame } from '../api/dataframe.js';
import type { Session } from '../api/session.js';
import type { AwsRunner } from '../aws/runner.js';
import { readResult } from '../runtime/client.js';
import { cachedStore } from '../runtime/env.js';
import type { JobOptions } from '../runtime/jobState.js';
import { normalizeDataUrl } from '../storage/url.js';
import { startRunner } from './background.js';
import type { WriteSpec } from './jobFile.js';
import { cancelJob, type JobStatus, jobStatus, waitForJob } from './jobs.js';

export interface JobHandle {
  readonly jobId: string;
  /** The execution it was started in (AWS), if any. */
  readonly executionArn?: string;
  status(): Promise<JobStatus>;
  /** Wait until it ends (or the timeout): its last status. */
  wait(opts?: { timeoutMs?: number }): Promise<JobStatus>;
  /** Stop it and mark it cancelled (resume continues it). */
  cancel(reason?: string): Promise<JobStatus>;
  /** Wait for it and read its result; a failed or cancelled job's error is thrown. */
  result(): Promise<arrow.Table>;
}

/** Store a job (rows of `df`, or written per `write`) and start it; returns at once. */
export async function submitJob(
  s: Session,
  df: DataFrame,
  opts: { write?: WriteSpec; options?: JobOptions } = {},
): Promise<JobHandle> {
  const sink: Sink = opts.write
    ? {
        kind: 'write',
        path: normalizeDataUrl(opts.write.path),
        format: 'parquet',
        mode: opts.write.mode ?? 'errorIfExists',
        partitionBy: [...(opts.write.partitionBy ?? [])],
      }
    : { kind: 'collect' };
  const jobId = await s.enqueue(df.plan, sink, opts.options ?? {});
  if (jobId === null)
    throw new PlanError('NOTHING_TO_RUN', `nothing to run: the output exists and the save mode is 'ignore'`);
  if (s.options.aws) {
    const executionArn = await (s.runner as AwsRunner).start({ jobId, store: s.storeRef });
    return followJob(s, jobId, executionArn);
  }
  const ref = s.storeRef;
  const store = ref.kind === 'local' ? path.resolve(ref.root) : `s3://${ref.bucket}/${ref.prefix}`;
  startRunner(
    {
      store,
      ...(ref.kind === 's3' && ref.endpoint ? { endpoint: ref.endpoint } : {}),
      ...(s.options.executors ? { executors: s.options.executors } : {}),
    },
    jobId,
  );
  return followJob(s, jobId);
}

/** A handle on a job of the session's store, started by this process or any other. */
export function followJob(s: Session, jobId: string, executionArn?: string): JobHandle {
  const store = cachedStore(s.storeRef);
  // Only an AWS session's runner is asked for (a local one would start executor processes).
  const aws = () => (s.options.aws ? (s.runner as AwsRunner) : undefined);
  const wait = (opts: { timeoutMs?: number } = {}) =>
    waitForJob(store, jobId, { ...opts, pollMs: aws() ? 2000 : 250, ...(aws() ? { aws: aws()! } : {}) });
  return {
    jobId,
    ...(executionArn ? { executionArn } : {}),
    status: () => jobStatus(store, jobId, aws()),
    wait,
    cancel: (reason = 'cancelled by the client') => cancelJob(store, jobId, reason, aws(), s.storeRef),
    async result() {
      const st = await wait();
      if (st.status === 'running' || st.status === 'submitted' || st.status === 'abandoned')
        throw new ExecutionError('JOB_NOT_FINISHED', `job ${jobId} is ${st.status}; nothing to read yet`, { jobId });
      return (await readResult(store, jobId)).table;
    },
  };
}
