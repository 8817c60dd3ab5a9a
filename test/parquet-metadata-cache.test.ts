/**
 * The executor's raw footer cache (operators/parquet.ts fileMetadata): a file's footer is parsed
 * once per instance while its footer bytes stay the same, and parsed again once it is rewritten.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { fileMetadata, type RangeReader } from '../operators/parquet.js';
import { tempDir } from './support/tpch.js';

async function writeParquet(file: string, rows: number, tag: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT range AS a, range * 2 AS b, '${tag}' AS c FROM range(${rows})) TO '${file}' (FORMAT parquet)`,
  );
  c.closeSync();
}

/** A reader over the file as it is now, logging its reads. */
async function reader(file: string, reads: [number, number][]): Promise<RangeReader> {
  const bytes = new Uint8Array(await readFile(file));
  return {
    name: file,
    size: bytes.byteLength,
    read: async (a, b) => {
      reads.push([a, b]);
      return bytes.slice(a, b);
    },
  };
}

describe('raw footer cache', () => {
  it('parses an unchanged file once, checking it by its footer bytes, and a same-size rewrite again', async () => {
    const file = path.join(tempDir(), 'part-0.parquet');
    await writeParquet(file, 3, 'x');
    const reads: [number, number][] = [];
    const first = await fileMetadata(await reader(file, reads));
    expect(Number(first.num_rows)).toBe(3);
    reads.length = 0;
    const r = await reader(file, reads);
    expect(await fileMetadata(r)).toBe(first);
    // One read: the footer, its length and the magic.
    const footerBytes = new DataView((await readFile(file)).buffer).getUint32(r.size - 8, true) + 8;
    expect(reads).toEqual([[r.size - footerBytes, r.size]]);
    // Rewritten in place with another value of the same width: same size, other statistics.
    await writeParquet(file, 3, 'y');
    const rewritten = await fileMetadata(await reader(file, reads));
    expect(rewritten).not.toBe(first);
    const stats = rewritten.row_groups[0]!.columns[2]!.meta_data!.statistics!;
    expect(stats.min_value ?? stats.min).toBe('y');
    expect(await fileMetadata(await reader(file, reads))).toBe(rewritten);
  });
});
