/**
 * Reading one shuffle partition: the committed map outputs of the producing stage (one commit
 * record per stage, cached), each map object's index (cached per executor instance), then the
 * partition's byte range of every map object with bounded parallel range reads.
 */
import type { Schema } from '../../planner/types.js';
import { decodePartition, parseIndex } from '../../operators/exchange.js';
import type { Batch } from '../../operators/vector.js';
import { addTime } from '../../operators/metrics.js';
import { getJson, type ObjectStore } from '../storage/store.js';
import { jobKeys, type StageCommit } from './jobState.js';

const commits = new Map<string, StageCommit>();
const indexes = new Map<string, Float64Array>();
const MAX_CACHED = 4096;

async function commitOf(store: ObjectStore, jobId: string, stage: number): Promise<StageCommit> {
  const key = `${store.url}|${jobKeys(jobId).commit(stage)}`;
  let c = commits.get(key);
  if (!c) {
    c = await getJson<StageCommit>(store, jobKeys(jobId).commit(stage));
    if (commits.size > MAX_CACHED) commits.clear();
    commits.set(key, c);
  }
  return c;
}

async function indexOf(store: ObjectStore, key: string, indexAt: number, size: number): Promise<Float64Array> {
  const cacheKey = `${store.url}|${key}`;
  let idx = indexes.get(cacheKey);
  if (!idx) {
    idx = parseIndex(await store.getRange(key, indexAt, size));
    if (indexes.size > MAX_CACHED) indexes.clear();
    indexes.set(cacheKey, idx);
  }
  return idx;
}

/** Network parallelism of a reduce task's range reads. */
export const SHUFFLE_READ_PARALLELISM = 16;

export async function* readShufflePartition(store: ObjectStore, jobId: string, stage: number, partition: number, schema: Schema): AsyncIterable<Batch> {
  const commit = await commitOf(store, jobId, stage);
  const outputs = commit.outputs.filter((o) => o.kind === 'shuffle');
  const fetch = async (o: (typeof outputs)[number]): Promise<Batch[]> => {
    if (o.kind !== 'shuffle' || o.rows === 0) return [];
    const t0 = performance.now();
    const idx = await indexOf(store, o.key, o.indexAt, o.size);
    const start = idx[partition]!;
    const end = idx[partition + 1]!;
    const out = end <= start ? [] : decodePartition(await store.getRange(o.key, start, end), schema);
    addTime('shuffleRead', performance.now() - t0);
    return out;
  };
  // Keep up to N reads in flight; yield in map-task order.
  const inflight: Promise<Batch[]>[] = [];
  let next = 0;
  while (next < outputs.length && inflight.length < SHUFFLE_READ_PARALLELISM) inflight.push(fetch(outputs[next++]!));
  while (inflight.length) {
    const batches = await inflight.shift()!;
    if (next < outputs.length) inflight.push(fetch(outputs[next++]!));
    yield* batches;
  }
}
