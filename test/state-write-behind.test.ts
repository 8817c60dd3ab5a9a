/**
 * The local runner lets a driver step's state write run beside the round's executors (it is the
 * costliest write of a step on a local disk: a rename over the previous state), and waits for it
 * before the job's next step: each state write lands after that round's executors were started
 * and before the next step reads the state; the answers are the same. With an executor on every
 * core, the write waits for a core no executor uses: until the round's first executor is done.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { session } from '../src/index.js';
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
});
