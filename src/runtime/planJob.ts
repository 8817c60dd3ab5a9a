/**
 * The driver's first call: analyse, optimise and plan the stage graph of a submitted job, and
 * split its scans into tasks (row groups pruned with footer statistics, grouped by bytes).
 */
import { analyze } from '../../planner/analyzer.js';
import type { Expr } from '../../planner/expr.js';
import { optimize } from '../../planner/optimizer/index.js';
import { planStages } from '../../planner/physical.js';
import { physicalRuleOn } from '../../planner/optimizer/physicalRules.js';
import { filtersAlwaysTrue, rowGroupMayMatch } from '../../planner/optimizer/rules/row_group_pruning.js';
import type { StagePlan } from '../../planner/stages.js';
import { inputPartitions, stageDeps } from '../../planner/stages.js';
import { backendOf } from '../storage/backends.js';
import type { StoreRef } from '../storage/store.js';
import { loadDatasets, PlanningIncomplete, type Datasets, type KnownFooter, type LoadOptions } from './catalog.js';
import { typedPartitionValue } from './partitions.js';
import type { RuntimeEnv } from './env.js';
import type { JobState, JobSubmission, StageState, TaskState } from './jobState.js';
import type { ScanPart, TaskInput } from './protocol.js';

const MB = 1 << 20;

export interface PlannedJob {
  readonly plan: StagePlan;
  readonly state: JobState;
  readonly prunedRowGroups: number;
}

/**
 * Scan tasks: surviving row groups, in file order, packed up to `taskBytes` of the needed
 * columns — a large file splits over several tasks, small files share one.
 */
export function splitScan(
  ds: Datasets,
  path: string,
  columns: readonly string[],
  filters: readonly Expr[],
  taskBytes: number,
): { inputs: TaskInput[]; bytes: number; pruned: number } {
  const inputs: TaskInput[] = [];
  let bytes = 0;
  let pruned = 0;
  let parts: ScanPart[] = [];
  let taskSize = 0;
  const flushTask = () => {
    if (parts.length) inputs.push({ kind: 'scan', parts, bytes: taskSize });
    parts = [];
    taskSize = 0;
  };
  const schema = ds.catalog.get(path) ?? [];
  for (const f of ds.files.get(path) ?? []) {
    const pv = f.partitionValues;
    const hasParts = Object.keys(pv).length > 0;
    if (hasParts) {
      // Partition pruning: the directory values are exact statistics of every row of the file.
      const stats = Object.fromEntries(
        Object.entries(pv).map(([k, v]) => {
          const t = schema.find((x) => x.name === k)?.type ?? 'string';
          const val = typedPartitionValue(v, t);
          return [k, { min: val, max: val, nullCount: null }];
        }),
      );
      if (!rowGroupMayMatch(filters, stats)) {
        pruned += f.footer.rowGroups.length;
        continue;
      }
    }
    let group: number[] = [];
    let skip: number[] | null = null;
    const flushPart = () => {
      if (group.length)
        parts.push({
          file: f.url,
          size: f.size,
          rowGroups: group,
          ...(hasParts ? { partitionValues: pv } : {}),
          ...(skip?.length ? { skipFilters: skip } : {}),
        });
      group = [];
      skip = null;
    };
    for (const rg of f.footer.rowGroups) {
      if (!rowGroupMayMatch(filters, rg.stats)) {
        pruned++;
        continue;
      }
      const b = columns.reduce((a, c) => a + (rg.bytes[c] ?? 0), 0);
      if (taskSize > 0 && taskSize + b > taskBytes) {
        flushPart();
        flushTask();
      }
      // Filters that the footer statistics prove true for every row need not run at all.
      const always = filtersAlwaysTrue(filters, rg.stats);
      skip = skip === null ? always : skip.filter((i) => always.includes(i));
      group.push(rg.index);
      taskSize += b;
      bytes += b;
    }
    flushPart();
  }
  flushTask();
  return { inputs, bytes, pruned };
}

export async function planJob(
  jobId: string,
  sub: JobSubmission,
  env: RuntimeEnv,
  storeRef: StoreRef,
  load: LoadOptions = {},
): Promise<PlannedJob | { incomplete: KnownFooter[] }> {
  let ds: Datasets;
  try {
    ds = await loadDatasets(sub.plan.root, env, storeRef, { ...load, onlyFiles: sub.options.onlyFiles });
  } catch (e) {
    if (e instanceof PlanningIncomplete) return { incomplete: e.footers };
    throw e;
  }
  const analyzed = analyze(sub.plan.root, ds.catalog);
  const optimized = optimize(analyzed, ds.catalog, {
    disabledRules: sub.options.disabledRules ?? [],
    columnBytes: ds.columnBytes,
    columnRanges: ds.columnRanges,
    broadcastThreshold: sub.options.broadcastThreshold,
  });
  // Size tasks and exchanges from the bytes the scans will read: tasks of at most 64 MiB, and
  // at least two per executor when the input allows, so every executor has work.
  const probe = planStages(optimized, ds.catalog, { shufflePartitions: 1 });
  let scanBytes = 0;
  for (const s of probe.stages)
    if (s.source.kind === 'scan')
      scanBytes += splitScan(ds, s.source.path, s.source.columns, s.source.filters, Infinity).bytes;
  const executors = Math.max(1, sub.options.maxExecutors ?? 40);
  const taskBytes = sub.options.taskBytes ?? Math.max(1, Math.min(64 * MB, Math.ceil(scanBytes / (2 * executors))));
  const shufflePartitions =
    sub.options.shufflePartitions ?? Math.min(200, Math.max(2, Math.ceil(scanBytes / (128 * MB))));
  const disabledRules = sub.options.disabledRules ?? [];
  const plan = {
    ...planStages(optimized, ds.catalog, { shufflePartitions, disabledRules }, sub.plan.sink),
    udfs: sub.plan.udfs ?? null,
    parameters: sub.options.parameters ?? [],
    shuffleCodec: sub.options.shuffleCodec ?? backendOf(storeRef).shuffleCodec,
  };

  let prunedRowGroups = 0;
  const stages: StageState[] = plan.stages.map((s) => {
    if (s.source.kind !== 'scan') return { id: s.id, status: 'waiting', tasks: [] };
    const split = splitScan(
      ds,
      s.source.path,
      s.source.columns,
      physicalRuleOn('row_group_pruning', disabledRules) ? s.source.filters : [],
      taskBytes,
    );
    prunedRowGroups += split.pruned;
    // A scan with every row group pruned still runs one empty task so the stage has an output.
    const inputs = split.inputs.length ? split.inputs : [{ kind: 'scan' as const, parts: [], bytes: 0 }];
    return {
      id: s.id,
      status: stageDeps(s).length ? 'waiting' : 'running',
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
