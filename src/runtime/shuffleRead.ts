/**
 * Reading one shuffle partition: the committed map outputs of the producing stage (one commit
 * record per stage), each map object's index, then the partition's byte range of every map
 * object with bounded parallel range reads. Commit records and indexes are cached per executor
 * instance as promises, so concurrent tasks share one read. Everything read is checked against
 * what the writer recorded: a short or malformed read is an error, never missing rows.
 */
import { StorageError } from '../../planner/errors.js';
import type { Schema } from '../../planner/types.js';
import { decodePartition, parseIndex } from '../../operators/exchange.js';
import type { Batch } from '../../operators/vector.js';
import { addTime } from '../../operators/metrics.js';
import { getJson, type ObjectStore } from '../storage/store.js';
import { jobKeys, type StageCommit } from './jobState.js';
import type { ShuffleOutput } from './protocol.js';

const commits = new Map<string, Promise<StageCommit>>();
const indexes = new Map<string, Promise<Float64Array>>();
const MAX_CACHED = 4096;

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    if (map.size > MAX_CACHED) map.clear();
    p = load();
    p.catch(() => map.delete(key));
    map.set(key, p);
  }
  return p;
}

function commitOf(store: ObjectStore, jobId: string, stage: number): Promise<StageCommit> {
  const key = jobKeys(jobId).commit(stage);
  return cached(commits, `${store.url}|${key}`, () => getJson<StageCommit>(store, key));
}

function indexOf(
  store: ObjectStore,
  key: string,
  indexAt: number,
  size: number,
  partitions: number,
): Promise<Float64Array> {
  return cached(indexes, `${store.url}|${key}`, async () => {
    const bytes = await store.getRange(key, indexAt, size);
    const idx = parseIndex(bytes);
    if (bytes.byteLength !== size - indexAt || idx.length !== partitions + 1 || idx[partitions] !== indexAt) {
      throw new StorageError(
        'CORRUPT_SHUFFLE',
        `shuffle object ${key} has a malformed index (${bytes.byteLength} bytes read, expected ${size - indexAt} for ${partitions} partitions)`,
        { key },
      );
    }
    return idx;
  });
}

/** Network parallelism of a reduce task's range reads. */
const SHUFFLE_READ_PARALLELISM = 16;

export async function* readShufflePartition(
  store: ObjectStore,
  jobId: string,
  stage: number,
  partition: number,
  schema: Schema,
): AsyncIterable<Batch> {
  const commit = await commitOf(store, jobId, stage);
  const outputs = commit.outputs.filter((o): o is ShuffleOutput => o.kind === 'shuffle');
  const fetch = async (o: ShuffleOutput): Promise<Batch[]> => {
    if (o.rows === 0) return [];
    const t0 = performance.now();
    const idx = await indexOf(store, o.key, o.indexAt, o.size, o.partitions);
    const start = idx[partition]!;
    const end = idx[partition + 1]!;
    let out: Batch[] = [];
    if (end > start) {
      const bytes = await store.getRange(o.key, start, end);
      if (bytes.byteLength !== end - start) {
        throw new StorageError(
          'SHORT_READ',
          `shuffle object ${o.key}: read ${bytes.byteLength} of ${end - start} bytes of partition ${partition}`,
          { key: o.key, partition },
        );
      }
      out = decodePartition(bytes, schema, o.codec ?? 'none');
    }
    addTime('shuffleRead', performance.now() - t0);
    return out;
  };
  // Keep up to N reads in flight; yield in map-task order. A read that fails while queued is
  // observed (no unhandled rejection) and rethrown when its turn comes.
  const inflight: Promise<Batch[]>[] = [];
  const start = (o: ShuffleOutput) => {
    const p = fetch(o);
    p.catch(() => undefined);
    inflight.push(p);
  };
  let next = 0;
  while (next < outputs.length && inflight.length < SHUFFLE_READ_PARALLELISM) start(outputs[next++]!);
  while (inflight.length) {
    const batches = await inflight.shift()!;
    if (next < outputs.length) start(outputs[next++]!);
    yield* batches;
  }
}
