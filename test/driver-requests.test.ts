/**
 * The store requests of a job's orchestration (the driver's steps and the local runner around
 * them): what a step does not need is not asked for. A job whose planning pinned no dataset
 * version (its inputs have no dataset log) has no reader pins to renew or release: no step asks
 * the job store about them, nor does the run's end. The datasets a session's analysis loads for a
 * job it runs itself go to the job's first step: the input is listed and its footers checked once
 * per job, not once by the client and again by the driver.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it, vi } from 'vitest';
import { session } from '../src/index.js';
import { LocalStore } from '../src/storage/local/store.js';
import type { ObjectStore } from '../src/storage/store.js';
import { countsByP, writeInput } from './support/commitFixtures.js';
import { tempDir } from './support/tpch.js';

/** Two Parquet files of 150 rows each (p = 0, 1) in `<dir>/in`, written by DuckDB (no dataset log). */
async function plainInput(dir: string): Promise<string> {
  const input = path.join(dir, 'in');
  fs.mkdirSync(input);
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await writeInput(db, path.join(input, 'a.parquet'), 0, 150);
  await writeInput(db, path.join(input, 'b.parquet'), 150, 150);
  db.closeSync();
  return input;
}

/** Record every request the runner's stores get: `<method> <key>`. */
function recordRequests(runnerEnv: unknown): string[] {
  const requests: string[] = [];
  const env = runnerEnv as { store: (ref: never) => ObjectStore };
  const inner = env.store;
  env.store = (ref) =>
    new Proxy(inner(ref), {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        if (prop === 'locate') return v.bind(target);
        return (key: unknown, ...rest: unknown[]) => {
          requests.push(`${String(prop)} ${Array.isArray(key) ? key.join(',') : String(key)}`);
          return (v as (...a: unknown[]) => unknown).call(target, key, ...rest);
        };
      },
    });
  return requests;
}

describe('driver requests', () => {
  it('a job over files without a dataset log never asks for reader pins', async () => {
    const dir = tempDir('stratus-requests-');
    const input = await plainInput(dir);
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    const requests = recordRequests(s.localRunner.env);
    try {
      expect(await countsByP(s, input)).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
      expect(s.localRunner.actions.filter((a) => a === 'run_executors').length).toBeGreaterThan(1);
    } finally {
      await s.stop();
    }
    expect(requests.some((r) => r.includes('state.json'))).toBe(true);
    expect(requests.filter((r) => r.includes('pins.json') || r.includes('_stratus/pins'))).toEqual([]);
  });

  it("lists a job's input once: its first step plans over the datasets the submission loaded", async () => {
    const dir = tempDir('stratus-requests-');
    const input = await plainInput(dir);
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    const list = vi.spyOn(LocalStore.prototype, 'list');
    const getRange = vi.spyOn(LocalStore.prototype, 'getRange');
    try {
      expect(await countsByP(s, input)).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
      // Listed once, each file's footer checked once (the client's analysis; the driver reads neither).
      const calls = (spy: typeof list | typeof getRange, suffix: string) =>
        spy.mock.calls.filter(([key]) => String(key).endsWith(suffix)).length;
      expect(calls(list, '/in/')).toBe(1);
      expect(calls(getRange, '/a.parquet')).toBe(1);
      expect(calls(getRange, '/b.parquet')).toBe(1);
      // The same query again: once more each.
      await countsByP(s, input);
      expect(calls(list, '/in/')).toBe(2);
      expect(calls(getRange, '/a.parquet')).toBe(2);
    } finally {
      list.mockRestore();
      getRange.mockRestore();
      await s.stop();
    }
  });
});
