/**
 * The small payloads that travel through the state machine, and the manifests and summaries
 * that travel through the store. Payloads carry references, never data.
 */
import type { KeyTupleJson } from '../../operators/rangepart.js';
import type { ErrorData } from '../../planner/errors.js';
import type { ScanInput } from '../../planner/tasks.js';
import type { ObjectLocation, StoreRef } from '../storage/store.js';
import type { DriverAction } from './stateMachine.js';

/** Identifies a job and where its state lives. */
export interface JobRef {
  readonly jobId: string;
  readonly store: StoreRef;
}

/** What one executor invocation hands back (through the Map state) to the driver. */
export interface GroupResult {
  readonly group: GroupRef;
  /** Key of the group summary in the store (absent when the executor crashed). */
  readonly summary?: string;
  readonly crashed?: boolean;
  readonly error?: string;
  readonly cause?: string;
}

export interface DriverEvent {
  readonly job: JobRef;
  readonly results: readonly GroupResult[];
}

export interface Progress {
  readonly stagesDone: number;
  readonly stagesTotal: number;
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly running: readonly number[];
}

export interface DriverOutput {
  readonly action: DriverAction;
  readonly job: JobRef;
  readonly results: readonly GroupResult[];
  readonly groups?: readonly GroupRef[];
  readonly concurrency?: number;
  /** More groups than an inline Map runs: the Distributed Map reads them from the store. */
  readonly distributed?: boolean;
  readonly groupList?: ObjectLocation;
  readonly seconds?: number;
  readonly error?: string;
  readonly cause?: string;
  readonly progress?: Progress;
}

/** The routing object of a failed job: its error code for the Fail state and the cause. */
export function failOutput(event: DriverEvent, err: ErrorData): DriverOutput {
  return {
    action: 'fail',
    job: event.job,
    results: [],
    error: `Stratus.${err.code}`,
    cause: `${err.message}${err.details && Object.keys(err.details).length ? ` ${JSON.stringify(err.details)}` : ''}`,
  };
}

/** A task group reference: the manifest key plus ids for idempotent bookkeeping. */
export interface GroupRef {
  readonly manifest: string;
  readonly round: number;
  readonly index: number;
}

export interface ExecutorEvent {
  readonly job: JobRef;
  readonly group: GroupRef;
}

export type ExecutorOutput = GroupResult;

/**
 * A unit of input for one task: row groups of Parquet files, or one shuffle partition (or
 * `partitions` of them from `partition` on: an adaptive sort's one task reads them all).
 */
export type TaskInput =
  | ScanInput
  | { readonly kind: 'shuffle'; readonly partition: number; readonly partitions?: number };

export interface TaskSpec {
  readonly stage: number;
  readonly task: number;
  readonly attempt: number;
  readonly input: TaskInput;
  /** Range boundaries for a range-partitioned output (chosen by the driver from samples). */
  readonly boundaries?: readonly KeyTupleJson[];
  /** Run the stage's adaptive form (`Stage.adaptive`: a broadcast join or a one-task sort), as the driver chose. */
  readonly adaptive?: boolean;
}

export interface GroupManifest {
  readonly jobId: string;
  readonly round: number;
  readonly tasks: readonly TaskSpec[];
  /** Tasks the executor runs at once (the sizing policy's workers per executor). */
  readonly workers?: number;
  /** No task starts when less time than this is left in the invocation. */
  readonly safetyMarginMs?: number;
  /** Write a progress record at most this often (ms) while the group runs (JobOptions.progressMillis). */
  readonly progressMillis?: number;
}

/**
 * A committed map output: ONE object holding all R partitions followed by an index of R+1
 * byte offsets and R partition checksums (float64) — enough to read and check any partition
 * without listing.
 */
export interface ShuffleOutput {
  readonly kind: 'shuffle';
  readonly key: string;
  readonly size: number;
  /** Byte offset where the index starts. */
  readonly indexAt: number;
  readonly partitions: number;
  readonly rows: number;
  /** CRC-32 of the object's index (which holds each partition's CRC-32). */
  readonly checksum: number;
  /** How each partition chunk is encoded. */
  readonly codec?: 'none' | 'brotli';
  /** A small sample of the sort keys, when the stage samples for a later range exchange. */
  readonly samples?: readonly KeyTupleJson[];
}

/** What a finished task produced. */
export type TaskOutput =
  | ShuffleOutput
  | { readonly kind: 'result'; readonly key: string; readonly rows: number }
  /** Staged Parquet files: their keys below `<path>/_temporary/<job>/`, rows and bytes. */
  | {
      readonly kind: 'write';
      readonly files: readonly { readonly relative: string; readonly rows: number; readonly size: number }[];
      readonly rows: number;
    };

export interface TaskReport {
  readonly stage: number;
  readonly task: number;
  readonly attempt: number;
  readonly ok: boolean;
  readonly output?: TaskOutput;
  readonly error?: ErrorData;
  readonly millis: number;
  /** When the attempt started (epoch ms) and on which instance (Lambda log stream, or host:pid): the report's timeline. */
  readonly startedAt?: number;
  readonly executor?: string;
  /** Store requests and bytes of this task (all stores it touched). */
  readonly stats?: Record<string, number>;
  /** Milliseconds by phase (decode, shuffleWrite, shuffleRead, write). */
  readonly phases?: Record<string, number>;
}

export interface GroupSummary {
  readonly reports: readonly TaskReport[];
  /** Store requests and bytes of the whole invocation (tasks of a group share one stage), and its process CPU (`cpuMillis`). */
  readonly stats?: Record<string, number>;
}
