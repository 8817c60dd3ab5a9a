/**
 * Running jobs on AWS: the client starts an execution of the deployed state machine with the
 * job reference (the plan is already in S3), then follows the job through its state in the
 * store — which also covers executions chained before the history cap — and through
 * DescribeExecution for failures that never reached the job state. Aborting stops the
 * execution the job is in.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionError } from '../../planner/errors.js';
import { cachedStore } from '../runtime/env.js';
import { jobKeys, type JobState } from '../runtime/jobState.js';
import type { JobRef } from '../runtime/protocol.js';
import { jobProgress, type ProgressSink } from '../runtime/progress.js';
import type { Runner } from '../runtime/runner.js';
import { getJson } from '../storage/store.js';

export interface AwsRunnerOptions {
  readonly stateMachineArn: string;
  readonly region?: string;
  /** An SFN client (tests pass a mocked one). */
  readonly client?: SFNClient;
  readonly pollMillis?: number;
  /** Give up waiting after this long (the job keeps running on AWS). */
  readonly timeoutMillis?: number;
}

export class AwsRunner implements Runner {
  private readonly client: SFNClient;
  constructor(readonly opts: AwsRunnerOptions) {
    this.client = opts.client ?? new SFNClient({ region: opts.region });
  }

  /** Start the job's execution and wait until the job succeeds or fails (or `signal` aborts it). */
  async run(job: JobRef, progress?: ProgressSink, signal?: AbortSignal): Promise<Error | undefined> {
    const started = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.opts.stateMachineArn,
        name: job.jobId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80),
        input: JSON.stringify({ job, results: [] }),
      }),
    );
    const store = cachedStore(job.store);
    const keys = jobKeys(job.jobId);
    const deadline = Date.now() + (this.opts.timeoutMillis ?? 24 * 3600_000);
    let executionArn = started.executionArn!;
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
        progress.update(jobProgress(await getJson<JobState>(store, keys.state)));
      await pause(this.opts.pollMillis ?? 2000, signal);
    }
  }

  /** Stop the execution the job is in; the job's state keeps what it finished. */
  private async stop(job: JobRef, executionArn: string, signal: AbortSignal): Promise<Error> {
    const reason = String(signal.reason ?? 'by the client');
    await this.client.send(
      new StopExecutionCommand({ executionArn, error: 'JobAborted', cause: reason.slice(0, 32768) }),
    );
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
