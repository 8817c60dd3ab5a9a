/**
 * Job state in the store: the layout of a job's keys and the driver's state document.
 *
 *   jobs/<id>/job.json                submitted plan and options
 *   jobs/<id>/state.json              the driver's state (this module)
 *   jobs/<id>/lease.json              the runner's lease: alive until (lease.ts)
 *   jobs/<id>/stages.json             the stage plan, written once
 *   jobs/<id>/manifests/<round>.<g>.json, <round>.groups.json, summaries/<round>.<g>.<nonce>.json
 *                                     (one flat directory each: no directory per round)
 *   jobs/<id>/stages/<s>.commit.json  the winning attempt of every task of a finished stage
 *   jobs/<id>/shuffle/<s>/<task>.<attempt>.<nonce>, result/<s>/<task>.<attempt>.<nonce>.arrow
 *   jobs/<id>/result.json             the job commit: the result parts, in order
 *
 * Beside the jobs, a session's cached results (`df.cache()`, src/api/cache.ts) are datasets of
 * Arrow IPC files at sessions/<session>/cache/<n>/, deleted by unpersist() and session.stop(),
 * with the session's lease at sessions/<session>/lease.json (lease.ts): `gc` removes the area of
 * a session whose lease expired (a crashed process) once the retention has passed.
 */
import type { KeyTupleJson } from '../../operators/rangepart.js';
import type { ErrorData } from '../../planner/errors.js';
import type { PlanDocument } from '../../planner/plan.js';
import type { TaskInput, TaskOutput } from './protocol.js';
import type { HistoryState } from './history.js';
import type { SizingOptions } from './sizing.js';

/** A job's options; the sizing policy's (goal, maxExecutors, workload, workers…) among them. */
export interface JobOptions extends SizingOptions {
  /** Width of hash exchanges; default from input size. */
  readonly shufflePartitions?: number;
  /** Task attempts before the job fails. */
  readonly maxTaskAttempts?: number;
  /** Target compressed input bytes per scan task. */
  readonly taskBytes?: number;
  /** Joins whose smaller side reads at most this many compressed bytes are broadcast (default 10 MiB). */
  readonly broadcastThreshold?: number;
  /** Executors start no task with less time left than this (ms). */
  readonly safetyMarginMs?: number;
  /** History events an execution may use before the driver chains a new one (default 25,000). */
  readonly historyEventCap?: number;
  /** Parquet footers read per driver call while planning (large inputs plan over several calls). */
  readonly footersPerCall?: number;
  /** Optimizer rules to switch off, by name. */
  readonly disabledRules?: readonly string[];
  /** Names of secrets (Parameter Store / local parameters) the job's functions read with parameter(name). Names only: values never enter plans, logs or results. */
  readonly parameters?: readonly string[];
  /** Shuffle encoding; default brotli on S3 (network-bound), none on a local store. */
  readonly shuffleCodec?: 'none' | 'brotli';
  /** Read only these files of the scanned datasets (a micro-batch's new files). */
  readonly onlyFiles?: readonly string[];
  /** Keep the job's scratch objects (shuffle, manifests, summaries) after it succeeds (default false; the session's `keepJobs` sets it). */
  readonly keepScratch?: boolean;
  /**
   * The client deletes the whole job once it has read the result (a session's collect and write,
   * without `keepJobs`): the driver then leaves the scratch objects to that one deletion instead
   * of removing them (and writing `timeline.json`) at commit. A client that dies before deleting
   * leaves the job to `gc`, which removes it once `jobRetentionMs` has passed.
   */
  readonly deletedByClient?: boolean;
  /** Lease of a write's commit record (ms): another writer rolls a commit back or forward once it expires. */
  readonly commitLeaseMs?: number;
  /**
   * Extra time an overwrite keeps the files it replaces (ms, default 0: deleted at commit unless a
   * running Stratus reader pinned a version that names them; plain engines listing the directory
   * see them while they stay).
   */
  readonly fileRetentionMs?: number;
  /** Lifetime of this job's reader pins from each renewal (ms, default 10 min): a killed reader's pins hold files this long. */
  readonly readPinMs?: number;
  /** Micro-batch mode: poll the plan's input for new files and process each once. */
  readonly stream?: StreamOptions;
  /** Executors write a progress record (tasks done in their group) at most this often (ms); off by default. */
  readonly progressMillis?: number;
  /** Session time zone (default UTC): rendering and zone-dependent time functions (hour, date_trunc, to_date…). */
  readonly timeZone?: string;
}

export interface StreamOptions {
  /** Seconds between polls when no new file is there. */
  readonly pollSeconds: number;
  /** Stop after this many batches. */
  readonly maxBatches?: number;
  /** Stop after this long without new files. */
  readonly idleTimeoutSeconds?: number;
}

export interface JobSubmission {
  readonly plan: PlanDocument;
  readonly options: JobOptions;
  readonly submittedAt: string;
}

export type TaskStatus = 'pending' | 'running' | 'done';

export interface TaskState {
  readonly task: number;
  readonly input: TaskInput;
  attempt: number;
  status: TaskStatus;
  failures: number;
  output?: TaskOutput;
  lastError?: ErrorData;
  /** Times its committed output was lost and the task ran again (bounded by maxTaskAttempts). */
  recomputes?: number;
}

export interface StageState {
  readonly id: number;
  status: 'waiting' | 'running' | 'done';
  tasks: TaskState[];
  /** Accounting over every attempt of every task of the stage. */
  metrics?: StageMetrics;
  /** Range boundaries of this stage's output (range exchanges), from its input's samples. */
  boundaries?: KeyTupleJson[];
  startedAt?: number;
  finishedAt?: number;
  /** The driver runs the stage's adaptive form: a broadcast join over the deferred scan's tasks, or a one-task sort. */
  adaptive?: boolean;
  /** Not run: read inline, merged by an adaptive join into its reader, or an adaptive sort ran in one task. */
  skipped?: boolean;
}

export interface StageMetrics {
  attempts: number;
  /** Sum of task times (ms). */
  taskMillis: number;
  /** The longest task attempt (ms). */
  maxTaskMillis?: number;
  /**
   * Busy time per executor instance (ms): the union of the intervals its task attempts ran, so
   * tasks it interleaved count once and tasks it ran one after another add up.
   */
  executorMillis?: Record<string, number>;
  /** CPU per executor instance (ms): its invocations' process CPU (all threads), load-independent. */
  executorCpuMillis?: Record<string, number>;
  phases: Record<string, number>;
  stats: Record<string, number>;
}

/**
 * A stage's critical path inside executors (ms): its busiest executor's busy time — the stage
 * cannot end before that executor's tasks do. Summaries without per-executor times fall back to
 * the longest task. What a stage's wall exceeds this by is orchestration (rounds, the driver,
 * process hops, store round trips) and idle executors; the one definition the bench reports use.
 * @example stageCriticalMillis({ executorMillis: { a: 300, b: 200 }, maxTaskMillis: 150 }) // 300
 */
export function stageCriticalMillis(st: Pick<StageMetrics, 'executorMillis' | 'maxTaskMillis'>): number {
  const busy = Object.values(st.executorMillis ?? {});
  return busy.length ? Math.max(...busy) : (st.maxTaskMillis ?? 0);
}

/** Total of intervals `[start, end)` after merging overlaps (ms): how long any of them was running. */
export function unionMillis(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of sorted) {
    // Only the part past the running end is new time.
    if (b > end) total += b - Math.max(a, end);
    end = Math.max(end, b);
  }
  return total;
}

/** What a job did, per stage: the job summary returned with its result. */
export interface JobSummary {
  readonly jobId: string;
  readonly wallMillis: number;
  readonly rounds: number;
  /** Row groups skipped by footer statistics (and partition values) at planning. */
  readonly prunedRowGroups: number;
  readonly stages: readonly ({
    readonly id: number;
    readonly tasks: number;
    readonly wallMillis: number;
    readonly rowGroups: number;
    /** Ran its adaptive broadcast form. */
    readonly adaptive?: boolean;
    /** Not run (an adaptive join broadcast into its scan instead). */
    readonly skipped?: boolean;
  } & StageMetrics)[];
}

export interface JobState {
  readonly jobId: string;
  status: 'running' | 'succeeded' | 'failed';
  /** The last round of executors scheduled. */
  round: number;
  /** The last round whose results were applied (for idempotent re-runs). */
  appliedRound: number;
  stages: StageState[];
  /** The last routing output returned, replayed if the driver runs again on the same input. */
  lastOutput?: unknown;
  error?: ErrorData;
  startedAt: number;
  rowsOut?: number;
  prunedRowGroups?: number;
  history?: HistoryState;
  /** The last action returned (the next call accounts for its history events). */
  lastAction?: string;
  /** Driver calls spent reading footers before the plan was made. */
  planningCalls?: number;
  /**
   * Whether planning pinned a dataset version (pins.ts): false when every dataset it read has no
   * log (nothing to renew or release, so no step asks the store); absent in a state written
   * before this was recorded, which counts as pinned.
   */
  pinned?: boolean;
}

/** Whether a job may hold reader pins (pins.ts): renewed by its steps, released at its end. */
export const mayHoldPins = (state: JobState): boolean => state.pinned !== false;

/** The state of a job that failed before it had stages (while planning, or a micro-batch job). */
export function failedState(jobId: string, error: ErrorData): JobState {
  return { jobId, status: 'failed', round: 0, appliedRound: 0, stages: [], startedAt: Date.now(), error };
}

/** The job's history-event account (chaining before the cap), started on first use. */
export function historyOf(state: JobState): HistoryState {
  state.history ??= { execution: 0, events: 0 };
  return state.history;
}

/** Keys of a session's area in the job store: its lease and its cached results. */
export const sessionKeys = (sessionId: string) => {
  const base = `sessions/${sessionId}`;
  return { base, lease: `${base}/lease.json`, cache: `${base}/cache` } as const;
};

export const jobKeys = (jobId: string) => {
  const base = `jobs/${jobId}`;
  return {
    base,
    job: `${base}/job.json`,
    state: `${base}/state.json`,
    stages: `${base}/stages.json`,
    result: `${base}/result.json`,
    stop: `${base}/stop`,
    lease: `${base}/lease.json`,
    stream: `${base}/stream.json`,
    /** Task reports of a succeeded job, kept when its scratch goes (client.ts removeScratch). */
    timeline: `${base}/timeline.json`,
    /** An executor invocation's progress while it runs (progressMillis): tasks done of its group. */
    progress: (round: number, g: number) => `${base}/progress/${round}/${g}.json`,
    /** A request to cancel the job (stratus cancel): its runner stops the execution. */
    cancel: `${base}/cancel.json`,
    /** The AWS execution that runs the job (stratus submit --target aws). */
    execution: `${base}/execution.json`,
    footers: (call: number) => `${base}/footers/${String(call).padStart(5, '0')}.json`,
    // Per-round and per-stage objects sit side by side in one directory each, not in a directory
    // per round or stage: a local store creates a directory for a new one (a journaled metadata
    // write, milliseconds on a busy disk) on the driver's and the executors' paths between tasks.
    groupList: (round: number) => `${base}/manifests/${round}.groups.json`,
    manifest: (round: number, g: number) => `${base}/manifests/${round}.${g}.json`,
    summary: (round: number, g: number, nonce: string) => `${base}/summaries/${round}.${g}.${nonce}.json`,
    commit: (stage: number) => `${base}/stages/${stage}.commit.json`,
    shuffle: (stage: number, task: number, attempt: number, nonce: string) =>
      `${base}/shuffle/${stage}/${task}.${attempt}.${nonce}`,
    resultPart: (stage: number, task: number, attempt: number, nonce: string) =>
      `${base}/result/${stage}/${task}.${attempt}.${nonce}.arrow`,
  };
};

/** The committed outputs of a stage, by task index. */
export interface StageCommit {
  readonly stage: number;
  readonly outputs: readonly TaskOutput[];
}

export interface ResultManifest {
  readonly schema: import('../../planner/types.js').Schema;
  readonly parts: readonly string[];
  readonly rows: number;
  /** Files committed by a write job (input files processed, for a micro-batch job). */
  readonly files?: number;
  /** Batches run by a micro-batch job. */
  readonly batches?: number;
  readonly summary?: JobSummary;
}
