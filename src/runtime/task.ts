/**
 * One task: runs a stage's pipeline from its source (Parquet row groups or a shuffle
 * partition) to its sink (one shuffle object, one result part, or staged Parquet files) under
 * an attempt-unique key.
 */
import { randomBytes } from 'node:crypto';
import { ExecutionError } from '../../planner/errors.js';
import { type BuildSide, type Stage, type StagePlan, stageAsRun } from '../../planner/stages.js';
import { encodeIpc } from '../../operators/arrow.js';
import { ShuffleWriter } from '../../operators/exchange.js';
import { KeySampler } from '../../operators/rangepart.js';
import { encodeParquet, splitByPartition } from '../../operators/parquetWrite.js';
import { stagedKey } from './commitRecord.js';
import { buildOperators, runPipeline } from '../../operators/pipeline.js';
import { type ScanSpec, scanRowGroups } from '../../operators/scan.js';
import { withBuildFilters, withKeyFilters } from '../../operators/runtimeFilter.js';
import { scanText } from '../../operators/textScan.js';
import { scanArrow } from '../../operators/arrowScan.js';
import { encodeText } from '../../operators/textWrite.js';
import { FORMAT_EXTENSION } from '../../planner/textFormat.js';
import type { Schema } from '../../planner/types.js';
import type { OperatorContext } from '../../operators/operator.js';
import type { Batch } from '../../operators/vector.js';
import { vecFromValues } from '../../operators/vector.js';
import { compileConjunction, filterBatch } from '../../operators/filter.js';
import type { RangeReader } from '../../operators/parquet.js';
import { referencedColumns } from '../../planner/expr.js';
import { type RangedJoin, rangedJoinOf, rangedJoins } from '../../planner/buildRanges.js';
import { type ScanInput, type ScanPart, typedPartitionValue } from '../../planner/tasks.js';
import { locate } from '../storage/url.js';
import { getJson, type ObjectStore } from '../storage/store.js';
import { rangeReader } from './files.js';
import type { RuntimeEnv } from './env.js';
import { addTime, timed } from '../../operators/metrics.js';
import { jobKeys } from './jobState.js';
import type { ExecutorEvent, TaskOutput, TaskSpec } from './protocol.js';
import { readShufflePartition, readShufflePartitions } from './shuffleRead.js';
import { functionTables, loadBundle } from './bundle.js';
import { rowsWithin } from './narrowBuild.js';

/** Per-instance cache of immutable job documents (stage plans), keyed by store and job. */
const planCache = new Map<string, StagePlan>();

export async function stagePlan(store: ObjectStore, jobId: string): Promise<StagePlan> {
  const key = `${store.url}|${jobId}`;
  let p = planCache.get(key);
  if (!p) {
    p = await getJson<StagePlan>(store, jobKeys(jobId).stages);
    if (planCache.size > 16) planCache.clear();
    planCache.set(key, p);
  }
  return p;
}

export const nonce = () => randomBytes(4).toString('hex');

/**
 * Stage the task's Parquet files under `<path>/_temporary/<job>/`; the job commit makes them the
 * dataset's next version. Task 0 stages a schema-only file when it has no rows, kept by the
 * commit only if the whole job wrote none (a 0-row write still leaves a readable dataset).
 */
async function writeFiles(
  stage: Stage,
  output: Extract<Stage['output'], { kind: 'write' }>,
  batches: Batch[],
  rows: number,
  task: TaskSpec,
  event: ExecutorEvent,
  env: RuntimeEnv,
): Promise<TaskOutput> {
  const files: { relative: string; rows: number; size: number }[] = [];
  const text = output.text;
  const encode = (schema: Schema, batches: readonly Batch[]) =>
    text
      ? encodeText(schema, batches, text)
      : output.arrow
        ? encodeIpc(schema, batches)
        : encodeParquet(schema, batches);
  const ext = FORMAT_EXTENSION[text?.format ?? (output.arrow ? 'arrow' : 'parquet')];
  const name = () => `part-${String(task.task).padStart(5, '0')}.${task.attempt}.${nonce()}.${ext}`;
  const stageFile = async (relative: string, body: Uint8Array, n: number) => {
    const at = stagedKey(output.path, event.job.jobId, relative, event.job.store);
    await env.store(at.ref).put(at.key, body);
    files.push({ relative, rows: n, size: body.byteLength });
  };
  if (rows === 0) {
    if (task.task === 0) await stageFile(name(), encode(stage.schema, []), 0);
    return { kind: 'write', files, rows: 0 };
  }
  for (const part of splitByPartition(stage.schema, batches, output.partitionBy))
    await stageFile(`${part.dir ? `${part.dir}/` : ''}${name()}`, encode(part.schema, [part.batch]), part.batch.length);
  return { kind: 'write', files, rows };
}

/** Scan the file's own columns, then add the partition columns as constants, in schema order. */
async function* withPartitionColumns(
  reader: RangeReader,
  rowGroups: readonly number[],
  src: Extract<Stage['source'], { kind: 'scan' }> & { readonly prefilter?: boolean },
  pv: Readonly<Record<string, string | null>>,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  const fileSchema = src.schema.filter((f) => !(f.name in pv));
  const prefilter = src.prefilter ?? false;
  const fileFilters = src.filters.filter((e) => [...referencedColumns(e)].every((c) => !(c in pv)));
  const partFilters = src.filters.filter((e) => !fileFilters.includes(e));
  const spec = { columns: fileSchema.map((f) => f.name), filters: fileFilters, schema: fileSchema, prefilter };
  const filter = partFilters.length ? compileConjunction(partFilters, src.schema, ctx.udfs) : null;
  for await (const b of scanFile(reader, rowGroups, spec, src.text, ctx, src.arrow)) {
    const cols = src.schema.map((f) =>
      f.name in pv
        ? vecFromValues(f.type, new Array(b.length).fill(typedPartitionValue(pv[f.name]!, f.type)))
        : b.columns[fileSchema.findIndex((x) => x.name === f.name)]!,
    );
    let out: Batch = { schema: src.schema, columns: cols, length: b.length };
    if (filter) out = filterBatch(out, filter);
    if (out.length) yield out;
  }
}

/** One file's row groups (Parquet), byte ranges (CSV / NDJSON, with the dataset's columns but the partition columns) or whole (Arrow IPC). */
function scanFile(
  reader: RangeReader,
  rowGroups: readonly number[],
  spec: ScanSpec,
  text: Extract<Stage['source'], { kind: 'scan' }>['text'],
  ctx: OperatorContext,
  arrow = false,
): AsyncIterable<Batch> {
  if (arrow) return scanArrow(reader, spec, ctx);
  if (!text) return scanRowGroups(reader, rowGroups, spec, ctx);
  return scanText(reader, rowGroups, { ...spec, text }, ctx);
}

/** Broadcast build sides are read once per executor instance and job (they never change). */
const broadcasts = new Map<string, Promise<Batch[]>>();

async function collectAll(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** The shuffle partitions a task reads: its one, or the range an adaptive sort's task reads. */
function taskPartitions(task: TaskSpec): number[] {
  if (task.input.kind !== 'shuffle') return [0];
  const { partition, partitions = 1 } = task.input;
  return Array.from({ length: partitions }, (_, i) => partition + i);
}

function buildSide(
  store: ObjectStore,
  jobId: string,
  side: BuildSide,
  partitions: readonly number[],
  inline: (side: BuildSide) => AsyncIterable<Batch>,
): Promise<Batch[]> {
  if (side.kind === 'partitioned')
    return collectAll(readShufflePartitions(store, jobId, side.stage, partitions[0]!, partitions.length, side.schema));
  const key = `${store.url}|${jobId}|${side.stage}`;
  let hit = broadcasts.get(key);
  if (!hit) {
    // Earlier jobs' build sides go first: a job that ended never asks again, and an executor kept
    // warm across jobs would otherwise hold up to 8 of them (hundreds of MB at SF10).
    const job = `${store.url}|${jobId}|`;
    for (const k of broadcasts.keys()) if (!k.startsWith(job)) broadcasts.delete(k);
    if (broadcasts.size >= 8) broadcasts.delete(broadcasts.keys().next().value!);
    // A single-partition stage, every partition of an adaptive join's small side, or the
    // stage's own scan pipeline read here (inline_broadcast_scans).
    hit = collectAll(
      side.kind === 'scan'
        ? inline(side)
        : readShufflePartitions(store, jobId, side.stage, 0, side.partitions ?? 1, side.schema),
    );
    hit.catch(() => broadcasts.delete(key));
    broadcasts.set(key, hit);
  }
  return hit;
}

/** One file's row groups: its own skipped filters and partition columns. */
function scanPart(
  part: ScanPart,
  stageSource: Extract<Stage['source'], { kind: 'scan' }>,
  event: ExecutorEvent,
  env: RuntimeEnv,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  const skip = new Set(part.skipFilters ?? []);
  // Fused into the aggregate that follows: the scan prunes with its filters and may apply the
  // cheap ones (on dictionaries, operators/scanLate.ts) — never user code, which would run twice.
  const src = stageSource.filtersInAggregate
    ? stageSource.filters.some((e) => JSON.stringify(e).includes('"kind":"udf"'))
      ? { ...stageSource, filters: [] }
      : { ...stageSource, prefilter: true }
    : skip.size
      ? { ...stageSource, filters: stageSource.filters.filter((_, i) => !skip.has(i)) }
      : stageSource;
  const loc = locate(part.file, event.job.store);
  const reader = rangeReader(env.store(loc.ref), loc.key, part.size, part.file);
  // Columns the file lacks (mergeSchema) are constant nulls, as partition columns are constants.
  const pv = { ...part.partitionValues, ...Object.fromEntries((part.missingColumns ?? []).map((c) => [c, null])) };
  // Pushed-down filters may call user functions: the scan gets the task's function tables.
  if (!Object.keys(pv).length) return scanFile(reader, part.rowGroups, src, src.text, ctx, src.arrow);
  // A text file holds the dataset's columns but its partition columns.
  const text = src.text && { ...src.text, fields: src.text.fields.filter((f) => !(f.name in pv)) };
  return withPartitionColumns(reader, part.rowGroups, { ...src, ...(text ? { text } : {}) }, pv, ctx);
}

/** The batches a task's pipeline reads: its files' row groups, or its shuffle partitions. */
export function taskSource(
  stage: Stage,
  task: TaskSpec,
  event: ExecutorEvent,
  env: RuntimeEnv,
  store: ObjectStore,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  const stageSource = stage.source;
  if (stageSource.kind === 'scan') {
    if (task.input.kind !== 'scan')
      throw new ExecutionError(
        'BAD_TASK',
        `stage ${stage.id} scans but task ${task.task} has a ${task.input.kind} input`,
      );
    return scanParts(task.input.parts, stageSource, event, env, ctx);
  }
  if (task.input.kind !== 'shuffle')
    throw new ExecutionError(
      'BAD_TASK',
      `stage ${stage.id} reads a shuffle but task ${task.task} has a ${task.input.kind} input`,
    );
  const src = stageSource;
  const partitions = taskPartitions(task);
  // A run of partitions (a one-task reader's) in one range per map object.
  return readStages(store, event.job.jobId, src.stages, partitions[0]!, partitions.length, src.schema);
}

/*
 * The task's sources are module-level generator functions, never closures made per task: every
 * generator function object has its own prototype, so generators of a per-task closure have a
 * per-task map, and the optimized code of the operators that pull from them (an aggregate's
 * execute loop) depended on that map. When the task's closure died, GC threw the code away
 * ("weak objects") and the next task ran unoptimized until recompiled: SF1 Q1 recompiled
 * HashAggregate's execute twice per executor per query (~100 ms of compiler CPU each).
 */

/** The row groups of a scan task's files, one file after the other. */
async function* scanParts(
  parts: readonly ScanPart[],
  src: Extract<Stage['source'], { kind: 'scan' }>,
  event: ExecutorEvent,
  env: RuntimeEnv,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  for (const part of parts) yield* scanPart(part, src, event, env, ctx);
}

/** Partitions [first, first + count) of each of `stages`' shuffle outputs. */
async function* readStages(
  store: ObjectStore,
  jobId: string,
  stages: readonly number[],
  first: number,
  count: number,
  schema: Schema,
): AsyncIterable<Batch> {
  for (const s of stages) yield* readShufflePartitions(store, jobId, s, first, count, schema);
}

/** A single-partition stage's rows (partition 0 of each of `stages`). */
async function* readFirstPartitions(
  store: ObjectStore,
  jobId: string,
  stages: readonly number[],
  schema: Schema,
): AsyncIterable<Batch> {
  for (const s of stages) yield* readShufflePartition(store, jobId, s, 0, schema);
}

/** The ranged joins of the task's stage (as it runs) whose probe column the task bounds. */
function taskRanges(planned: Stage, task: TaskSpec): RangedJoin[] {
  const ranges = task.input.kind === 'scan' ? task.input.ranges : undefined;
  if (!ranges) return [];
  return rangedJoins(stageAsRun(planned, task.adaptive)).filter((j) => ranges[j.probe]);
}

export async function runTask(
  plan: StagePlan,
  task: TaskSpec,
  event: ExecutorEvent,
  env: RuntimeEnv,
  store: ObjectStore,
): Promise<TaskOutput> {
  const planned = plan.stages[task.stage];
  if (!planned) throw new ExecutionError('BAD_TASK', `job ${event.job.jobId} has no stage ${task.stage}`);
  const stage = withKeyFilters(withBuildFilters(stageAsRun(planned, task.adaptive)));
  const partitions = taskPartitions(task);
  // An inlined build side: its stage's scan and operators over the row groups the plan names,
  // or over the single-partition stages it reads (a global aggregate's partial rows), with its
  // own joins' runtime filters (TPC-H Q5's customers: only those of the region's nations decoded).
  const inline = (side: BuildSide): AsyncIterable<Batch> => {
    const st = withKeyFilters(withBuildFilters(plan.stages[side.stage]!));
    const src = st.source;
    const parts = side.parts ?? [];
    const scanned =
      src.kind === 'scan'
        ? scanParts(parts, src, event, env, ctx)
        : readFirstPartitions(store, event.job.jobId, src.stages, src.schema);
    return runPipeline(scanned, buildOperators(st.ops, src.schema, ctx));
  };
  const ranged = taskRanges(planned, task);
  const narrowed = new Map<number, Promise<Batch[]>>();
  const readBuildSide = (side: BuildSide) => {
    const whole = () => buildSide(store, event.job.jobId, side, partitions, inline);
    const j = rangedJoinOf(ranged, side);
    if (!j) return whole();
    // The task's own slice of the build side (planner/buildRanges.ts): read by its join and its
    // scan's runtime filter alike, so both share one index of it.
    let hit = narrowed.get(j.stage);
    if (!hit) {
      const [lo, hi] = (task.input as ScanInput).ranges![j.probe]!;
      const key = side.schema.findIndex((f) => f.name === j.build);
      hit = whole().then((parts) => rowsWithin(parts, key, lo, hi));
      narrowed.set(j.stage, hit);
    }
    return hit;
  };
  const fns = plan.udfs ? functionTables(await loadBundle(store, plan.udfs), plan.udfs.names) : undefined;
  const ctx: OperatorContext = { readBuildSide, partition: task.task, ...(fns ?? {}) };
  const ops = buildOperators(stage.ops, stage.source.schema, ctx);
  const batches = runPipeline(taskSource(stage, task, event, env, store, ctx), ops);
  const keys = jobKeys(event.job.jobId);
  if (stage.output.kind === 'shuffle') {
    const writer = new ShuffleWriter(stage.schema, stage.output.partitioning, task.boundaries ?? []);
    const sampler = stage.output.sample ? new KeySampler(stage.output.sample) : null;
    for await (const b of batches) {
      const t0 = performance.now();
      writer.add(b);
      sampler?.add(b);
      addTime('shuffleWrite', performance.now() - t0);
    }
    const key = keys.shuffle(stage.id, task.task, task.attempt, nonce());
    const { size, indexAt, partitions, checksum } = await timed('shuffleWrite', async () => {
      const { body, ...written } = writer.finish(plan.shuffleCodec ?? 'none');
      await store.put(key, body);
      return written;
    });
    return {
      kind: 'shuffle',
      key,
      size,
      indexAt,
      partitions,
      rows: writer.rows,
      checksum,
      codec: plan.shuffleCodec ?? 'none',
      ...(sampler ? { samples: sampler.sample } : {}),
    };
  }
  const out: Batch[] = [];
  let rows = 0;
  for await (const b of batches) {
    out.push(b);
    rows += b.length;
  }
  if (stage.output.kind === 'write')
    return timed('write', () =>
      writeFiles(stage, stage.output as Extract<Stage['output'], { kind: 'write' }>, out, rows, task, event, env),
    );
  const key = keys.resultPart(stage.id, task.task, task.attempt, nonce());
  if (rows > 0) await store.put(key, encodeIpc(stage.schema, out));
  return { kind: 'result', key, rows };
}
