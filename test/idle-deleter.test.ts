/**
 * A local session removes its finished jobs' folders on idle CPU: a worker thread at nice 19
 * (Linux) deletes them one after another, a backlog past its limit goes back to the store's own
 * deletion, and `stop()` waits for what is queued (no job folder is left).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, vi } from 'vitest';
import { session } from '../src/index.js';
import { IdleDeleter } from '../src/local/deleter.js';
import { countsByP, writeInput } from './support/commitFixtures.js';
import { tempDir } from './support/tpch.js';

/** Nice values of this process's threads (Linux /proc); undefined elsewhere. */
function threadNices(): number[] | undefined {
  if (!fs.existsSync('/proc/self/task')) return undefined;
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const st = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

function tree(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
  for (const f of ['x', 'a/y', 'a/b/z']) fs.writeFileSync(path.join(dir, f), 'data');
  return dir;
}

describe('idle deleter', () => {
  it('removes trees on a thread at the lowest priority and says when its backlog is full', async () => {
    const root = tempDir('stratus-deleter-');
    const d = new IdleDeleter(2);
    try {
      const [a, b, c] = ['a', 'b', 'c'].map((n) => tree(root, n));
      const first = d.remove(a!);
      expect(d.hasRoom).toBe(true);
      const second = d.remove(b!);
      expect(d.hasRoom).toBe(false);
      await Promise.all([first, second]);
      expect(d.hasRoom).toBe(true);
      await d.remove(c!);
      await d.remove(path.join(root, 'missing')); // already gone: nothing to do
      expect(fs.readdirSync(root)).toEqual([]);
      const nices = threadNices();
      if (nices) expect(nices).toContain(19);
    } finally {
      await d.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('is how a local session removes its finished jobs; stop() waits for them', async () => {
    const dir = tempDir('stratus-deleter-');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const input = await writeInput(db, path.join(dir, 'in.parquet'), 0, 100);
    db.closeSync();
    const store = path.join(dir, 'store');
    const s = session({ store, executors: 1, progress: false });
    try {
      for (let i = 0; i < 3; i++) expect(await countsByP(s, input)).toHaveLength(2);
      // The thread starts with the first removal and renices itself as it boots: wait for it.
      if (threadNices()) await vi.waitFor(() => expect(threadNices()).toContain(19), { timeout: 10_000 });
      await s.stop();
      expect(fs.readdirSync(path.join(store, 'jobs'))).toEqual([]);
    } finally {
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
