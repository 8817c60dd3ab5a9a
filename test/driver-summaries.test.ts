/**
 * The driver's store requests within a step go out side by side: it reads a round's executor
 * summaries together (one store round trip per round, not one per group), then applies them in
 * the groups' order; and it writes a step's objects — the stage plan, finished stages' commit
 * records, the round's manifests — together too. On S3 each of them is a request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { session } from '../src/index.js';
import type { ObjectStore } from '../src/storage/store.js';
import type { Session } from '../src/api/session.js';
import { countsByP, writeInput } from './support/commitFixtures.js';
import { tempDir } from './support/tpch.js';

describe('driver summaries', () => {
  it("reads a round's summaries side by side", async () => {
    const dir = tempDir('stratus-summaries-');
    fs.mkdirSync(path.join(dir, 'in'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    // Two files: two scan tasks, one per executor.
    await writeInput(db, path.join(dir, 'in', 'a.parquet'), 0, 150);
    await writeInput(db, path.join(dir, 'in', 'b.parquet'), 150, 150);
    const input = path.join(dir, 'in');
    db.closeSync();
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    // Every summary read by the driver takes 100 ms.
    const reads: { round: string; at: number; end: number }[] = [];
    const env = s.localRunner.env as { store: (ref: never) => ObjectStore };
    const inner = env.store;
    env.store = (ref) =>
      new Proxy(inner(ref), {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'get') return typeof v === 'function' ? v.bind(target) : v;
          return async (key: string) => {
            const m = /\/summaries\/(\d+)\./.exec(key);
            if (!m) return target.get(key);
            const read = { round: m[1]!, at: performance.now(), end: Number.POSITIVE_INFINITY };
            reads.push(read);
            await new Promise((r) => setTimeout(r, 100));
            try {
              return await target.get(key);
            } finally {
              read.end = performance.now();
            }
          };
        },
      });
    try {
      const rows = await countsByP(s, input);
      expect(rows).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
    } finally {
      await s.stop();
    }
    const byRound = new Map<string, (typeof reads)[number][]>();
    for (const r of reads) byRound.set(r.round, [...(byRound.get(r.round) ?? []), r]);
    const multi = [...byRound.values()].filter((rs) => rs.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    // Within a round, every read starts before the first one ends.
    for (const rs of multi) {
      const firstEnd = Math.min(...rs.map((r) => r.end));
      for (const r of rs) expect(r.at).toBeLessThan(firstEnd);
    }
  });

  it("writes a step's stage plan, commit records and manifests side by side; no commit record for the result stage", async () => {
    const dir = tempDir('stratus-step-writes-');
    fs.mkdirSync(path.join(dir, 'in'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await writeInput(db, path.join(dir, 'in', 'a.parquet'), 0, 150);
    await writeInput(db, path.join(dir, 'in', 'b.parquet'), 150, 150);
    const input = path.join(dir, 'in');
    db.closeSync();
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false, keepJobs: true });
    // Every plan, commit record and manifest the driver writes takes 100 ms.
    const writes = slowWrites(s, /\/(stages\.json|stages\/\d+\.commit\.json|manifests\/\d+\.\d+\.json)$/);
    try {
      const rows = await countsByP(s, input);
      expect(rows).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
    } finally {
      await s.stop();
    }
    // The first step writes the plan and the first round's two manifests; a later one the map
    // stage's commit record and the next round's manifest(s).
    const first = writes.filter((w) => /stages\.json$|manifests\/1\./.test(w.key));
    expect(first.length).toBe(3);
    const second = writes.filter((w) => /stages\/\d+\.commit|manifests\/2\./.test(w.key));
    expect(second.length).toBeGreaterThan(1);
    for (const step of [first, second]) {
      const firstEnd = Math.min(...step.map((w) => w.end));
      for (const w of step) expect(w.at).toBeLessThan(firstEnd);
    }
    // Only the map stage's outputs are read through a commit record: the result stage's are
    // committed by the job's result manifest.
    const commits = writes.filter((w) => w.key.includes('.commit.json'));
    expect(commits.length).toBe(1);
    const job = path.join(dir, 'store', 'jobs', s.lastJobId!);
    expect(fs.readdirSync(path.join(job, 'stages'))).toEqual([path.basename(commits[0]!.key)]);
  });
});

/** Make the session's store writes of keys matching `slow` take 100 ms; returns their log. */
function slowWrites(s: Session, slow: RegExp): { key: string; at: number; end: number }[] {
  const writes: { key: string; at: number; end: number }[] = [];
  const env = s.localRunner.env as { store: (ref: never) => ObjectStore };
  const inner = env.store;
  env.store = (ref) =>
    new Proxy(inner(ref), {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop !== 'put') return typeof v === 'function' ? v.bind(target) : v;
        return async (key: string, body: Uint8Array) => {
          if (!slow.test(key)) return target.put(key, body);
          const w = { key, at: performance.now(), end: Number.POSITIVE_INFINITY };
          writes.push(w);
          await new Promise((r) => setTimeout(r, 100));
          try {
            return await target.put(key, body);
          } finally {
            w.end = performance.now();
          }
        };
      },
    });
  return writes;
}
