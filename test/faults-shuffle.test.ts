/**
 * Fault suite — shuffle integrity. A committed map output deleted, truncated, with 4 KiB
 * overwritten or one bit flipped just before the stage that reads it runs: the reader's
 * checksums and sizes turn it into LOST_MAP_OUTPUT, the driver re-runs the map task that wrote
 * it (lineage) and then the reading tasks, and the result is identical to a clean run. Lost
 * again and again, it fails naming the stage, task and object; lost while the job is failed,
 * `resume` recomputes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, count, session, sum, type DataFrame, type Session } from '../src/index.js';
import { stageDeps } from '../planner/stages.js';
import { jobKeys, type JobState } from '../src/runtime/jobState.js';
import { cachedStore } from '../src/runtime/env.js';
import { getJson } from '../src/storage/store.js';
import { aroundGroups, committedOutputs, damage, type Damage } from './support/faults.js';
import { failWhileFlag } from './support/runtime-fns.js';
import { rowsFromArrow } from './support/compare.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
/** While this file exists, fail_while_flag throws (executors inherit the variable when they start). */
const flag = path.join(tempDir(), 'flag');
beforeAll(() => {
  process.env.STRATUS_TEST_FLAG = flag;
  s = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    keepJobs: true,
    // Several map tasks per stage, a shuffle join (no broadcast), 4 partitions.
    job: { shufflePartitions: 4, taskBytes: 1, broadcastThreshold: 0 },
  });
});
afterAll(async () => {
  await s.stop();
});

/**
 * Orders ⋈ customer, grouped: two scan stages (orders: 2 row groups, so 2 map tasks), a shuffle
 * join, an aggregate (4 stages) — the smallest TPC-H pair with that shape (lineitem, 4× the
 * bytes, added only run time).
 */
const query = (): DataFrame => {
  const orders = s.read.parquet(path.join(SF01, 'orders'));
  const customer = s.read.parquet(path.join(SF01, 'customer'));
  return orders
    .join(customer, col('o_custkey').equalTo(col('c_custkey')))
    .groupBy('o_orderpriority', 'c_mktsegment')
    .agg(count('*').alias('n'), sum('o_totalprice').alias('qty'))
    .orderBy('o_orderpriority', 'c_mktsegment');
};

let clean: ReturnType<typeof rowsFromArrow>;
const state = () => getJson<JobState>(cachedStore(s.storeRef), jobKeys(s.lastJobId!).state);

describe('lost map output is recomputed from lineage', () => {
  it('a clean run (the reference)', async () => {
    clean = rowsFromArrow(await query().collect());
    expect(clean.rows.length).toBe(25);
    const st = await state();
    expect(st.stages.length).toBeGreaterThanOrEqual(3);
    expect(st.stages.flatMap((x) => x.tasks).every((t) => !t.recomputes)).toBe(true);
  });

  for (const how of ['delete', 'truncate', 'overwrite4k', 'bitflip'] as const satisfies readonly Damage[]) {
    it(`a map output damaged (${how}) before its readers run: identical result, the map task re-ran once`, async () => {
      let damaged: { stage: number; key: string } | undefined;
      const off = aroundGroups(s, async (g, run) => {
        const inputs = stageDeps(g.stage);
        if (!damaged && inputs.length) {
          const outputs = await committedOutputs(g.store, g.jobId, inputs[0]!);
          const victim = outputs[outputs.length - 1]!;
          await damage(g.store, victim, how);
          damaged = { stage: inputs[0]!, key: victim.key };
        }
        return run();
      });
      try {
        expect(rowsFromArrow(await query().collect())).toEqual(clean);
      } finally {
        off();
      }
      expect(damaged).toBeDefined();
      const st = await state();
      const recomputed = st.stages[damaged!.stage]!.tasks.filter((t) => t.recomputes);
      expect(recomputed.length).toBe(1);
      expect(recomputed[0]!.recomputes).toBe(1);
      expect(recomputed[0]!.lastError).toMatchObject({ code: 'LOST_MAP_OUTPUT', details: { key: damaged!.key } });
      expect(recomputed[0]!.output).toMatchObject({ kind: 'shuffle' });
      expect((recomputed[0]!.output as { key: string }).key).not.toBe(damaged!.key);
    });
  }

  it('damaged on every attempt: fails naming LOST_MAP_OUTPUT, the stage, task and object — no result', async () => {
    const off = aroundGroups(s, async (g, run) => {
      for (const d of stageDeps(g.stage))
        for (const o of await committedOutputs(g.store, g.jobId, d)) await damage(g.store, o, 'bitflip');
      return run();
    });
    const err = await query()
      .collect()
      .catch((e) => e)
      .finally(off);
    expect(err.code).toBe('LOST_MAP_OUTPUT');
    expect(err.message).toMatch(/the map output of stage \d+ task \d+ \(jobs\/.*\/shuffle\/.*\) is lost: checksum/);
    expect(err.details).toMatchObject({ mapStage: expect.any(Number), mapTask: expect.any(Number), recomputes: 3 });
    expect(await cachedStore(s.storeRef).head(jobKeys(s.lastJobId!).result)).toBeUndefined();
  });

  it('lost while the job is failed: resume re-runs the map task and completes with the right result', async () => {
    fs.writeFileSync(flag, '');
    // The last stage fails (deterministically: no retries) after the map stages committed.
    const df = query()
      .select('o_orderpriority', 'c_mktsegment', failWhileFlag(col('n')).alias('n'), 'qty')
      .orderBy('o_orderpriority', 'c_mktsegment');
    const err = await df.collect().catch((e) => e);
    expect(err.code, String(err)).toBe('USER_CODE_ERROR');
    const jobId = s.lastJobId!;
    const store = cachedStore(s.storeRef);
    const failed = await getJson<JobState>(store, jobKeys(jobId).state);
    const doneShuffle = failed.stages.filter((x) => x.status === 'done' && x.tasks[0]?.output?.kind === 'shuffle');
    expect(doneShuffle.length).toBeGreaterThan(0);
    // Every committed shuffle object of the done stages is deleted.
    for (const st of doneShuffle)
      for (const o of await committedOutputs(store, jobId, st.id)) await store.delete([o.key]);
    fs.rmSync(flag);
    const resumed = rowsFromArrow(await s.resume(jobId));
    expect(resumed).toEqual(clean);
    const after = await getJson<JobState>(store, jobKeys(jobId).state);
    expect(after.status).toBe('succeeded');
    expect(after.stages.flatMap((x) => x.tasks).filter((t) => t.recomputes).length).toBeGreaterThan(0);
  });
});
