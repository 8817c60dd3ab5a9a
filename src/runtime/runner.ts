/**
 * The Runner: what runs a submitted job — the embedded local runner (src/local/) or the
 * deployed state machine (src/aws/). Both run the one definition of stateMachine.ts; the
 * session holds one and never asks which.
 */
import type { ProgressSink } from './progress.js';
import type { JobRef } from './protocol.js';

export interface Runner {
  /**
   * Start the submitted job and follow it to its end, through chained executions. Resolves
   * once the job has succeeded or failed: with an Error only when it stopped without its state
   * recording why (the caller reads the result, or the cause, from the store). Aborting
   * `signal` stops the job's execution; the promise then resolves with a `JOB_ABORTED` error.
   */
  run(job: JobRef, progress?: ProgressSink, signal?: AbortSignal): Promise<Error | undefined>;
  /**
   * Resolves once the runner's own last writes for a job whose run has returned have landed (the
   * local runner: its final state and its lease's release, which follow a committed result).
   * Absent: `run` resolves after them.
   */
  finished?(jobId: string): Promise<void>;
  /** Release what the runner holds (executor processes, clients); it runs no job after. */
  close(): Promise<void>;
}
