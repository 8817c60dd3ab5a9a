/**
 * One driver step of a batch job: on the first call, plan it (over several calls when its
 * footers are many); then replay the answer to a repeated input, or apply the executors'
 * results and advance the stage graph one step (the Scheduler), saving the job state.
 */
import { toErrorData } from '../../planner/errors.js';
import { classifyError } from '../util/retry.js';
import type { StagePlan } from '../../planner/stages.js';
import { validatePlanDocument } from '../../planner/validate.js';
import { getJson, putJson, type ObjectStore } from '../storage/store.js';
import type { KnownFooter } from './catalog.js';
import type { RuntimeEnv } from './env.js';
import { DRIVER_STEP_EVENTS } from './history.js';
import { failedState, historyOf, jobKeys, type JobState, type JobSubmission, mayHoldPins } from './jobState.js';
import { releasePins, readerPins, renewPins } from './pins.js';
import { planJob } from './planJob.js';
import { type DriverEvent, type DriverOutput, failOutput } from './protocol.js';
import { Scheduler } from './scheduler.js';
import { type DriverAction, ROUTES } from './stateMachine.js';

/** A job's state and stage plan (undefined before its first step has saved them). */
export interface JobFiles {
  readonly state: JobState | undefined;
  readonly stages: StagePlan | undefined;
}

/**
 * Read a job's state and stage plan side by side, one round trip for both (the driver starts
 * this while it reads the submission). The plan is written once, before the first state.
 */
export function readJobFiles(store: ObjectStore, jobId: string): Promise<JobFiles> {
  const keys = jobKeys(jobId);
  const maybe = <T>(key: string): Promise<T | undefined> =>
    getJson<T>(store, key).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw e;
    });
  return Promise.all([maybe<JobState>(keys.state), maybe<StagePlan>(keys.stages)]).then(([state, stages]) => ({
    state,
    stages,
  }));
}

/** One step of a batch job (a micro-batch job steps each batch's job through this too). */
export async function jobStep(
  event: DriverEvent,
  env: RuntimeEnv,
  sub: JobSubmission,
  files: Promise<JobFiles> = readJobFiles(env.store(event.job.store), event.job.jobId),
): Promise<DriverOutput> {
  const store = env.store(event.job.store);
  const keys = jobKeys(event.job.jobId);
  const read = await files;
  let state = read.state;
  let plan: StagePlan;
  let planSaved: Promise<void> | undefined;
  try {
    if (!state) {
      validatePlanDocument(sub.plan);
      const footers = await loadSavedFooters(store, keys);
      const pins = readerPins(env, event.job.store, event.job.jobId, sub.options.readPinMs);
      const planned = await planJob(event.job.jobId, sub, env, event.job.store, {
        known: footers.known,
        budget: sub.options.footersPerCall,
        pins,
      });
      if ('incomplete' in planned) {
        // Large inputs: read footers over several driver calls, saving them as we go.
        await putJson(store, keys.footers(footers.calls), planned.incomplete);
        return { action: 'run_driver', job: event.job, results: [] };
      }
      plan = planned.plan;
      state = planned.state;
      state.planningCalls = footers.calls + 1;
      // Planning over several calls re-pins in its last; counted as pinned all the same.
      state.pinned = pins.pinned || footers.calls > 0;
      // Written beside the first round's manifests (awaited before the state and the answer).
      planSaved = putJson(store, keys.stages, plan);
      planSaved.catch(() => undefined);
    } else {
      plan = read.stages ?? (await getJson<StagePlan>(store, keys.stages));
      // Every step renews the pins of a running job (on AWS no runner holds it).
      if (state.status === 'running' && mayHoldPins(state)) await renewPins(env, event.job.store, event.job.jobId);
    }
  } catch (e) {
    const err = toErrorData(e);
    // A transient failure (the store throttled) is not the job's: the step runs again.
    if (classifyError(err) !== 'fatal') throw e;
    await putJson(store, keys.state, failedState(event.job.jobId, err));
    await releasePins(env, event.job.store, event.job.jobId).catch(() => undefined);
    return failOutput(event, err);
  }
  if (state.status === 'failed') return failOutput(event, state.error!);
  if (state.status === 'succeeded') return { action: 'succeed', job: event.job, results: [] };

  const round = event.results[0]?.group.round ?? 0;
  const repeated = event.results.length ? round <= state.appliedRound : state.lastAction === 'run_executors';
  if (repeated && state.lastOutput) {
    // The same input again (a retried driver call): answer as before. A run_executors answer
    // is always followed by that round's results, so empty results mean a retry too.
    return state.lastOutput as DriverOutput;
  }
  countHistory(state, event);
  const sched = new Scheduler(state, plan, sub, store, event, env);
  const fatal = await sched.applyResults();
  const out = fatal ? await sched.fail(fatal) : await sched.advance();
  await planSaved;
  state.lastOutput = out;
  state.lastAction = out.action;
  const save = () => putJson(store, keys.state, state);
  // While the round runs the state can be written beside it (the runner awaits the write before
  // the next step); a crash before it lands leaves the previous step's state, as a crash between
  // this step's manifests and its state write always could. So can the final state of a job that
  // succeeded, once its result is committed (the runner lands it before it releases the job's
  // lease, while its client reads the result): a crash before it lands leaves the previous state,
  // from which `resume` runs the last round again and commits the same result.
  if ((out.action === 'run_executors' || out.action === 'succeed') && env.writeBehind)
    env.writeBehind(event.job.jobId, save);
  else await save();
  return out;
}

/** Add the history events the previous steps used: this driver step and the last action's route. */
function countHistory(state: JobState, event: DriverEvent): void {
  const h = historyOf(state);
  h.events += DRIVER_STEP_EVENTS;
  const route = state.lastAction ? ROUTES[state.lastAction as DriverAction] : undefined;
  if (route) h.events += route.historyEvents(event.results.length);
}

async function loadSavedFooters(
  store: ObjectStore,
  keys: ReturnType<typeof jobKeys>,
): Promise<{ known: Map<string, KnownFooter>; calls: number }> {
  const saved = await store.list(`${keys.base}/footers/`);
  const known = new Map<string, KnownFooter>();
  for (const o of saved) for (const f of await getJson<KnownFooter[]>(store, o.key)) known.set(f.url, f);
  return { known, calls: saved.length };
}
