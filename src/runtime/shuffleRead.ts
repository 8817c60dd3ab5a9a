/**
 * Reading one shuffle partition: the committed map outputs of the producing stage (one commit
 * record per stage), each map object's index, then the partition's byte range of every map
 * object with bounded parallel range reads (a run of consecutive partitions in one range). Commit records and indexes are cached per executor
 * instance as promises, so concurrent tasks share one read. Everything read is checked against
 * what the writer recorded — sizes and CRC-32 checksums: a missing, short or corrupt map output
 * is LOST_MAP_OUTPUT (naming the producing stage, map task and key), which the driver answers
 * by re-running that map task; it is never read as rows.
 */
import { StorageError, StratusError } from '../../planner/errors.js';
import type { Schema } from '../../planner/types.js';
import { checkPartition, decodePartition, parseIndex, type ShuffleIndex } from '../../operators/exchange.js';
import type { Batch } from '../../operators/vector.js';
import { addTime } from '../../operators/metrics.js';
import { getJson, type ObjectStore } from '../storage/store.js';
import { jobKeys, type StageCommit } from './jobState.js';
import type { ShuffleOutput, TaskOutput } from './protocol.js';

/** The error code of a map output that cannot be read as written; the driver recomputes it. */
export const LOST_MAP_OUTPUT = 'LOST_MAP_OUTPUT';

/** What a LOST_MAP_OUTPUT error names: the producing stage and task (absent: the commit record itself), the object. */
export interface LostMapOutput {
  readonly mapStage: number;
  readonly mapTask?: number;
  readonly key: string;
  readonly partition?: number;
  readonly reason: string;
}

export function lostMapOutput(lost: LostMapOutput): StorageError {
  const what =
    lost.mapTask === undefined
      ? `the commit record of stage ${lost.mapStage}`
      : `the map output of stage ${lost.mapStage} task ${lost.mapTask}`;
  return new StorageError(
    LOST_MAP_OUTPUT,
    `${what} (${lost.key}${lost.partition === undefined ? '' : `, partition ${lost.partition}`}) is lost: ${lost.reason}; the driver re-runs the task that wrote it`,
    { ...lost },
  );
}

/** A store error that means the object is gone or shorter than written (not a transient failure). */
function missingOrShort(e: unknown): string | undefined {
  if (!(e instanceof StratusError)) return undefined;
  if (e.code === 'NOT_FOUND') return 'the object does not exist';
  if (e.code === 'IO' && /InvalidRange|416/.test(String(e.details.cause ?? e.message)))
    return 'the object is shorter than written';
  return undefined;
}

const commits = new Map<string, Promise<StageCommit>>();
const indexes = new Map<string, Promise<ShuffleIndex>>();
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
  return cached(commits, `${store.url}|${key}`, () =>
    getJson<StageCommit>(store, key).catch((e: unknown) => {
      const reason = missingOrShort(e);
      throw reason ? lostMapOutput({ mapStage: stage, key, reason }) : e;
    }),
  );
}

function indexOf(store: ObjectStore, o: ShuffleOutput, lost: (reason: string) => StorageError): Promise<ShuffleIndex> {
  return cached(indexes, `${store.url}|${o.key}`, async () => {
    const bytes = await store.getRange(o.key, o.indexAt, o.size).catch((e: unknown) => {
      const reason = missingOrShort(e);
      throw reason ? lost(reason) : e;
    });
    const idx = parseIndex(bytes, o.partitions, o.checksum, o.indexAt);
    if (typeof idx === 'string') throw lost(idx);
    return idx;
  });
}

/** Network parallelism of a reduce task's range reads. */
const SHUFFLE_READ_PARALLELISM = 16;

/**
 * Read partitions `first` … `first + count − 1` of a stage's shuffle: from every map object one
 * range holding the whole run (they lie next to each other), each partition checked against its
 * own checksum. A one-task reader of R partitions (an adaptive sort's) makes M range reads,
 * not M×R. Batches come map object by map object, each one's partitions in order.
 */
export async function* readShufflePartitions(
  store: ObjectStore,
  jobId: string,
  stage: number,
  first: number,
  count: number,
  schema: Schema,
): AsyncIterable<Batch> {
  const commit = await commitOf(store, jobId, stage);
  const fetch = async (o: TaskOutput, mapTask: number): Promise<Batch[]> => {
    if (o.kind !== 'shuffle' || o.rows === 0) return [];
    const lost = (reason: string, partition = first) => {
      // A later attempt must read the commit record again: the driver rewrites it after re-running the task.
      commits.delete(`${store.url}|${jobKeys(jobId).commit(stage)}`);
      return lostMapOutput({ mapStage: stage, mapTask, key: o.key, partition, reason });
    };
    const t0 = performance.now();
    const idx = await indexOf(store, o, lost);
    const start = idx.offsets[first]!;
    const end = idx.offsets[first + count]!;
    const out: Batch[] = [];
    if (end > start) {
      const bytes = await store.getRange(o.key, start, end).catch((e: unknown) => {
        const reason = missingOrShort(e);
        throw reason ? lost(reason) : e;
      });
      if (bytes.byteLength !== end - start) throw lost(`read ${bytes.byteLength} of ${end - start} bytes`);
      for (let p = first; p < first + count; p++) {
        const part = bytes.subarray(idx.offsets[p]! - start, idx.offsets[p + 1]! - start);
        const bad = checkPartition(part, idx, p);
        if (bad) {
          indexes.delete(`${store.url}|${o.key}`);
          throw lost(bad, p);
        }
        for (const b of decodePartition(part, schema, o.codec ?? 'none')) out.push(b);
      }
    }
    addTime('shuffleRead', performance.now() - t0);
    return out;
  };
  // Keep up to N reads in flight; yield in map-task order. A read that fails while queued is
  // observed (no unhandled rejection) and rethrown when its turn comes.
  const outputs = commit.outputs;
  const inflight: Promise<Batch[]>[] = [];
  const startRead = (i: number) => {
    const p = fetch(outputs[i]!, i);
    p.catch(() => undefined);
    inflight.push(p);
  };
  let next = 0;
  while (next < outputs.length && inflight.length < SHUFFLE_READ_PARALLELISM) startRead(next++);
  while (inflight.length) {
    const batches = await inflight.shift()!;
    if (next < outputs.length) startRead(next++);
    yield* batches;
  }
}

/** Read one shuffle partition of a stage (see readShufflePartitions). */
export function readShufflePartition(
  store: ObjectStore,
  jobId: string,
  stage: number,
  partition: number,
  schema: Schema,
): AsyncIterable<Batch> {
  return readShufflePartitions(store, jobId, stage, partition, 1, schema);
}
