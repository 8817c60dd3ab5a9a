/**
 * The physical plan: a graph of stages. A stage reads one source (Parquet row groups or one
 * shuffle partition), runs a linear pipeline of operators, and ends at an exchange (hash or
 * single-partition shuffle) or at the job's sink. All plain JSON.
 */
import type { AggOptions } from './aggregates.js';
import type { AggFn, Expr } from './expr.js';
import type { SortKey } from './plan.js';
import type { DataType, Schema } from './types.js';

export interface AggCall {
  readonly fn: AggFn;
  readonly arg: Expr | null;
  /** Output column name of the aggregate value (internal: `__agg<i>`). */
  readonly name: string;
  readonly argType: DataType | null;
  readonly outType: DataType;
  /** Column arguments after the first (corr's second, a UDAF's others) and their types. */
  readonly more?: readonly Expr[];
  readonly moreTypes?: readonly DataType[];
  readonly options?: AggOptions;
}

export type PhysicalOp =
  | { readonly op: 'Filter'; readonly predicate: Expr; readonly schema: Schema }
  | { readonly op: 'Project'; readonly exprs: readonly Expr[]; readonly schema: Schema }
  | {
      readonly op: 'HashAggregate';
      readonly mode: 'partial' | 'final' | 'single';
      readonly keys: readonly Expr[];
      readonly aggs: readonly AggCall[];
      /** Rows must satisfy these (the scan's filters, evaluated here without gathering rows). */
      readonly filter?: readonly Expr[];
      readonly schema: Schema;
    }
  | { readonly op: 'Sort'; readonly keys: readonly SortKey[]; readonly schema: Schema }
  | { readonly op: 'TopN'; readonly keys: readonly SortKey[]; readonly n: number; readonly schema: Schema }
  | { readonly op: 'Limit'; readonly n: number; readonly schema: Schema }
  /** Each input row once per projection (grouping sets: one copy per set). */
  | { readonly op: 'Expand'; readonly projections: readonly (readonly Expr[])[]; readonly schema: Schema }
  /** Bernoulli sample: a generator seeded by `seed` and the task's partition draws one number per row. */
  | { readonly op: 'Sample'; readonly fraction: number; readonly seed: number; readonly schema: Schema }
  /** Window functions over rows sorted by partition keys then order keys (planner/windowPhysical.ts). */
  | {
      readonly op: 'Window';
      readonly partitionBy: readonly Expr[];
      readonly orderBy: readonly SortKey[];
      readonly calls: readonly import('./window.js').WindowCall[];
      readonly schema: Schema;
    }
  | {
      readonly op: 'MapRows';
      readonly name: string;
      readonly mode: 'map' | 'flatMap' | 'batches';
      readonly schema: Schema;
    }
  | {
      readonly op: 'HashJoin';
      /** Join type from the probe side's point of view (right joins are planned as left joins). */
      readonly type: 'inner' | 'left' | 'full' | 'left_semi' | 'left_anti';
      readonly probeKeys: readonly Expr[];
      readonly buildKeys: readonly Expr[];
      /** Non-equi part of the condition, over probe ++ build columns. */
      readonly residual: Expr | null;
      readonly build: BuildSide;
      /** Emit the build side's columns first (the sides were swapped to build on the left). */
      readonly buildFirst?: boolean;
      /**
       * Rule runtime_filter: the probe keys are computed from the stage's scan columns unchanged, so
       * the scan drops rows whose keys the build side lacks before decoding the other columns.
       */
      readonly scanFilter?: boolean;
      readonly schema: Schema;
    };

/**
 * Where a join's build side comes from: all of a single-partition stage, the same partition, or
 * (`scan`, rule inline_broadcast_scans) the stage's own scan pipeline run inside the reading
 * task over `parts` — that stage is then not run.
 */
export interface BuildSide {
  readonly kind: 'broadcast' | 'partitioned' | 'scan';
  readonly stage: number;
  readonly schema: Schema;
  /** A broadcast of a stage with several output partitions reads them all (adaptive joins). */
  readonly partitions?: number;
  /** `scan`: the row groups the stage's scan reads. */
  readonly parts?: readonly import('./tasks.js').ScanPart[];
  /** `scan` of a stage that reads a shuffle (a global aggregate's final step): the stages it reads, read here. */
  readonly reads?: readonly number[];
}

/**
 * Adaptive broadcast (physical rule `adaptive_broadcast`): a stage whose shuffled join has one
 * side of a size the planner cannot know (behind a HAVING filter or a semi join) and the other
 * side read straight from files. The file side's stage (`deferredStage`) waits until the
 * uncertain side's stage (`smallStage`) is done; if that side's shuffle output is at most
 * `maxBytes`, the driver runs this stage as `source` + `ops` instead — the file side's scan and
 * operators, the join with the small side broadcast, then the rest of the stage — and never
 * runs `deferredStage` (its rows are never shuffled). Otherwise both run as planned.
 */
export interface AdaptiveJoin {
  readonly kind: 'join';
  readonly smallStage: number;
  readonly deferredStage: number;
  readonly maxBytes: number;
  readonly source: StageSource;
  readonly ops: readonly PhysicalOp[];
}

/**
 * Adaptive sort (physical rule `adaptive_sort`): a global sort runs as three stages — its input
 * written with a key sample, range-partitioned, each range sorted (this stage) — and a global
 * limit as two (a top-n per task, gathered, this stage's top-n). When the stages the first of
 * them reads (`inputStages`) turn out to have written at most `maxBytes`, the driver runs this
 * stage as one task instead: `source` + `ops` are the first stage's pipeline over every input
 * partition, then this stage's (the sort and what follows); the `skipped` stages never run. Two
 * rounds fewer for a small sorted result, one for a small top-n.
 */
export interface AdaptiveSort {
  readonly kind: 'sort';
  readonly inputStages: readonly number[];
  readonly skipped: readonly number[];
  readonly maxBytes: number;
  readonly source: StageSource;
  readonly ops: readonly PhysicalOp[];
}

export type OpName = PhysicalOp['op'];

export type StageSource =
  | {
      readonly kind: 'scan';
      readonly path: string;
      /** Columns read from the files (projection pushdown). */
      readonly columns: readonly string[];
      /** Conjuncts evaluated right after decode; also used to prune row groups. */
      readonly filters: readonly Expr[];
      readonly schema: Schema;
      /** Hive-style partition columns (from `key=value` directories), not stored in the files. */
      readonly partitionColumns?: readonly string[];
      /** The filters prune row groups here but are evaluated by the aggregate right after the scan. */
      readonly filtersInAggregate?: boolean;
      /** Arrow IPC files (the session cache's copies) instead of Parquet. */
      readonly arrow?: boolean;
      /** CSV / NDJSON files: their options and every column of the dataset (the files' layout). */
      readonly text?: { readonly options: import('./textFormat.js').TextReadOptions; readonly fields: Schema };
    }
  /** One partition of the outputs of one or more stages (several for a union). */
  | { readonly kind: 'shuffle'; readonly stages: readonly number[]; readonly schema: Schema };

export type Partitioning =
  | { readonly kind: 'hash'; readonly keys: readonly Expr[]; readonly n: number }
  | { readonly kind: 'roundrobin'; readonly n: number }
  /** By sort key ranges; the boundaries come from a sample, chosen by the driver at run time. */
  | { readonly kind: 'range'; readonly keys: readonly SortKey[]; readonly n: number }
  | { readonly kind: 'single' };

export const partitionCount = (p: Partitioning): number => (p.kind === 'single' ? 1 : p.n);

export type StageOutput =
  /** `sample`: each map task also reports a small random sample of these sort keys. */
  | { readonly kind: 'shuffle'; readonly partitioning: Partitioning; readonly sample?: readonly SortKey[] }
  | { readonly kind: 'result' }
  /** Files staged under `<path>/_temporary/<job>/` (Parquet, or CSV / NDJSON with `text`), made visible by the job commit. */
  | {
      readonly kind: 'write';
      readonly path: string;
      readonly partitionBy: readonly string[];
      readonly text?: import('./textFormat.js').TextWriteOptions;
      /** Arrow IPC files (the session cache's copies) instead of Parquet. */
      readonly arrow?: boolean;
    };

export interface Stage {
  readonly id: number;
  readonly source: StageSource;
  readonly ops: readonly PhysicalOp[];
  readonly output: StageOutput;
  /** Schema of the rows the stage emits. */
  readonly schema: Schema;
  /** The form the driver may run instead, once a join side's or a sort input's real size is known. */
  readonly adaptive?: AdaptiveJoin | AdaptiveSort;
}

/** The stage as a task runs it: its adaptive broadcast form when the driver chose that. */
export function stageAsRun(stage: Stage, adaptive: boolean | undefined): Stage {
  if (!adaptive || !stage.adaptive) return stage;
  const { adaptive: a, ...rest } = stage;
  return { ...rest, source: a.source, ops: a.ops };
}

export interface StagePlan {
  readonly stages: readonly Stage[];
  /** Encoding of shuffle partitions (compressed when the shuffle crosses a network store). */
  readonly shuffleCodec?: 'none' | 'brotli';
  /** Names of the parameters (secrets) the job's functions may read. */
  readonly parameters?: readonly string[];
  /** The job's user-code bundle, if it uses registered functions. */
  readonly udfs?: import('./plan.js').UdfBundleRef | null;
  /** The stage whose output is the job's result. */
  readonly resultStage: number;
  /** Final column names (the user-visible schema). */
  readonly schema: Schema;
}

/** The stages a stage reads: its shuffle source and its joins' build sides. */
export function stageDeps(stage: Stage): number[] {
  const deps = stage.source.kind === 'shuffle' ? [...stage.source.stages] : [];
  for (const op of stage.ops)
    if (op.op === 'HashJoin') deps.push(...(op.build.kind !== 'scan' ? [op.build.stage] : (op.build.reads ?? [])));
  return deps;
}

/** The stage with every stage id it names (source, build sides, adaptive form) mapped by `f`. */
export function mapStageRefs(stage: Stage, f: (id: number) => number): Stage {
  const ops = (list: readonly PhysicalOp[]): PhysicalOp[] =>
    list.map((op) =>
      op.op === 'HashJoin'
        ? {
            ...op,
            build: {
              ...op.build,
              stage: f(op.build.stage),
              ...(op.build.reads ? { reads: op.build.reads.map(f) } : {}),
            },
          }
        : op,
    );
  const source = (src: StageSource): StageSource =>
    src.kind === 'shuffle' ? { ...src, stages: src.stages.map(f) } : src;
  const a = stage.adaptive;
  return {
    ...stage,
    source: source(stage.source),
    ops: ops(stage.ops),
    ...(a?.kind === 'join'
      ? {
          adaptive: {
            ...a,
            smallStage: f(a.smallStage),
            deferredStage: f(a.deferredStage),
            source: source(a.source),
            ops: ops(a.ops),
          },
        }
      : a?.kind === 'sort'
        ? {
            adaptive: {
              ...a,
              inputStages: a.inputStages.map(f),
              skipped: a.skipped.map(f),
              source: source(a.source),
              ops: ops(a.ops),
            },
          }
        : {}),
  };
}

/** Stages nothing reads (build sides inlined into their readers): they are not run. */
export function unreadStages(plan: StagePlan): Set<number> {
  const read = new Set<number>([plan.resultStage]);
  for (const s of plan.stages) {
    for (const d of stageDeps(s)) read.add(d);
    if (s.adaptive) for (const d of stageDeps(stageAsRun(s, true))) read.add(d);
    if (s.adaptive?.kind === 'join') read.add(s.adaptive.deferredStage);
  }
  return new Set(plan.stages.filter((s) => !read.has(s.id)).map((s) => s.id));
}

/** Stages that wait for an adaptive join's small side before they may start: deferred → small. */
export function deferredStages(plan: StagePlan): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of plan.stages)
    if (s.adaptive?.kind === 'join') out.set(s.adaptive.deferredStage, s.adaptive.smallStage);
  return out;
}

/** Partition count of a stage's input: the producing stage's exchange width (1 for single). */
export function inputPartitions(plan: StagePlan, stage: Stage): number {
  if (stage.source.kind !== 'shuffle') return 0;
  const producer = plan.stages[stage.source.stages[0]!]!;
  if (producer.output.kind !== 'shuffle') return 0;
  return partitionCount(producer.output.partitioning);
}
