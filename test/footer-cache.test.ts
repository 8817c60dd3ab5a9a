/**
 * The planner's footer cache (src/runtime/catalog.ts): a file's footer is parsed once per
 * instance while its footer bytes stay the same, and parsed again once the file is rewritten.
 */
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { scan } from '../planner/plan.js';
import { loadDatasets } from '../src/runtime/catalog.js';
import { cachedStore, type RuntimeEnv } from '../src/runtime/env.js';
import { tempDir } from './support/tpch.js';

const env: RuntimeEnv = { store: cachedStore, remainingMillis: () => 60_000, log: () => {} };

async function writeParquet(file: string, rows: number): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT range AS a, range * 2 AS b FROM range(${rows})) TO '${file}' (FORMAT parquet)`);
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
});
