/**
 * Shuffle files: one object per map task holding all partitions; attempt-unique keys and
 * commit records, so re-running a task's attempt never changes the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { cachedStore, defaultEnv } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { jobKeys, type JobState, type StageCommit } from '../src/runtime/jobState.js';
import { readShufflePartition } from '../src/runtime/shuffleRead.js';
import { getJson } from '../src/storage/store.js';
import type { StagePlan } from '../planner/stages.js';
import { rowsFromArrow } from './support/compare.js';
import { checkPartition, decodePartition, parseIndex, ShuffleWriter } from '../operators/exchange.js';
import { vecFromValues } from '../operators/vector.js';
import * as E from '../planner/expr.js';
import { field } from '../planner/types.js';
import { SF01, tempDir } from './support/tpch.js';

const R = 4;
let s: Session;
beforeAll(() => {
  s = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    keepJobs: true,
    job: { shufflePartitions: R, taskBytes: 1, keepScratch: true },
  });
});
afterAll(async () => {
  await s.stop();
});

async function partitionRows(
  jobId: string,
  stage: number,
  schema: StagePlan['stages'][number]['schema'],
): Promise<number[]> {
  const store = cachedStore(s.storeRef);
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    let n = 0;
    for await (const b of readShufflePartition(store, jobId, stage, r, schema)) n += b.length;
    out.push(n);
  }
  return out;
}

describe('shuffle encoding', () => {
  it('brotli-compressed partitions round-trip and are smaller than plain Arrow IPC', () => {
    const schema = [field('k', 'int32'), field('s', 'string'), field('x', 'float64')];
    const n = 20_000;
    const batch = {
      schema,
      length: n,
      columns: [
        vecFromValues(
          'int32',
          Array.from({ length: n }, (_, i) => i % 97),
        ),
        vecFromValues(
          'string',
          Array.from({ length: n }, (_, i) => `name-${i % 500}`),
        ),
        vecFromValues(
          'float64',
          Array.from({ length: n }, (_, i) => (i % 1000) / 4),
        ),
      ],
    };
    const sizes: Record<string, number> = {};
    for (const codec of ['none', 'brotli'] as const) {
      const w = new ShuffleWriter(schema, { kind: 'hash', keys: [E.col('k')], n: 4 });
      w.add(batch);
      const { body, indexAt, checksum } = w.finish(codec);
      sizes[codec] = body.byteLength;
      const idx = parseIndex(body.subarray(indexAt), 4, checksum, indexAt);
      if (typeof idx === 'string') throw new Error(idx);
      let rows = 0;
      for (let r = 0; r < 4; r++) {
        const bytes = body.subarray(idx.offsets[r]!, idx.offsets[r + 1]!);
        expect(checkPartition(bytes, idx, r)).toBeUndefined();
        for (const b of decodePartition(bytes, schema, codec)) rows += b.length;
      }
      expect(rows).toBe(n);
    }
    expect(sizes.brotli!).toBeLessThan(sizes.none! / 2);
  });
});

describe('shuffle through the store', () => {
  it('writes one object per map task and re-running an attempt does not change the result', async () => {
    const first = rowsFromArrow(await QUERIES[1]!(tpchTables(s, SF01)).collect());
    const jobId = s.lastJobId!;
    const store = cachedStore(s.storeRef);
    const keys = jobKeys(jobId);
    const state = await getJson<JobState>(store, keys.state);
    const plan = await getJson<StagePlan>(store, keys.stages);
    const M = state.stages[0]!.tasks.length;
    expect(M).toBeGreaterThan(1); // one task per row group here (taskBytes: 1)

    const objects = await store.list(`${keys.base}/shuffle/0/`);
    expect(objects).toHaveLength(M);
    const commit = await getJson<StageCommit>(store, keys.commit(0));
    expect(commit.outputs.map((o) => (o.kind === 'shuffle' ? o.key : '')).sort()).toEqual(
      objects.map((o) => o.key).sort(),
    );
    for (const o of commit.outputs) if (o.kind === 'shuffle') expect(o.partitions).toBe(R);
    const before = await partitionRows(jobId, 0, plan.stages[0]!.schema);

    // Re-run every map task's attempt (as a duplicated or retried invocation would).
    const manifest = keys.manifest(1, 0);
    for (let g = 0; (await store.head(keys.manifest(1, g))) !== undefined; g++) {
      await runExecutorGroup(
        { job: { jobId, store: s.storeRef }, group: { manifest: keys.manifest(1, g), round: 1, index: g } },
        defaultEnv(),
      );
    }
    expect(manifest).toBeTruthy();
    expect(await store.list(`${keys.base}/shuffle/0/`)).toHaveLength(2 * M);
    expect(await partitionRows(jobId, 0, plan.stages[0]!.schema)).toEqual(before);

    // The job's result is unchanged, and a fresh run agrees.
    const again = rowsFromArrow(await QUERIES[1]!(tpchTables(s, SF01)).collect());
    expect(again).toEqual(first);
  });
});
