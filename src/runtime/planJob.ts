/**
 * Planning a job. `planQuery` is the one planning function: analyse, optimise, size exchanges
 * and scan tasks from the bytes the scans will read, and plan the stage graph. The driver's
 * first call runs it (`planJob`, which then splits the scans into tasks) and `explain()` shows
 * what it returns, so the staged plan shown is the plan that runs.
 */
import { analyze } from '../../planner/analyzer.js';
import type { Expr } from '../../planner/expr.js';
import { optimize } from '../../planner/optimizer/index.js';
import { physicalRuleOn } from '../../planner/optimizer/physicalRules.js';
import { planStages } from '../../planner/physical.js';
import type { PlanDocument, PlanNode } from '../../planner/plan.js';
import type { Stage, StagePlan } from '../../planner/stages.js';
import { deferredStages, inputPartitions, stageAsRun, stageDeps, unreadStages } from '../../planner/stages.js';
import { rangedJoins } from '../../planner/buildRanges.js';
import { inlineBroadcasts } from '../../planner/optimizer/rules/inline_broadcast_scans.js';
import { type ScanInput, type ScanSplit, type SplitFile, splitScan } from '../../planner/tasks.js';
import { backendOf } from '../storage/backends.js';
import type { StoreRef } from '../storage/store.js';
import {
  loadDatasets,
  PlanningIncomplete,
  takeHandedOverDatasets,
  type Datasets,
  type KnownFooter,
  type LoadOptions,
} from './catalog.js';
import type { RuntimeEnv } from './env.js';
import type { JobOptions, JobState, JobSubmission, StageState, TaskState } from './jobState.js';
import type { TaskInput } from './protocol.js';
import { shufflePartitionsFor, taskBytesFor } from './sizing.js';

/** A planned query: what `explain()` shows and the driver runs. */
export interface QueryPlan {
  /** The rules planning ran without (by name). */
  readonly disabledRules: readonly string[];
  readonly analyzed: PlanNode;
  readonly optimized: PlanNode;
  readonly plan: StagePlan;
  /** Compressed bytes of the columns the scans read, over the row groups that survive pruning. */
  readonly scanBytes: number;
}

export interface PlannedJob {
  readonly plan: StagePlan;
  readonly state: JobState;
  readonly prunedRowGroups: number;
}

/** A dataset's files as task splitting sees them. */
function splitFiles(ds: Datasets, path: string): SplitFile[] {
  return (ds.files.get(path) ?? []).map((f) => ({
    url: f.url,
    size: f.size,
    rowGroups: f.footer.rowGroups,
    partitionValues: f.partitionValues,
    columns: f.footer.schema.map((c) => c.name),
  }));
}

/**
 * Split one scan stage of a plan into tasks of about `taskBytes`, with the bounds of
 * `rangeColumns` where they are narrow (planner/buildRanges.ts).
 */
function splitStage(
  ds: Datasets,
  stage: Stage,
  taskBytes: number,
  disabledRules: readonly string[],
  rangeColumns: readonly string[] = [],
): ScanSplit {
  if (stage.source.kind !== 'scan') return { inputs: [], bytes: 0, pruned: 0 };
  const { path, columns, filters } = stage.source;
  const prune: readonly Expr[] = physicalRuleOn('row_group_pruning', disabledRules) ? filters : [];
  return splitScan(splitFiles(ds, path), ds.catalog.get(path) ?? [], columns, prune, taskBytes, rangeColumns);
}

/**
 * The probe columns of the ranged joins that run over a scan stage's tasks: its own, and those
 * of an adaptive join's form that takes its tasks over (the same scan).
 */
function rangeColumnsOf(plan: StagePlan, stage: Stage): string[] {
  const readers = plan.stages.filter((s) => s.adaptive?.kind === 'join' && s.adaptive.deferredStage === stage.id);
  const joins = [stage, ...readers.map((s) => stageAsRun(s, true))].flatMap(rangedJoins);
  return [...new Set(joins.map((j) => j.probe))];
}

/**
 * The one planning function (driver and explain): the plan document's query over the datasets'
 * footers, with the job's options. Same footers, same options, same `now` → the same staged plan.
 * `now` (epoch ms) is the job's current time: current_timestamp() and friends become it.
 */
export function planQuery(
  doc: PlanDocument,
  ds: Datasets,
  options: JobOptions,
  storeRef: StoreRef,
  now = Date.now(),
): QueryPlan {
  const disabledRules = options.disabledRules ?? [];
  const analyzed = analyze(doc.root, ds.catalog, { timeZone: options.timeZone ?? 'UTC', now });
  const optimized = optimize(analyzed, ds.catalog, {
    disabledRules,
    columnBytes: ds.columnBytes,
    columnRanges: ds.columnRanges,
    broadcastThreshold: options.broadcastThreshold,
  });
  // Size tasks and exchanges from the bytes the scans will read (a probe plan: the scans do not
  // depend on the exchanges' width). The probe is planned with the width of no bytes (the job's
  // own, else the least any bytes ask for): it is the plan when the bytes ask for no more (a small
  // job's, or a job that sets its width), planned once.
  const broadcastThreshold = options.broadcastThreshold;
  const sizes = { disabledRules, broadcastThreshold, columnBytes: ds.columnBytes, columnRanges: ds.columnRanges };
  const probeWidth = shufflePartitionsFor(0, options);
  const probe = planStages(optimized, ds.catalog, { shufflePartitions: probeWidth, ...sizes }, doc.sink);
  const scanBytes = probe.stages.reduce((a, s) => a + splitStage(ds, s, Infinity, disabledRules).bytes, 0);
  const shufflePartitions = shufflePartitionsFor(scanBytes, options);
  let staged =
    shufflePartitions === probeWidth
      ? probe
      : planStages(optimized, ds.catalog, { shufflePartitions, ...sizes }, doc.sink);
  if (physicalRuleOn('inline_broadcast_scans', disabledRules) && (broadcastThreshold ?? 1) > 0)
    staged = inlineBroadcasts(staged, (s) => splitStage(ds, s, Infinity, disabledRules));
  const plan: StagePlan = {
    ...staged,
    udfs: doc.udfs ?? null,
    parameters: options.parameters ?? [],
    shuffleCodec: options.shuffleCodec ?? backendOf(storeRef).shuffleCodec,
  };
  return { disabledRules, analyzed, optimized, plan, scanBytes };
}

/**
 * The driver's first call: read the datasets' footers (or as many as this call may), plan the
 * query, and split its scans into tasks — the job's initial state.
 */
export async function planJob(
  jobId: string,
  sub: JobSubmission,
  env: RuntimeEnv,
  storeRef: StoreRef,
  load: LoadOptions = {},
): Promise<PlannedJob | { incomplete: KnownFooter[] }> {
  // Loaded by the client that submitted the job, when it runs here (catalog.ts handOverDatasets).
  const handed = takeHandedOverDatasets(jobId);
  let ds: Datasets;
  try {
    ds =
      handed && !sub.options.onlyFiles && !sub.options.footersPerCall
        ? handed
        : await loadDatasets(sub.plan.root, env, storeRef, { ...load, onlyFiles: sub.options.onlyFiles });
  } catch (e) {
    if (e instanceof PlanningIncomplete) return { incomplete: e.footers };
    throw e;
  }
  // The job's current time is its submission's: the same in every task and every driver retry.
  const { plan } = planQuery(sub.plan, ds, sub.options, storeRef, Date.parse(sub.submittedAt));
  const taskBytes = (stageBytes: number) => taskBytesFor(stageBytes, sub.options);
  const disabledRules = sub.options.disabledRules ?? [];
  let prunedRowGroups = 0;
  // A scan that is an adaptive join's deferred side waits for the join's small side.
  const deferred = deferredStages(plan);
  // A stage whose readers read its scan themselves (inline_broadcast_scans) is not run.
  const unread = unreadStages(plan);
  const now = Date.now();
  const stages: StageState[] = plan.stages.map((s) => {
    if (unread.has(s.id))
      return { id: s.id, status: 'done', tasks: [], skipped: true, startedAt: now, finishedAt: now };
    if (s.source.kind !== 'scan') return { id: s.id, status: 'waiting', tasks: [] };
    // Each scan is sized by its own bytes (not the job's): every scan, small or large, has
    // even tasks for all the executors, so no executor waits on another's remainder.
    const bytes = splitStage(ds, s, Infinity, disabledRules).bytes;
    const split = splitStage(ds, s, taskBytes(bytes), disabledRules, rangeColumnsOf(plan, s));
    prunedRowGroups += split.pruned;
    // A scan with every row group pruned still runs one empty task so the stage has an output.
    const inputs: readonly ScanInput[] = split.inputs.length ? split.inputs : [{ kind: 'scan', parts: [], bytes: 0 }];
    return {
      id: s.id,
      status: stageDeps(s).length || deferred.has(s.id) ? 'waiting' : 'running',
      tasks: inputs.map((input, task) => newTask(task, input)),
    };
  });
  const state: JobState = {
    jobId,
    status: 'running',
    round: 0,
    appliedRound: 0,
    stages,
    startedAt: Date.now(),
    prunedRowGroups,
  };
  return { plan, state, prunedRowGroups };
}

export function newTask(task: number, input: TaskInput): TaskState {
  return { task, input, attempt: -1, status: 'pending', failures: 0 };
}

/** Reduce tasks of a stage whose producers are done: one per input partition. */
export function reduceTasks(plan: StagePlan, stageId: number): TaskState[] {
  const n = inputPartitions(plan, plan.stages[stageId]!);
  return Array.from({ length: n }, (_, r) => newTask(r, { kind: 'shuffle', partition: r }));
}
