/**
 * Files of a directory or glob are read in natural order of their keys (src/storage/dataset.ts
 * naturalOrder): part-2 before part-10, as a writer numbering without padding wrote them, so the
 * keys of files each sorted by a key reach scans and build sides ascending.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { scan } from '../planner/plan.js';
import { loadDatasets } from '../src/runtime/catalog.js';
import { cachedStore, type RuntimeEnv } from '../src/runtime/env.js';
import { expandDataset, naturalOrder } from '../src/storage/dataset.js';
import { LocalStore } from '../src/storage/local/store.js';
import { tempDir } from './support/tpch.js';

const env: RuntimeEnv = { store: cachedStore, remainingMillis: () => 60_000, log: () => {} };
const names = (n: number) => Array.from({ length: n }, (_, i) => `part-${i}.parquet`);

describe('natural order of dataset files', () => {
  it('compares digit runs as numbers and the rest by code unit', () => {
    const shuffled = ['part-10.parquet', 'part-2.parquet', 'part-1.parquet', 'part-0.parquet', 'part-19.parquet'];
    expect(shuffled.sort(naturalOrder)).toEqual(
      ['part-0', 'part-1', 'part-2', 'part-10', 'part-19'].map((p) => `${p}.parquet`),
    );
    expect(['d=10/f', 'd=9/f', 'd=09/f'].sort(naturalOrder)).toEqual(['d=09/f', 'd=9/f', 'd=10/f']);
    expect(['b', 'B', 'a1', 'a'].sort(naturalOrder)).toEqual(['B', 'a', 'a1', 'b']);
    expect(naturalOrder('x-7', 'x-7')).toBe(0);
  });

  it('lists a directory and a glob of unpadded part numbers in the order written', async () => {
    const dir = tempDir();
    for (const f of names(12)) writeFileSync(path.join(dir, f), 'PAR1');
    const store = new LocalStore(dir);
    expect((await expandDataset(store, '', dir)).map((o) => o.key)).toEqual(names(12));
    expect((await expandDataset(store, 'part-*.parquet', `${dir}/part-*.parquet`)).map((o) => o.key)).toEqual(
      names(12),
    );
  });

  it('plans the files of a dataset in that order', async () => {
    const dir = tempDir();
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    for (let i = 0; i < 11; i++)
      await c.run(`COPY (SELECT ${i} AS a) TO '${path.join(dir, `part-${i}.parquet`)}' (FORMAT parquet)`);
    c.closeSync();
    const files = (await loadDatasets(scan(dir), env)).files.get(dir)!;
    expect(files.map((f) => path.basename(f.url))).toEqual(names(11));
  });
});
