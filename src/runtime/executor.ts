/**
 * The executor: runs one task group. Loads the group's manifest and the job's stage plan, runs
 * each task's pipeline from its source (Parquet row groups or a shuffle partition) to its sink
 * (one shuffle object or one result part) under an attempt-unique key, and writes a summary of
 * the reports to the store. Task errors are returned as data, never thrown.
 */
import { randomBytes } from 'node:crypto';
import { ExecutionError, toErrorData } from '../../planner/errors.js';
import type { BuildSide, Stage, StagePlan } from '../../planner/stages.js';
import { encodeIpc } from '../../operators/arrow.js';
import { ShuffleWriter } from '../../operators/exchange.js';
import { buildOperators, runPipeline } from '../../operators/pipeline.js';
import { scanRowGroups } from '../../operators/scan.js';
import type { Batch } from '../../operators/vector.js';
import { locate } from '../storage/location.js';
import { diffStats, getJson, putJson, type ObjectStore } from '../storage/store.js';
import { rangeReader, s3Defaults } from './catalog.js';
import type { RuntimeEnv } from './env.js';
import { jobKeys } from './jobState.js';
import type { ExecutorEvent, ExecutorOutput, GroupManifest, TaskOutput, TaskReport, TaskSpec } from './protocol.js';
import { readShufflePartition } from './shuffleRead.js';

/** Per-instance cache of immutable job documents (stage plans), keyed by store and job. */
const planCache = new Map<string, StagePlan>();

async function stagePlan(store: ObjectStore, jobId: string): Promise<StagePlan> {
  const key = `${store.url}|${jobId}`;
  let p = planCache.get(key);
  if (!p) {
    p = await getJson<StagePlan>(store, jobKeys(jobId).stages);
    if (planCache.size > 16) planCache.clear();
    planCache.set(key, p);
  }
  return p;
}

export async function runExecutorGroup(event: ExecutorEvent, env: RuntimeEnv): Promise<ExecutorOutput> {
  const store = env.store(event.job.store);
  const manifest = await getJson<GroupManifest>(store, event.group.manifest);
  const plan = await stagePlan(store, manifest.jobId);
  const reports: TaskReport[] = [];
  for (const task of manifest.tasks) {
    const before = { ...store.stats };
    const t0 = performance.now();
    try {
      const output = await runTask(plan, task, event, env, store);
      reports.push({ stage: task.stage, task: task.task, attempt: task.attempt, ok: true, output, millis: performance.now() - t0, stats: { ...diffStats(store.stats, before) } });
    } catch (e) {
      reports.push({ stage: task.stage, task: task.task, attempt: task.attempt, ok: false, error: toErrorData(e), millis: performance.now() - t0 });
    }
  }
  const key = jobKeys(manifest.jobId).summary(manifest.round, event.group.index, nonce());
  await putJson(store, key, { reports });
  return { group: event.group, summary: key };
}

const nonce = () => randomBytes(4).toString('hex');

/** Broadcast build sides are read once per executor instance and job (they never change). */
const broadcasts = new Map<string, Promise<Batch[]>>();

async function collectAll(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

function buildSide(store: ObjectStore, jobId: string, side: BuildSide, partition: number): Promise<Batch[]> {
  if (side.kind === 'partitioned') return collectAll(readShufflePartition(store, jobId, side.stage, partition, side.schema));
  const key = `${store.url}|${jobId}|${side.stage}`;
  let hit = broadcasts.get(key);
  if (!hit) {
    if (broadcasts.size >= 8) broadcasts.delete(broadcasts.keys().next().value!);
    hit = collectAll(readShufflePartition(store, jobId, side.stage, 0, side.schema));
    hit.catch(() => broadcasts.delete(key));
    broadcasts.set(key, hit);
  }
  return hit;
}

function source(plan: StagePlan, stage: Stage, task: TaskSpec, event: ExecutorEvent, env: RuntimeEnv, store: ObjectStore): AsyncIterable<Batch> {
  const src = stage.source;
  if (src.kind === 'scan') {
    if (task.input.kind !== 'scan') throw new ExecutionError('BAD_TASK', `stage ${stage.id} scans but task ${task.task} has a ${task.input.kind} input`);
    if (!task.input.file) return (async function* () {})();
    const loc = locate(task.input.file, s3Defaults(event.job.store));
    const data = env.store(loc.ref);
    return scanRowGroups(rangeReader(data, loc.key, task.input.size, task.input.file), task.input.rowGroups, src, {});
  }
  if (task.input.kind !== 'shuffle') throw new ExecutionError('BAD_TASK', `stage ${stage.id} reads a shuffle but task ${task.task} has a ${task.input.kind} input`);
  const partition = task.input.partition;
  return (async function* () {
    for (const s of src.stages) yield* readShufflePartition(store, event.job.jobId, s, partition, src.schema);
  })();
}

async function runTask(plan: StagePlan, task: TaskSpec, event: ExecutorEvent, env: RuntimeEnv, store: ObjectStore): Promise<TaskOutput> {
  const stage = plan.stages[task.stage];
  if (!stage) throw new ExecutionError('BAD_TASK', `job ${event.job.jobId} has no stage ${task.stage}`);
  const partition = task.input.kind === 'shuffle' ? task.input.partition : 0;
  const readBuildSide = (side: BuildSide) => buildSide(store, event.job.jobId, side, partition);
  const ops = buildOperators(stage.ops, stage.source.schema, { readBuildSide });
  const batches = runPipeline(source(plan, stage, task, event, env, store), ops);
  const keys = jobKeys(event.job.jobId);
  if (stage.output.kind === 'shuffle') {
    const writer = new ShuffleWriter(stage.schema, stage.output.partitioning);
    for await (const b of batches) writer.add(b);
    const { body, indexAt, partitions } = writer.finish();
    const key = keys.shuffle(stage.id, task.task, task.attempt, nonce());
    await store.put(key, body);
    return { kind: 'shuffle', key, size: body.byteLength, indexAt, partitions, rows: writer.rows };
  }
  const out: Batch[] = [];
  let rows = 0;
  for await (const b of batches) {
    out.push(b);
    rows += b.length;
  }
  const key = keys.resultPart(stage.id, task.task, task.attempt, nonce());
  if (rows > 0) await store.put(key, encodeIpc(stage.schema, out));
  return { kind: 'result', key, rows };
}
