/**
 * The driver: stateless; each call loads the job's submission from the store and advances the
 * job one step — a batch job (jobStep) or a micro-batch job (streamStep, which steps its
 * batches' jobs through jobStep) — returning a small routing object for the state machine
 * (run_executors, run_driver, sleep, succeed, fail — and chain, before the history cap).
 */
import { getJson } from '../storage/store.js';
import type { RuntimeEnv } from './env.js';
import { jobKeys, type JobSubmission } from './jobState.js';
import { jobStep } from './jobStep.js';
import { streamStep } from './microbatch.js';
import { assertPayloadSize } from './payload.js';
import type { DriverEvent, DriverOutput } from './protocol.js';

/** The driver handler's work: one step, with both payloads checked against the state limit. */
export async function runDriverStep(event: DriverEvent, env: RuntimeEnv): Promise<DriverOutput> {
  assertPayloadSize(event, 'driver input');
  return assertPayloadSize(await driverStep(event, env), 'driver output');
}

/** One step of the job `event` names. */
export async function driverStep(event: DriverEvent, env: RuntimeEnv): Promise<DriverOutput> {
  const sub = await getJson<JobSubmission>(env.store(event.job.store), jobKeys(event.job.jobId).job);
  return sub.options.stream ? streamStep(event, env, sub) : jobStep(event, env, sub);
}
