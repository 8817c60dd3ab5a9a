/**
 * The driver: stateless; each call loads the job's submission from the store and advances the
 * job one step — a batch job (jobStep) or a micro-batch job (streamStep, which steps its
 * batches' jobs through jobStep) — returning a small routing object for the state machine
 * (run_executors, run_driver, sleep, succeed, fail — and chain, before the history cap).
 */
import { StratusError } from '../../planner/errors.js';
import { getJson } from '../storage/store.js';
import { classifyError } from '../util/retry.js';
import type { RuntimeEnv } from './env.js';
import { jobKeys, type JobSubmission } from './jobState.js';
import { jobStep, readJobFiles } from './jobStep.js';
import { streamStep } from './microbatch.js';
import { assertPayloadSize } from './payload.js';
import type { DriverEvent, DriverOutput } from './protocol.js';

/** A step failed on a transient error (the store kept throttling): the state machine runs it again. */
export class DriverTransientError extends Error {
  override readonly name = 'DriverTransientError';
}

/**
 * The driver handler's work: one step, with both payloads checked against the state limit. A
 * step is idempotent, so one that fails transiently is handed back to be run again.
 */
export async function runDriverStep(event: DriverEvent, env: RuntimeEnv): Promise<DriverOutput> {
  assertPayloadSize(event, 'driver input');
  try {
    return assertPayloadSize(await driverStep(event, env), 'driver output');
  } catch (e) {
    if (e instanceof StratusError && classifyError(e) !== 'fatal')
      throw new DriverTransientError(`driver step of job ${event.job.jobId}: ${e.message}`);
    throw e;
  }
}

/** One step of the job `event` names. */
export async function driverStep(event: DriverEvent, env: RuntimeEnv): Promise<DriverOutput> {
  const store = env.store(event.job.store);
  // A batch job's state and plan are read while the submission is (a micro-batch job reads its batches' own).
  const files = readJobFiles(store, event.job.jobId);
  files.catch(() => undefined); // not read when the submission fails, or for a micro-batch job
  const sub = await getJson<JobSubmission>(store, jobKeys(event.job.jobId).job);
  // A micro-batch job steps its batches' jobs, whose state it reads itself: written in the step.
  return sub.options.stream
    ? streamStep(event, { ...env, writeBehind: undefined }, sub)
    : jobStep(event, env, sub, files);
}
