/**
 * A limit without an order stops a scan early, while it is still prefetching the next row group:
 * the scan must let that read finish before freeing the Parquet file (it used to crash with
 * "attempted to take ownership of Rust value while it was borrowed"). Checked on a file of 8 row
 * groups through limit, take, head and show, and against DuckDB for the rows a limit may return.
 */
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { col, session, type DataFrame, type Session } from '../src/index.js';
import { tempDir } from './support/tpch.js';

let s: Session;
let df: DataFrame;

beforeAll(async () => {
  const dir = tempDir('stratus-scanlimit-');
  const file = path.join(dir, 'rows.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT i::INTEGER AS id, (i % 13)::BIGINT AS k, 'row ' || i AS s FROM range(16384) AS t(i) ORDER BY i)
       TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
  const groups = await connection.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${file}')`);
  expect(Number(groups.getRows()[0]![0])).toBe(8);
  connection.closeSync();
  instance.closeSync();
  s = session({ store: tempDir(), executors: 1, progress: false });
  df = s.read.parquet(file);
});
afterAll(async () => {
  await s?.stop();
});

describe('limit without orderBy on a file of several row groups', () => {
  for (const n of [0, 1, 2047, 2048, 2049, 5000]) {
    it(`limit(${n}) returns ${n} distinct rows of the file`, async () => {
      const t = await df.limit(n).collect();
      expect(t.numRows).toBe(n);
      const ids = new Set(Array.from({ length: n }, (_, i) => Number(t.getChild('id')!.get(i))));
      expect(ids.size).toBe(n);
      for (const id of ids) expect(id >= 0 && id < 16384).toBe(true);
    });
  }

  it('limit after a filter that rejects whole row groups', async () => {
    const t = await df.filter(col('id').gt(15000)).limit(3).collect();
    expect(t.numRows).toBe(3);
    for (let i = 0; i < 3; i++) expect(Number(t.getChild('id')!.get(i))).toBeGreaterThan(15000);
  });

  it('take, head and show', async () => {
    expect(await df.take(2)).toHaveLength(2);
    expect(await df.head()).toHaveLength(1);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await df.show(5);
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]![0])).toContain('row ');
    } finally {
      log.mockRestore();
    }
  });

  it('many limits in a row leave the executor healthy', async () => {
    for (let k = 0; k < 5; k++) expect((await df.limit(1).collect()).numRows).toBe(1);
    expect(await df.count()).toBe(16384);
  });
});
