/**
 * The local runner — the embedded default. It runs the one state machine definition with a real
 * ASL interpreter (aws-local-stepfunctions), maps the Driver task to the driver handler and the
 * Executor task to a pool of warm executor processes, over a file-backed object store.
 */
import '../polyfills.js';
import * as os from 'node:os';
import { StateMachine } from 'aws-local-stepfunctions';
import { runDriverStep } from '../runtime/driver.js';
import { cachedStore, type RuntimeEnv } from '../runtime/env.js';
import {
  groupListKey,
  type DriverEvent,
  type DriverOutput,
  type ExecutorEvent,
  type GroupRef,
  type JobRef,
} from '../runtime/protocol.js';
import { getJson } from '../storage/store.js';
import { buildDefinition, STATE } from '../runtime/stateMachine.js';
import type { StoreRef } from '../storage/store.js';
import { ExecutorPool } from './pool.js';
import { workerBundle } from './workerBundle.js';
import { silentProgress, type ProgressSink } from './progress.js';

export interface LocalRunnerOptions {
  /** Where job state, shuffle files and results live. */
  readonly store: StoreRef;
  /** Executor processes (warm instances). Default: the machine's cores. */
  readonly executors?: number;
  /** Simulated Lambda time limit per executor invocation. */
  readonly executorTimeLimitMs?: number;
}

export const LOCAL_DRIVER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:stratus-driver';
export const LOCAL_EXECUTOR_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:stratus-executor';
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:stratus-local';

export class LocalRunner {
  readonly pool: ExecutorPool;
  private readonly machine: StateMachine;
  readonly env: RuntimeEnv;
  /** Driver invocations of the last run (for tests and summaries). */
  driverCalls = 0;
  /** State machine executions of the last run (more than one when the job chained). */
  executions = 0;
  /** Actions the driver returned in the last run, in order. */
  actions: string[] = [];
  /** Test hook: an error to throw instead of invoking an executor (transient fault injection). */
  faultInjector: ((event: ExecutorEvent) => Error | undefined) | undefined;

  constructor(readonly opts: LocalRunnerOptions) {
    const size = opts.executors ?? Math.max(1, os.availableParallelism());
    this.pool = new ExecutorPool({
      size,
      timeLimitMs: opts.executorTimeLimitMs ?? 15 * 60_000,
      workerPath: workerBundle(),
    });
    this.machine = new StateMachine(
      buildDefinition({
        driverResource: LOCAL_DRIVER_ARN,
        executorResource: LOCAL_EXECUTOR_ARN,
        distributed: false,
      }) as never,
    );
    this.env = { store: cachedStore, remainingMillis: () => 15 * 60_000, log: () => {} };
  }

  /**
   * Run a submitted job to completion through the state machine — following the chain when
   * the driver starts a new execution before the history cap, as Step Functions would.
   */
  async run(job: JobRef, progress: ProgressSink = silentProgress): Promise<Error | undefined> {
    this.driverCalls = 0;
    this.executions = 0;
    this.actions = [];
    const executor = async (input: unknown) => {
      const fault = this.faultInjector?.(input as ExecutorEvent);
      if (fault) throw fault;
      return (await this.pool.invoke(input as ExecutorEvent)) as never;
    };
    for (;;) {
      this.executions++;
      let chained = false;
      const execution = this.machine.run({ job, results: [] } as never, {
        // The interpreter has no context object of its own; give the one Step Functions would.
        context: {
          StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'stratus-local' },
          Execution: {
            Id: `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${job.jobId}-${this.executions}`,
            Name: `${job.jobId}-${this.executions}`,
            StartTime: new Date().toISOString(),
          },
        } as never,
        overrides: {
          taskResourceLocalHandlers: {
            [STATE.driver]: async (input: unknown) => {
              this.driverCalls++;
              const out: DriverOutput = await runDriverStep(input as DriverEvent, this.env);
              this.actions.push(out.distributed ? `${out.action}:distributed` : out.action);
              if (out.progress) progress.update(out.progress);
              return out as never;
            },
            [STATE.executor]: executor,
            [`${STATE.executor}Listed`]: executor,
            [STATE.runExecutorsDistributed]: async (input: unknown) => {
              const { job: ref, groupList } = input as { job: JobRef; groupList: { key: string } };
              return (await getJson<GroupRef[]>(
                this.env.store(ref.store),
                groupListKey(ref.store, groupList.key),
              )) as never;
            },
            [STATE.chain]: async () => {
              chained = true;
              return {} as never;
            },
          },
        },
      });
      try {
        await execution.result;
        if (!chained) return undefined;
      } catch (e) {
        // A failed job's own state holds its cause; this is the interpreter's view, kept for
        // failures that never reached the driver (e.g. a crashed executor after all retries).
        return e as Error;
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
