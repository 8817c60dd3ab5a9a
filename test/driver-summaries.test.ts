/**
 * The driver reads a round's executor summaries side by side (one store round trip per round,
 * not one per group), then applies them in the groups' order: on S3 each read is a request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { session } from '../src/index.js';
import type { ObjectStore } from '../src/storage/store.js';
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
});
