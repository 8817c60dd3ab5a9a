/**
 * The job folder's layout: the objects a job writes per round or per stage (group manifests and
 * lists, executor summaries, stage commit records) sit side by side in one directory each — a
 * local store would otherwise create a directory for every round and stage on the driver's and
 * the executors' paths between tasks — and the job's timeline still reads them by round and group.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { session } from '../src/index.js';
import { readTimeline } from '../src/runtime/client.js';
import { cachedStore } from '../src/runtime/env.js';
import { countsByP, writeInput } from './support/commitFixtures.js';
import { tempDir } from './support/tpch.js';

describe('job folder layout', () => {
  it('keeps manifests, summaries and commit records in one directory each, read back by round and group', async () => {
    const dir = tempDir('stratus-layout-');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const input = await writeInput(db, path.join(dir, 'a.parquet'), 0, 300);
    db.closeSync();
    const store = path.join(dir, 'store');
    const s = session({ store, executors: 2, progress: false, keepJobs: true });
    try {
      // Two stages (a shuffle, then the final aggregate): several rounds.
      const rows = await countsByP(s, input);
      expect(rows).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
      const job = path.join(store, 'jobs', s.lastJobId!);
      for (const sub of ['manifests', 'summaries', 'stages']) {
        const entries = fs.readdirSync(path.join(job, sub), { withFileTypes: true });
        expect(entries.length).toBeGreaterThan(0);
        expect(entries.filter((e) => e.isDirectory()).map((e) => `${sub}/${e.name}`)).toEqual([]);
      }
      const timeline = await readTimeline(cachedStore({ kind: 'local', root: store }), s.lastJobId!);
      expect(timeline.length).toBeGreaterThan(1);
      expect(new Set(timeline.map((g) => g.round)).size).toBeGreaterThan(1);
      for (const g of timeline) expect(g.reports.every((r) => typeof r.stage === 'number')).toBe(true);
    } finally {
      await s.stop();
    }
  });
});
