/**
 * Work stealing between the executors of a round (src/runtime/claims.ts): an executor done with
 * its own tasks runs the unstarted tasks of the round's other groups, each task attempt in one
 * group only, and the answer is the same.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { col, count, session, sum, type Session } from '../src/index.js';
import { readTimeline } from '../src/runtime/client.js';
import { cachedStore } from '../src/runtime/env.js';
import type { ExecutorOutput } from '../src/runtime/protocol.js';
import { rowsFromArrow } from './support/compare.js';
import { aroundGroups } from './support/faults.js';
import { SF01, tempDir } from './support/tpch.js';

const open: Session[] = [];
const start = () => {
  // One task per row group, so every round has tasks for both executors.
  const s = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    keepJobs: true,
    job: { taskBytes: 1, shufflePartitions: 4, broadcastThreshold: 0 },
  });
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()));
});

const query = (s: Session) =>
  s.read
    .parquet(path.join(SF01, 'orders'))
    .join(s.read.parquet(path.join(SF01, 'customer')), col('o_custkey').equalTo(col('c_custkey')))
    .groupBy('c_mktsegment')
    .agg(count('*').alias('n'), sum('o_totalprice').alias('total'))
    .orderBy('c_mktsegment');

describe('work stealing', () => {
  it("an executor that is done first runs the other group's unstarted tasks; each attempt runs once", async () => {
    const clean = rowsFromArrow(await query(start()).collect());
    const s = start();
    // Group 0 of every round starts only once group 1's invocation has ended: group 1 must take
    // all of group 0's tasks, and group 0 then finds each of them claimed.
    const ended = new Map<number, Promise<unknown>>();
    const endedOf = (round: number) => {
      let p = ended.get(round);
      if (!p) {
        let resolve!: (v: unknown) => void;
        p = Object.assign(new Promise((r) => (resolve = r)), { resolve });
        ended.set(round, p);
      }
      return p as Promise<unknown> & { resolve: (v: unknown) => void };
    };
    const owned = new Map<string, number>();
    const shared = new Set<number>();
    aroundGroups(s, async ({ event, manifest }, run): Promise<ExecutorOutput> => {
      const { round, index } = event.group;
      for (const t of manifest.tasks) owned.set(`${round}/${t.stage}.${t.task}`, index);
      if (!manifest.others?.length) return run();
      shared.add(round);
      if (index === 0) {
        await endedOf(round);
        return run();
      }
      const out = run();
      out.finally(() => endedOf(round).resolve(undefined)).catch(() => undefined);
      return out;
    });
    expect(rowsFromArrow(await query(s).collect())).toEqual(clean);

    const timeline = await readTimeline(cachedStore(s.storeRef), s.lastJobId!);
    expect(shared.size).toBeGreaterThan(0);
    for (const round of shared) {
      const groups = timeline.filter((g) => g.round === round);
      const ran = groups.flatMap((g) => g.reports.map((r) => `${round}/${r.stage}.${r.task}`));
      // Every task of the round reported once, all by group 1 (group 0 found them claimed).
      expect(new Set(ran).size).toBe(ran.length);
      expect(groups.find((g) => g.group === 0)?.reports ?? []).toEqual([]);
      const stolen = ran.filter((k) => owned.get(k) === 0);
      expect(stolen.length).toBeGreaterThan(0);
    }
  });
});
