/**
 * The sizing policy. Executors per stage follow the job's goal — latency (up to 40) or
 * stability (up to 10) — auto-scaled from 1 by the stage's input bytes; workers per executor
 * follow the stage's workload type: cpu ≈ 6 (vCPUs of a 10 GB Lambda), memory ≈ 3,
 * network ≈ 24. Scans and shuffle reads default to network-bound, stages that aggregate,
 * join or sort to cpu-bound. Above 40 groups a stage needs the Distributed Map.
 */
import type { Stage } from '../../planner/stages.js';

export type Goal = 'latency' | 'stability';
export type Workload = 'cpu' | 'memory' | 'network';

export const MAX_EXECUTORS: Readonly<Record<Goal, number>> = { latency: 40, stability: 10 };
export const WORKERS: Readonly<Record<Workload, number>> = { cpu: 6, memory: 3, network: 24 };
/** Inline Map states run at most 40 iterations at once; more needs a Distributed Map. */
export const INLINE_MAP_LIMIT = 40;
/** Input bytes one executor takes on before the policy adds another. */
export const BYTES_PER_EXECUTOR = 256 * 1024 * 1024;

export interface SizingOptions {
  readonly goal?: Goal;
  /** Workload type for every stage (default: chosen per stage). */
  readonly workload?: Workload;
  /** Executors at once, overriding the goal's cap (e.g. the local pool size, or above 40). */
  readonly maxExecutors?: number;
  /** Workers per executor, overriding the workload default. */
  readonly workers?: number;
  /**
   * Executors to use at least (when there are tasks for them). On AWS the policy scales from 1;
   * locally the executor processes are already running, so a session uses all of them.
   */
  readonly minExecutors?: number;
}

export function stageWorkload(stage: Stage, opts: SizingOptions): Workload {
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
  const workers = Math.max(1, opts.workers ?? WORKERS[workload]);
  // An explicit maxExecutors overrides the goal's cap (above 40 needs the Distributed Map).
  const cap = Math.max(1, opts.maxExecutors ?? MAX_EXECUTORS[opts.goal ?? 'latency']);
  const byBytes = Math.max(1, Math.ceil(inputBytes / BYTES_PER_EXECUTOR));
  const byTasks = Math.max(1, Math.ceil(pendingTasks / workers));
  // Scale from 1 by input size, but never leave tasks waiting when a free executor could run them.
  const executors = Math.min(
    cap,
    Math.max(byBytes, Math.min(byTasks, pendingTasks), opts.minExecutors ?? 1),
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
