/**
 * The local runner lets a driver step's state write run beside the round's executors (it is the
 * costliest write of a step on a local disk: a rename over the previous state), and waits for it
 * before the job's next step: each state write lands after that round's executors were started
 * and before the next step reads the state; the answers are the same. With an executor on every
 * core, the write waits for a core no executor uses: until the round's first executor is done.
 * A job that succeeded has its result read first: its final state and its lease's release land
 * after, and before the job is deleted (or, when the session keeps jobs, before collect returns).
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

describe('state write behind', () => {
  it("writes a step's state once its executors are started, and before the next step reads it", async () => {
    const dir = tempDir('stratus-behind-');
    fs.mkdirSync(path.join(dir, 'in'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await writeInput(db, path.join(dir, 'in', 'a.parquet'), 0, 150);
    await writeInput(db, path.join(dir, 'in', 'b.parquet'), 150, 150);
    db.closeSync();
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    const events: string[] = [];
    const runner = s.localRunner;
    const env = runner.env as { store: (ref: never) => ObjectStore };
    const inner = env.store;
    env.store = (ref) =>
      new Proxy(inner(ref), {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'put' && prop !== 'get') return typeof v === 'function' ? v.bind(target) : v;
          return async (key: string, ...rest: unknown[]) => {
            const out = await (v as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
            if (key.endsWith('/state.json')) events.push(`${String(prop)} state`);
            return out;
          };
        },
      });
    const invoke = runner.pool.invoke.bind(runner.pool);
    runner.pool.invoke = (event) => {
      events.push(`invoke ${event.group.round}`);
      return invoke(event);
    };
    try {
      const rows = await countsByP(s, path.join(dir, 'in'));
      expect(rows).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
    } finally {
      await s.stop();
    }
    // Each round: its executors start, then the state of the step that started them is written,
    // then the next step reads it.
    const rounds = [...new Set(events.filter((e) => e.startsWith('invoke')))];
    expect(rounds.length).toBeGreaterThan(1);
    for (const r of rounds) {
      const started = events.indexOf(r);
      const written = events.indexOf('put state', started);
      expect(written).toBeGreaterThan(started);
      const nextRead = events.indexOf('get state', started);
      expect(nextRead).toBeGreaterThan(written);
    }
  });

  it("with an executor on every core, writes the state once one of the round's executors is done", async () => {
    const dir = tempDir('stratus-behind-cores-');
    fs.mkdirSync(path.join(dir, 'in'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await writeInput(db, path.join(dir, 'in', 'a.parquet'), 0, 150);
    await writeInput(db, path.join(dir, 'in', 'b.parquet'), 150, 150);
    db.closeSync();
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    const runner = s.localRunner;
    runner.cores = 2;
    const events: string[] = [];
    const env = runner.env as { store: (ref: never) => ObjectStore };
    const inner = env.store;
    env.store = (ref) =>
      new Proxy(inner(ref), {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'put') return typeof v === 'function' ? v.bind(target) : v;
          return async (key: string, ...rest: unknown[]) => {
            if (key.endsWith('/state.json')) events.push('put state');
            return (v as (...a: unknown[]) => Promise<unknown>).call(target, key, ...rest);
          };
        },
      });
    const invoke = runner.pool.invoke.bind(runner.pool);
    runner.pool.invoke = async (event) => {
      events.push(`invoke ${event.group.round}`);
      try {
        return await invoke(event);
      } finally {
        events.push(`done ${event.group.round}`);
      }
    };
    try {
      const rows = await countsByP(s, path.join(dir, 'in'));
      expect(rows).toEqual([
        { p: 0, n: 150 },
        { p: 1, n: 150 },
      ]);
    } finally {
      await s.stop();
    }
    const rounds = [...new Set(events.filter((e) => e.startsWith('invoke')).map((e) => e.split(' ')[1]!))];
    const two = rounds.filter((r) => events.filter((e) => e === `invoke ${r}`).length === 2);
    const one = rounds.filter((r) => events.filter((e) => e === `invoke ${r}`).length === 1);
    expect(two.length).toBeGreaterThan(0);
    expect(one.length).toBeGreaterThan(0);
    // Both cores busy: the round's state is written after its first executor is done.
    for (const r of two) {
      const written = events.indexOf('put state', events.indexOf(`invoke ${r}`));
      expect(written).toBeGreaterThan(events.indexOf(`done ${r}`));
    }
    // One executor: a core is free, the state is written while it runs.
    for (const r of one) {
      const written = events.indexOf('put state', events.indexOf(`invoke ${r}`));
      expect(written).toBeLessThan(events.indexOf(`done ${r}`));
    }
  });

  it("reads a succeeded job's result before its final state and lease are written; deletes it after", async () => {
    const dir = tempDir('stratus-behind-end-');
    fs.mkdirSync(path.join(dir, 'in'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await writeInput(db, path.join(dir, 'in', 'a.parquet'), 0, 150);
    db.closeSync();
    const s = session({ store: path.join(dir, 'store'), executors: 2, progress: false });
    const kept = session({ store: path.join(dir, 'kept'), executors: 1, progress: false, keepJobs: true });
    const COUNTS = [
      { p: 0, n: 75 },
      { p: 1, n: 75 },
    ];
    const events: string[] = [];
    const ops = ['get', 'put', 'deleteTree'] as const;
    const original = Object.fromEntries(ops.map((op) => [op, LocalStore.prototype[op]]));
    const spies = ops.map((op) =>
      vi.spyOn(LocalStore.prototype, op).mockImplementation(async function (
        this: LocalStore,
        key: string,
        ...rest: unknown[]
      ) {
        const name = key.split('/').at(-1)!;
        if (key.startsWith('jobs/') && /^(state|lease|result)\.json$/.test(name)) events.push(`${op} ${name}`);
        if (op === 'deleteTree' && /^jobs\/[^/]+$/.test(key)) events.push('delete job');
        return (original[op] as (...a: unknown[]) => Promise<never>).call(this, key, ...rest);
      } as never),
    );
    try {
      expect(await countsByP(s, path.join(dir, 'in'))).toEqual(COUNTS);
      events.push('collected');
      await s.stop();
      // The result is read and the collect returns; then the final state and the lease's
      // release land, and the job is deleted after them.
      const read = events.indexOf('get result.json');
      const finalState = events.lastIndexOf('put state.json');
      const released = events.lastIndexOf('put lease.json');
      expect(read).toBeGreaterThan(-1);
      expect(events.indexOf('collected')).toBeGreaterThan(read);
      expect(finalState).toBeGreaterThan(events.indexOf('collected'));
      expect(released).toBeGreaterThan(finalState);
      // deleteTree is the store's or the idle deleter's thread (not seen here): after the release.
      const deleted = events.indexOf('delete job');
      if (deleted >= 0) expect(deleted).toBeGreaterThan(released);

      // A kept job's record is complete when collect returns.
      expect(await countsByP(kept, path.join(dir, 'in'))).toEqual(COUNTS);
      const job = path.join(dir, 'kept', 'jobs', kept.lastJobId!);
      const json = (file: string) => JSON.parse(fs.readFileSync(path.join(job, file), 'utf8'));
      expect(json('state.json').status).toBe('succeeded');
      expect(json('lease.json').released).toBe(true);
    } finally {
      for (const spy of spies) spy.mockRestore();
      await s.stop();
      await kept.stop();
    }
  });
});
