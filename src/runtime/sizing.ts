/**
 * The sizing policy. Executors per stage follow the job's cap (`executorCap`: the user's
 * maxExecutors, else the goal's — latency 40, stability 10), auto-scaled from 1 by the stage's
 * input bytes; workers per executor
 * follow the stage's workload type: cpu ≈ 6 (vCPUs of a 10 GB Lambda), memory ≈ 3,
 * network ≈ 24 (a local executor process: 2). Scans and shuffle reads default to network-bound, stages that aggregate,
 * join or sort to cpu-bound. Above 40 groups a stage needs the Distributed Map.
 */
import type { Stage } from '../../planner/stages.js';

export type Goal = 'latency' | 'stability';
export type Workload = 'cpu' | 'memory' | 'network';

const MAX_EXECUTORS: Readonly<Record<Goal, number>> = { latency: 40, stability: 10 };
const WORKERS: Readonly<Record<Workload, number>> = { cpu: 6, memory: 3, network: 24 };
/**
 * Workers per local executor process (a runner with executorSlots). A local executor is one
 * JavaScript thread: tasks interleaved beyond two only overlap I/O, while each holds its decoded
 * row groups, aggregation state and buffered shuffle output, so memory grew with the workload's
 * 6 or 24 (SF10: executors past 4 GB, GC-bound).
 */
export const LOCAL_WORKERS = 2;
/** Inline Map states run at most 40 iterations at once; more needs a Distributed Map. */
export const INLINE_MAP_LIMIT = 40;
/** Input bytes one executor takes on before the policy adds another. */
export const BYTES_PER_EXECUTOR = 256 * 1024 * 1024;
const MB = 1 << 20;
/** Largest scan task (compressed bytes of the columns read). */
export const MAX_TASK_BYTES = 64 * MB;
/**
 * Scan bytes per shuffle partition when the job does not set `shufflePartitions`. Scan bytes are
 * compressed: a partition of TPC-H lineitem columns holds ~5x as many bytes once decoded, and a
 * reduce task holds its whole partition (a join's build side, an aggregate's groups). At 128 MiB
 * SF10 partitions held 0.6-0.7 GB each and two interleaved tasks took executors past 1.5 GB.
 */
export const BYTES_PER_SHUFFLE_PARTITION = 32 * MB;
/** Widest default hash exchange. */
export const MAX_SHUFFLE_PARTITIONS = 200;

/** The sizing options of a job (part of its JobOptions). */
export interface SizingOptions {
  /** 'latency' (up to 40 executors, the default) or 'stability' (up to 10). */
  readonly goal?: Goal;
  /** Workload type for every stage (default: network for scans and shuffle reads, cpu for aggregation). */
  readonly workload?: Workload;
  /** Executors at once: the user's cap, taken over the goal's (above 40 needs the Distributed Map). */
  readonly maxExecutors?: number;
  /** Workers per executor, overriding the workload default. */
  readonly workers?: number;
  /**
   * Executor processes the runner keeps warm (local mode; unset on AWS, where the policy scales
   * from 1). A stage uses all of them when it has tasks for them, and the goal's cap never
   * exceeds them; an explicit maxExecutors still may (the runner queues the extra groups).
   */
  readonly executorSlots?: number;
}

/**
 * The one place the executor cap is decided: the user's maxExecutors if given, else the goal's
 * (latency 40, stability 10), within the runner's warm executors when it has a fixed number.
 * @example executorCap({ goal: 'stability' }) // 10
 */
export function executorCap(opts: SizingOptions): number {
  const goalCap = Math.min(MAX_EXECUTORS[opts.goal ?? 'latency'], opts.executorSlots ?? Infinity);
  return Math.max(1, opts.maxExecutors ?? goalCap);
}

/**
 * Width of the job's hash exchanges: the user's, else one partition per 32 MiB the scans read
 * (at least 2, at most 200), so partitions keep their size as the data grows. Once there are
 * more partitions than executors, a multiple of the executor cap: every executor gets the same
 * number of reduce tasks.
 * @example shufflePartitionsFor(1000 << 20, { maxExecutors: 4 }) // 32 (32 MiB each → 32, a multiple of 4)
 */
export function shufflePartitionsFor(
  scanBytes: number,
  opts: SizingOptions & { readonly shufflePartitions?: number },
): number {
  if (opts.shufflePartitions !== undefined) return opts.shufflePartitions;
  const n = Math.min(MAX_SHUFFLE_PARTITIONS, Math.max(2, Math.ceil(scanBytes / BYTES_PER_SHUFFLE_PARTITION)));
  const executors = executorCap(opts);
  if (n <= executors) return n;
  const even = Math.ceil(n / executors) * executors;
  return even <= MAX_SHUFFLE_PARTITIONS
    ? even
    : Math.max(executors, Math.floor(MAX_SHUFFLE_PARTITIONS / executors) * executors);
}

/**
 * Target bytes of a task of one scan reading `scanBytes`: the user's, else an even share of the
 * scan of at most 64 MiB a task. On AWS, at least two tasks per executor the cap allows (an
 * executor runs several workers). With a runner's warm executor processes (executorSlots), whose
 * count the cap then is: at least one task per executor — a local executor is one thread, where a
 * second task only interleaves with the first and adds its fixed costs (its output object, its
 * pipeline, its partial aggregate's table) — and a multiple of the executors, so each gets the
 * same number (SF10 lineitem's 11 tasks at 2 executors were 6 against 5; now 12).
 * @example taskBytesFor(100 << 20, { maxExecutors: 2 }) // 25 MiB: four even tasks
 * @example taskBytesFor(100 << 20, { executorSlots: 2 }) // 50 MiB: one task per local executor
 */
export function taskBytesFor(scanBytes: number, opts: SizingOptions & { readonly taskBytes?: number }): number {
  if (opts.taskBytes !== undefined) return opts.taskBytes;
  const cap = executorCap(opts);
  const local = opts.executorSlots !== undefined;
  const least = Math.max((local ? 1 : 2) * cap, Math.ceil(scanBytes / MAX_TASK_BYTES));
  const tasks = local ? Math.ceil(least / cap) * cap : least;
  return Math.max(1, Math.ceil(scanBytes / tasks));
}

function stageWorkload(stage: Stage, opts: SizingOptions): Workload {
  if (opts.workload) return opts.workload;
  return stage.ops.some((o) => o.op === 'HashAggregate' || o.op === 'HashJoin' || o.op === 'Sort' || o.op === 'TopN')
    ? 'cpu'
    : 'network';
}

export interface StageSizing {
  readonly workload: Workload;
  readonly workers: number;
  /** Executors to use (= groups when tasks allow). */
  readonly executors: number;
  /** Tasks per group. */
  readonly tasksPerGroup: number;
  readonly groups: number;
  readonly distributed: boolean;
}

export function sizeStage(stage: Stage, pendingTasks: number, inputBytes: number, opts: SizingOptions): StageSizing {
  const workload = stageWorkload(stage, opts);
  const workers = Math.max(1, opts.workers ?? (opts.executorSlots !== undefined ? LOCAL_WORKERS : WORKERS[workload]));
  const cap = executorCap(opts);
  const byBytes = Math.max(1, Math.ceil(inputBytes / BYTES_PER_EXECUTOR));
  const byTasks = Math.max(1, Math.ceil(pendingTasks / workers));
  // Scale from 1 by input size, but never leave tasks waiting when a free executor could run them.
  const executors = Math.min(
    cap,
    Math.max(byBytes, Math.min(byTasks, pendingTasks), opts.executorSlots ?? 1),
    pendingTasks || 1,
  );
  const tasksPerGroup = Math.max(1, Math.ceil(pendingTasks / executors));
  const groups = Math.ceil(pendingTasks / tasksPerGroup);
  return {
    workload,
    workers: Math.min(workers, tasksPerGroup),
    executors,
    tasksPerGroup,
    groups,
    distributed: groups > INLINE_MAP_LIMIT,
  };
}
