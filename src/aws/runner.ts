/**
 * Running jobs on AWS: the client starts an execution of the deployed state machine with the
 * job reference (the plan is already in S3), then follows the job through its state in the
 * store — which also covers executions chained before the history cap — and through
 * DescribeExecution for failures that never reached the job state.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ExecutionError } from '../../planner/errors.js';
import { cachedStore } from '../runtime/env.js';
import { jobKeys, type JobState } from '../runtime/jobState.js';
import type { JobRef } from '../runtime/protocol.js';
import { getJson } from '../storage/store.js';
import type { ProgressSink } from '../local/progress.js';

export interface AwsRunnerOptions {
  readonly stateMachineArn: string;
  readonly region?: string;
  /** An SFN client (tests pass a mocked one). */
  readonly client?: SFNClient;
  readonly pollMillis?: number;
  /** Give up waiting after this long (the job keeps running on AWS). */
  readonly timeoutMillis?: number;
}

export class AwsRunner {
  private readonly client: SFNClient;
  constructor(readonly opts: AwsRunnerOptions) {
    this.client = opts.client ?? new SFNClient({ region: opts.region });
  }

  /** Start the job's execution and wait until the job succeeds or fails. */
  async run(job: JobRef, progress?: ProgressSink): Promise<Error | undefined> {
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
        // Chained: the next execution of this job carries on; follow the job, not this execution.
        executionArn = exec.executionArn ?? executionArn;
      }
      if (Date.now() > deadline)
        return new ExecutionError(
          'CLIENT_TIMEOUT',
          `job ${job.jobId} still running after ${this.opts.timeoutMillis} ms; it continues on AWS`,
          { jobId: job.jobId },
        );
      if (progress && (await store.head(keys.state))) {
        const state = await getJson<JobState>(store, keys.state);
        const tasks = state.stages.flatMap((s) => s.tasks);
        progress.update({
          stagesDone: state.stages.filter((s) => s.status === 'done').length,
          stagesTotal: state.stages.length,
          tasksDone: tasks.filter((t) => t.status === 'done').length,
          tasksTotal: tasks.length,
          running: state.stages.filter((s) => s.status === 'running').map((s) => s.id),
        });
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMillis ?? 2000));
    }
  }
}
