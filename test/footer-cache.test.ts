/**
 * The planner's footer cache (src/runtime/catalog.ts): a file's footer is parsed once per
 * instance while its footer bytes stay the same, and parsed again once the file is rewritten.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { scan, union } from '../planner/plan.js';
import { loadDatasets } from '../src/runtime/catalog.js';
import { cachedStore, type RuntimeEnv } from '../src/runtime/env.js';
import type { ObjectStore } from '../src/storage/store.js';
import { tempDir } from './support/tpch.js';

const env: RuntimeEnv = { store: cachedStore, remainingMillis: () => 60_000, log: () => {} };

async function writeParquet(file: string, rows: number, tag = 'x'): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT range AS a, range * 2 AS b, '${tag}' AS c FROM range(${rows})) TO '${file}' (FORMAT parquet)`,
  );
  c.closeSync();
}

describe('footer cache', () => {
  it('gives the same parse for unchanged bytes and a new one for a file rewritten in place', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'part-0.parquet');
    await writeParquet(file, 3);
    const footer = async () => (await loadDatasets(scan(dir), env)).files.get(dir)![0]!.footer;
    const first = await footer();
    expect(first.numRows).toBe(3);
    expect(await footer()).toBe(first);
    await writeParquet(file, 5);
    const rewritten = await footer();
    expect(rewritten).not.toBe(first);
    expect(rewritten.numRows).toBe(5);
    expect(await footer()).toBe(rewritten);
  });

  it('checks a cached footer by reading only its own bytes from the end, and parses a same-size rewrite again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'part-0.parquet');
    await writeParquet(file, 3);
    const reads: [number, number][] = [];
    const counting: RuntimeEnv = {
      ...env,
      store: (ref) =>
        new Proxy(cachedStore(ref), {
          get(target, prop, receiver) {
            const v = Reflect.get(target, prop, receiver);
            if (prop !== 'getRange') return typeof v === 'function' ? v.bind(target) : v;
            return (key: string, a: number, b: number) => {
              if (key.endsWith('.parquet')) reads.push([a, b]);
              return target.getRange(key, a, b);
            };
          },
        }),
    };
    const load = async () => (await loadDatasets(scan(dir), counting)).files.get(dir)![0]!;
    const first = await load();
    reads.length = 0;
    const again = await load();
    expect(again.footer).toBe(first.footer);
    // One read: the footer, its length and the magic (the file is smaller than a footer fetch).
    const footerBytes = new DataView((await readFile(file)).buffer).getUint32(first.size - 8, true) + 8;
    expect(reads).toEqual([[first.size - footerBytes, first.size]]);
    // Rewritten in place with another value of the same width: same size, other statistics.
    await writeParquet(file, 3, 'y');
    const rewritten = await load();
    expect(rewritten.size).toBe(first.size);
    expect(rewritten.footer).not.toBe(first.footer);
    expect(rewritten.footer.rowGroups[0]!.stats.c!.min).toBe('y');
  });

  it("loads a plan's datasets side by side, each read before the other's footer arrives; the catalog in scan order", async () => {
    const dirs = [tempDir(), tempDir()];
    for (const [i, d] of dirs.entries()) await writeParquet(path.join(d, 'part-0.parquet'), 3 + i);
    // A store whose footer reads take 100 ms: a dataset loaded after another starts 100 ms later.
    const calls: { key: string; at: number; end?: number }[] = [];
    const slow = (inner: ObjectStore): ObjectStore =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (typeof v !== 'function') return v;
          return async (...args: unknown[]) => {
            const call: { key: string; at: number; end?: number } = { key: String(args[0]), at: performance.now() };
            calls.push(call);
            if (prop === 'getRange') await new Promise((r) => setTimeout(r, 100));
            try {
              return await v.apply(target, args);
            } finally {
              call.end = performance.now();
            }
          };
        },
      });
    const slowEnv: RuntimeEnv = { ...env, store: (ref) => slow(cachedStore(ref)) };
    const ds = await loadDatasets(union([scan(dirs[1]!), scan(dirs[0]!)], false), slowEnv);
    expect([...ds.catalog.keys()]).toEqual([dirs[1], dirs[0]]);
    expect(ds.files.get(dirs[0]!)![0]!.footer.numRows).toBe(3);
    expect(ds.files.get(dirs[1]!)![0]!.footer.numRows).toBe(4);
    const key = (d: string) => d.replace(/^\/+/, '');
    const firstCall = (d: string) => Math.min(...calls.filter((c) => c.key.startsWith(key(d))).map((c) => c.at));
    const footerRead = calls.find((c) => c.key.startsWith(key(dirs[1]!)) && c.key.endsWith('.parquet'));
    expect(footerRead?.end).toBeDefined();
    expect(firstCall(dirs[0]!)).toBeLessThan(footerRead!.end!);
  });
});
