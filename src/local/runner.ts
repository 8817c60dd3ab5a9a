/**
 * The local runner — the embedded default. It runs the one state machine definition, exactly
 * as deployed, with the project's ASL interpreter (src/local/asl/): the driver resource is the
 * driver handler, the executor resource a pool of warm executor processes, the Distributed
 * Map's ItemReader a read of the job store, and StartExecution (chaining) a new execution.
 */
import * as os from 'node:os';
import { ExecutionError } from '../../planner/errors.js';
import { DriverTransientError, runDriverStep } from '../runtime/driver.js';
import { cachedStore, type RuntimeEnv } from '../runtime/env.js';
import { liveProgress } from '../runtime/heartbeat.js';
import { jobKeys, type JobState, type JobSubmission } from '../runtime/jobState.js';
import { heartbeat, holdJobLease, JOB_LEASE_MS } from '../runtime/lease.js';
import { releasePins, renewPins } from '../runtime/pins.js';
import { silentProgress, type ProgressSink } from '../runtime/progress.js';
import type { DriverEvent, ExecutorEvent, JobRef } from '../runtime/protocol.js';
import type { Runner } from '../runtime/runner.js';
import { buildDefinition, resourceArns, type ResourceRole } from '../runtime/stateMachine.js';
import { getJson, type ObjectStore, type StoreRef } from '../storage/store.js';
import { openLocation } from '../storage/url.js';
import { StatesError } from './asl/errors.js';
import { StateMachine, type HistoryEvent, type TaskHandler } from './asl/interpreter.js';
import type { Json } from './asl/types.js';
import { ExecutorPool } from './pool.js';
import { workerBundle } from './workerBundle.js';

export interface LocalRunnerOptions {
  /** Where job state, shuffle files and results live. */
  readonly store: StoreRef;
  /** Executor processes (warm instances). Default: the machine's cores. */
  readonly executors?: number;
  /** Simulated Lambda time limit per executor invocation. */
  readonly executorTimeLimitMs?: number;
  /** The job lease this runner holds while it runs a job (ms; default JOB_LEASE_MS). */
  readonly leaseMs?: number;
}

const LOCAL_DRIVER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:stratus-driver';
const LOCAL_EXECUTOR_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:stratus-executor';
const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:stratus-local';

/** What one run's handlers share: its progress sink and the next execution's input, if it chained. */
interface RunContext {
  readonly progress: ProgressSink;
  chainedInput: Json | undefined;
}

export class LocalRunner implements Runner {
  readonly pool: ExecutorPool;
  readonly env: RuntimeEnv;
  private readonly machine: StateMachine;
  private readonly runs = new Map<string, RunContext>();
  /** Driver invocations of the last run (for tests and summaries). */
  driverCalls = 0;
  /** State machine executions of the last run (more than one when the job chained). */
  executions = 0;
  /** Actions the driver returned in the last run, in order. */
  actions: string[] = [];
  /** History events of each execution of the last run, as Step Functions would count them. */
  historyEvents: number[] = [];
  /** Retries the state machine made in the last run: the state, the error and the delay drawn. */
  retries: { state: string; error: string; delayMs: number }[] = [];
  /** Test hook: an error to throw instead of invoking an executor (transient fault injection). */
  faultInjector: ((event: ExecutorEvent) => Error | undefined) | undefined;
  /** Cores the driver and the executors share: a step's state write waits for one no executor uses. */
  cores = os.availableParallelism();

  constructor(readonly opts: LocalRunnerOptions) {
    const size = opts.executors ?? Math.max(1, os.availableParallelism());
    this.pool = new ExecutorPool({
      size,
      timeLimitMs: opts.executorTimeLimitMs ?? 15 * 60_000,
      workerPath: workerBundle(),
    });
    this.env = {
      store: cachedStore,
      remainingMillis: () => 15 * 60_000,
      log: () => {},
      writeBehind: (jobId, write) => this.writeBehind(jobId, write),
    };
    const options = { driverResource: LOCAL_DRIVER_ARN, executorResource: LOCAL_EXECUTOR_ARN };
    const arns = resourceArns(options);
    const handlers = this.handlers();
    this.machine = new StateMachine(buildDefinition(options), {
      handlers: Object.fromEntries((Object.keys(arns) as ResourceRole[]).map((role) => [arns[role], handlers[role]])),
    });
  }

  /**
   * The last answer of each running job's driver, by job id. After succeed or fail the job's
   * steps have released its reader pins (commit, failure), or it holds none: the run's end does
   * not release them again.
   */
  private readonly answers = new Map<string, string>();

  /** Runs that returned with their job's result committed while their last writes land (`finished`), by job id. */
  private readonly finishing = new Map<string, Promise<void>>();

  /** Each job's state write left to run beside its executors (env.writeBehind), by job id: `start` runs it now if it has not started. */
  private readonly stateWrites = new Map<string, { start(): Promise<void> }>();

  /**
   * A driver step's state write, run once the round's executors are started: the answer goes to
   * the state machine first, which starts the executors in this turn of the event loop; the write
   * (synchronous system calls on a local store; a rename over the previous state is the costliest
   * write a step makes) then runs while they work instead of before — on a core none of them
   * uses: with an executor on every core it waits until one of them is done (the round's
   * first to end, typically long before the last), instead of taking its time from a running
   * one. The next step starts it itself if it is still waiting.
   */
  private writeBehind(jobId: string, write: () => Promise<void>): void {
    let started: Promise<void> | undefined;
    const start = () => {
      started ??= write();
      return started;
    };
    // The executors are started (busy) by the next turn of the event loop.
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.pool.whenBusyBelow(this.cores))
      .then(start);
    done.catch(() => undefined); // settled by the job's next step (settleStateWrite)
    this.stateWrites.set(jobId, { start });
  }

  /** Wait for a job's pending state write; a failed one fails the step (retried: the step is idempotent). */
  private async settleStateWrite(jobId: string): Promise<void> {
    const pending = this.stateWrites.get(jobId);
    if (!pending) return;
    this.stateWrites.delete(jobId);
    try {
      await pending.start();
    } catch (e) {
      throw new DriverTransientError(`job ${jobId}: the previous step's state write failed: ${(e as Error).message}`);
    }
  }

  /** One local handler per resource the definition calls. */
  private handlers(): Record<ResourceRole, TaskHandler> {
    return {
      driver: async (input, call) => {
        this.driverCalls++;
        const event = input as unknown as DriverEvent;
        await this.settleStateWrite(event.job.jobId);
        const out = await runDriverStep(event, this.env);
        this.answers.set(event.job.jobId, out.action);
        this.actions.push(out.distributed ? `${out.action}:distributed` : out.action);
        if (out.progress) this.runs.get(call.execution)?.progress.update(out.progress);
        return out;
      },
      executor: async (input) => {
        const event = input as unknown as ExecutorEvent;
        const fault = this.faultInjector?.(event);
        if (fault) throw fault;
        return this.pool.invoke(event);
      },
      // The ItemReader: the object the driver named, read from the job store (a JSON array).
      readGroupList: async (input) => {
        const { Bucket, Key } = input as { Bucket: string; Key: string };
        return new TextDecoder().decode(await this.readObject(Bucket, Key));
      },
      // StartExecution of this same machine: the run loop starts it when this execution ends.
      startExecution: async (input, call) => {
        const run = this.runs.get(call.execution);
        if (!run) throw new StatesError('States.Runtime', `no local run for execution ${call.execution}`);
        run.chainedInput = (input as { Input: Json }).Input;
        return {
          ExecutionArn: `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:next`,
          StartDate: Date.now(),
        };
      },
    };
  }

  /** An object by its physical bucket and key (what `ObjectStore.locate` gave), with the runner's store settings. */
  private readObject(bucket: string, key: string): Promise<Uint8Array> {
    const at = openLocation(this.opts.store, { bucket, key });
    return this.env.store(at.ref).get(at.key);
  }

  /**
   * Run a submitted job to completion through the state machine — following the chain when
   * the driver starts a new execution before the history cap, as Step Functions would.
   */
  async run(job: JobRef, progress: ProgressSink = silentProgress, signal?: AbortSignal): Promise<Error | undefined> {
    // The driver runs in this process: while it does, this process holds the job's lease.
    const lease = await holdJobLease(this.env.store(job.store), job.jobId, this.opts.leaseMs);
    const live =
      progress === silentProgress ? undefined : await followProgress(this.env.store(job.store), job, progress);
    // And renews the job's reader pins (pins.ts) with it; whatever way the run ends, they go (a
    // driver that answered succeed or fail released them in that step).
    const pins = heartbeat(() => renewPins(this.env, job.store, job.jobId), (this.opts.leaseMs ?? JOB_LEASE_MS) / 3);
    this.answers.delete(job.jobId);
    const end = async (answer: string | undefined): Promise<void> => {
      // A run that ended while executors ran (aborted) still lands its last state first; so does
      // one whose job succeeded (its final state is written behind, jobStep.ts).
      await this.settleStateWrite(job.jobId).catch(() => undefined);
      const released = answer === 'succeed' || answer === 'fail';
      // Independent of one another: done side by side (each is a store round trip or two).
      await Promise.all([
        live?.stop(),
        pins
          .stop()
          .then(() => (released ? undefined : releasePins(this.env, job.store, job.jobId).catch(() => undefined))),
        lease.release(),
      ]);
    };
    let out: Error | undefined;
    try {
      out = await this.runMachine(job, progress, signal);
    } catch (e) {
      await end(this.takeAnswer(job.jobId));
      throw e;
    }
    const answer = this.takeAnswer(job.jobId);
    if (out !== undefined || answer !== 'succeed') {
      await end(answer);
      return out;
    }
    // The job succeeded: its result is committed (the driver wrote it before answering), so the
    // caller reads it while the run's last writes — the job's final state, then the lease's
    // release — wait for a later turn of the event loop and, as a step's state write does, for a
    // core no executor uses (a next job's). `finished` waits for them; until they land the job's
    // lease is live, and a crash leaves the previous step's state (jobStep.ts).
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.pool.whenBusyBelow(this.cores))
      .then(() => end(answer))
      .catch(() => undefined)
      .finally(() => {
        if (this.finishing.get(job.jobId) === done) this.finishing.delete(job.jobId);
      });
    this.finishing.set(job.jobId, done);
    return undefined;
  }

  /** The last answer of a job's driver in this run (forgotten: the run is over). */
  private takeAnswer(jobId: string): string | undefined {
    const answer = this.answers.get(jobId);
    this.answers.delete(jobId);
    return answer;
  }

  /** Resolves once the run of job `jobId` has made its last writes (its final state, its lease's release). */
  finished(jobId: string): Promise<void> {
    return this.finishing.get(jobId) ?? Promise.resolve();
  }

  private async runMachine(job: JobRef, progress: ProgressSink, signal?: AbortSignal): Promise<Error | undefined> {
    this.driverCalls = 0;
    this.executions = 0;
    this.actions = [];
    this.historyEvents = [];
    this.retries = [];
    let input: Json = { job: job as unknown as Json, results: [] };
    for (;;) {
      if (signal?.aborted) return aborted(job, signal);
      this.executions++;
      const name = `${job.jobId}-${this.executions}`;
      const run: RunContext = { progress, chainedInput: undefined };
      this.runs.set(name, run);
      const execution = this.machine.start(input, {
        stateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'stratus-local' },
        executionName: name,
        onEvent: (e) => this.observe(e),
      });
      const onAbort = () => execution.abort(String(signal?.reason ?? 'aborted by the client'));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await execution.result;
        if (run.chainedInput === undefined) return undefined;
        input = run.chainedInput;
      } catch (e) {
        if (signal?.aborted) return aborted(job, signal);
        // A failed job's own state holds its cause; this is the state machine's view, kept for
        // failures that never reached the driver (e.g. a driver that kept crashing).
        const err = e instanceof StatesError ? e : new StatesError('States.Runtime', String(e));
        return new ExecutionError(
          'STATE_MACHINE_FAILED',
          `execution ${name} failed with ${err.error}: ${err.causeText}`,
          { execution: name, error: err.error, cause: err.causeText },
        );
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.runs.delete(name);
        this.historyEvents.push(execution.events);
      }
    }
  }

  private observe(e: HistoryEvent): void {
    if (e.retryInMs !== undefined)
      this.retries.push({ state: e.state ?? '', error: e.error ?? '', delayMs: e.retryInMs });
  }

  async close(): Promise<void> {
    await Promise.all(this.finishing.values());
    await this.pool.close();
  }
}

function aborted(job: JobRef, signal: AbortSignal): Error {
  return new ExecutionError(
    'JOB_ABORTED',
    `job ${job.jobId} was aborted: ${String(signal.reason ?? 'by the client')}`,
    {
      jobId: job.jobId,
    },
  );
}

/**
 * While a job whose executors write progress records (`progressMillis`) runs, show the tasks they
 * finish between driver steps: poll its state and the running round's records.
 */
async function followProgress(
  store: ObjectStore,
  job: JobRef,
  progress: ProgressSink,
): Promise<{ stop(): Promise<void> } | undefined> {
  const keys = jobKeys(job.jobId);
  const every = (await getJson<JobSubmission>(store, keys.job).catch(() => undefined))?.options.progressMillis;
  if (!every) return undefined;
  return heartbeat(async () => {
    if (!(await store.head(keys.state))) return;
    const state = await getJson<JobState>(store, keys.state);
    if (state.status === 'running') progress.update(await liveProgress(store, state));
  }, every);
}
