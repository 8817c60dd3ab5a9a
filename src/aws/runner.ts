/**
 * Running jobs on AWS: the client starts an execution of the deployed state machine with the
 * job reference (the plan is already in S3), then follows the job through its state in the
 * store — which also covers executions chained before the history cap — and through
 * DescribeExecution for failures that never reached the job state. Aborting stops the
 * execution the job is in. The execution is recorded with the job, so that another process
 * (the `stratus` CLI) can follow, stop or describe it.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionError } from '../../planner/errors.js';
import { cachedStore } from '../runtime/env.js';
import { jobKeys, type JobState } from '../runtime/jobState.js';
import type { JobRef } from '../runtime/protocol.js';
import { liveProgress } from '../runtime/heartbeat.js';
import type { ProgressSink } from '../runtime/progress.js';
import type { Runner } from '../runtime/runner.js';
import { getJson, putJson } from '../storage/store.js';

/** Where a job runs on AWS (`jobs/<id>/execution.json`): the execution last started for it. */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly startedAt: string;
  /** Executions started for the job so far (a resumed job starts another; names must differ). */
  readonly n: number;
}

export interface AwsRunnerOptions {
  readonly stateMachineArn: string;
  readonly region?: string;
  /** An SFN client (tests pass a mocked one). */
  readonly client?: SFNClient;
  readonly pollMillis?: number;
  /** Give up waiting after this long (the job keeps running on AWS). */
  readonly timeoutMillis?: number;
  /**
   * The "deployed" machine is a stand-in on this host (tests that mock Step Functions with the
   * local runner): local stores and paths are then allowed. Never set it for a real deployment.
   */
  readonly emulated?: boolean;
}

export class AwsRunner implements Runner {
  private readonly client: SFNClient;
  constructor(readonly opts: AwsRunnerOptions) {
    this.client = opts.client ?? new SFNClient({ region: opts.region });
  }

  /** Start the job's execution and wait until the job succeeds or fails (or `signal` aborts it). */
  async run(job: JobRef, progress?: ProgressSink, signal?: AbortSignal): Promise<Error | undefined> {
    return this.follow(job, await this.start(job), progress, signal);
  }

  /**
   * Start an execution of the state machine for a stored job and record it with the job
   * (`jobs/<id>/execution.json`), so that another process can follow or stop it. Returns its ARN.
   */
  async start(job: JobRef): Promise<string> {
    const n = ((await this.readExecution(job))?.n ?? 0) + 1;
    const suffix = n > 1 ? `-r${n}` : '';
    const started = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.opts.stateMachineArn,
        name: `${job.jobId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80 - suffix.length)}${suffix}`,
        input: JSON.stringify({ job, results: [] }),
      }),
    );
    const record: ExecutionRecord = {
      executionArn: started.executionArn!,
      stateMachineArn: this.opts.stateMachineArn,
      startedAt: new Date().toISOString(),
      n,
    };
    await putJson(cachedStore(job.store), jobKeys(job.jobId).execution, record);
    return record.executionArn;
  }

  /** The execution a job was last started in, if it ran on AWS. */
  async readExecution(job: JobRef): Promise<ExecutionRecord | undefined> {
    const store = cachedStore(job.store);
    const key = jobKeys(job.jobId).execution;
    return (await store.head(key)) ? getJson<ExecutionRecord>(store, key) : undefined;
  }

  /** Stop an execution (its job's state keeps what it finished). */
  async stopExecution(executionArn: string, cause: string): Promise<void> {
    await this.client.send(
      new StopExecutionCommand({ executionArn, error: 'JobAborted', cause: cause.slice(0, 32768) }),
    );
  }

  /** The Step Functions status of an execution (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED…). */
  async describe(executionArn: string): Promise<{ status: string; error?: string; cause?: string; output?: string }> {
    const d = await this.client.send(new DescribeExecutionCommand({ executionArn }));
    return {
      status: d.status ?? 'UNKNOWN',
      ...(d.error ? { error: d.error } : {}),
      ...(d.cause ? { cause: d.cause } : {}),
      ...(d.output ? { output: d.output } : {}),
    };
  }

  /** Follow a started execution until the job succeeds or fails (or `signal` aborts it). */
  async follow(job: JobRef, first: string, progress?: ProgressSink, signal?: AbortSignal): Promise<Error | undefined> {
    const store = cachedStore(job.store);
    const keys = jobKeys(job.jobId);
    const deadline = Date.now() + (this.opts.timeoutMillis ?? 24 * 3600_000);
    let executionArn = first;
    for (;;) {
      if (signal?.aborted) return this.stop(job, executionArn, signal);
      if ((await store.head(keys.result)) !== undefined) return undefined;
      if ((await store.head(keys.state)) !== undefined) {
        const state = await getJson<JobState>(store, keys.state);
        if (state.status === 'failed') return undefined; // the caller reads the cause from the state
      }
      const exec = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (exec.status === 'FAILED' || exec.status === 'TIMED_OUT' || exec.status === 'ABORTED') {
        return new ExecutionError(
          `EXECUTION_${exec.status}`,
          `execution ${executionArn} ${exec.status.toLowerCase()}: ${exec.error ?? ''} ${exec.cause ?? ''}`.trim(),
          { executionArn },
        );
      }
      if (exec.status === 'SUCCEEDED' && (await store.head(keys.result)) === undefined) {
        // Chained before the history cap: this execution's output is the ChainExecution
        // result, naming the execution that carries on the job. Follow that one.
        executionArn = chainedExecution(exec.output) ?? executionArn;
      }
      if (Date.now() > deadline)
        return new ExecutionError(
          'CLIENT_TIMEOUT',
          `job ${job.jobId} still running after ${this.opts.timeoutMillis} ms; it continues on AWS`,
          { jobId: job.jobId },
        );
      if (progress && (await store.head(keys.state)))
        progress.update(await liveProgress(store, await getJson<JobState>(store, keys.state)));
      await pause(this.opts.pollMillis ?? 2000, signal);
    }
  }

  /** Stop the execution the job is in; the job's state keeps what it finished. */
  private async stop(job: JobRef, executionArn: string, signal: AbortSignal): Promise<Error> {
    const reason = String(signal.reason ?? 'by the client');
    await this.stopExecution(executionArn, reason);
    return new ExecutionError('JOB_ABORTED', `job ${job.jobId} was aborted: ${reason}`, {
      jobId: job.jobId,
      executionArn,
    });
  }

  /** Release the SFN client (only one this runner created). */
  async close(): Promise<void> {
    if (!this.opts.client) this.client.destroy();
  }
}

/** The execution a chained one started (its output is StartExecution's `{ ExecutionArn, StartDate }`). */
function chainedExecution(output: string | undefined): string | undefined {
  try {
    const arn = (JSON.parse(output ?? 'null') as { ExecutionArn?: unknown } | null)?.ExecutionArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** Wait between polls; an abort ends the wait early. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
