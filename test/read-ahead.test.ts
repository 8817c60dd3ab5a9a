/**
 * Reads ahead of use (ObjectStore.getRange's `ahead`): the late-materializing scan reads the next
 * row group's chunks while it decodes this one, and asks for them `ahead`; the local store then
 * reads them on libuv's pool, however small, so a page not in memory does not block the executor
 * thread on the disk (its small reads are otherwise synchronous: LOCAL_SYNC_BYTES).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { RangeReader } from '../operators/parquet.js';
import { scanRowGroups } from '../operators/scan.js';
import { batchRows } from '../operators/vector.js';
import { syncCall } from '../operators/wasm.js';
import { LocalStore } from '../src/storage/local/store.js';
import { tempDir } from './support/tpch.js';

const dir = tempDir('stratus-read-ahead-');

/** Whether `p` settles within `turns` microtask turns (a read done on this thread does). */
async function settlesOnThisThread(p: Promise<unknown>, turns = 10): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < turns && !settled; i++) await Promise.resolve();
  return settled;
}

describe('read ahead', () => {
  it('the local store reads a small range ahead on the pool, the same bytes', async () => {
    const store = new LocalStore(path.join(dir, 'store'));
    const body = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) & 255);
    await store.put('a/b.bin', body);

    const now = store.getRange('a/b.bin', 100, 2100);
    expect(await settlesOnThisThread(now)).toBe(true);
    const ahead = store.getRange('a/b.bin', 100, 2100, true);
    expect(await settlesOnThisThread(ahead)).toBe(false);
    expect(await ahead).toEqual(await now);
    expect(await store.getRange('a/b.bin', 4000, 5000, true)).toEqual(body.subarray(4000)); // short at the end
    await expect(store.getRange('a/missing.bin', 0, 10, true)).rejects.toThrow(/a\/missing\.bin/);
  });

  it('a scan reads its first row group now and every later one ahead', async () => {
    const rows = 3000;
    const ipc = A.tableToIPC(
      new A.Table({
        id: A.makeVector(Int32Array.from({ length: rows }, (_, i) => i)),
        x: A.makeVector(Float64Array.from({ length: rows }, (_, i) => i * 0.5)),
      }),
      'stream',
    );
    const bytes = syncCall((pw) =>
      pw.writeParquet(
        pw.Table.fromIPCStream(ipc),
        new pw.WriterPropertiesBuilder().setMaxRowGroupSize(1000).setCompression(pw.Compression.SNAPPY).build(),
      ),
    );
    const file = path.join(dir, 'groups.parquet');
    fs.writeFileSync(file, bytes);
    const whole = fs.readFileSync(file);
    const reads: { start: number; end: number; ahead: boolean }[] = [];
    const r: RangeReader = {
      name: file,
      size: whole.length,
      read: async (start, end, ahead) => {
        reads.push({ start, end, ahead: ahead === true });
        return new Uint8Array(whole.subarray(start, end));
      },
    };
    const schema = [
      { name: 'id', type: 'int32' as const, nullable: true },
      { name: 'x', type: 'float64' as const, nullable: true },
    ];
    const got: unknown[] = [];
    for await (const b of scanRowGroups(r, [0, 1, 2], { columns: ['id', 'x'], filters: [], schema }, {}))
      for (const row of batchRows(b)) got.push(row);
    expect(got).toEqual(Array.from({ length: rows }, (_, i) => ({ id: i, x: i * 0.5 })));

    // Chunk reads (after the footer's): row group 0's not ahead, row groups 1 and 2's ahead.
    const chunkReads = reads.filter((x) => x.end < whole.length - 8);
    const byAhead = (ahead: boolean) => chunkReads.filter((x) => x.ahead === ahead).map((x) => x.start);
    const lastNow = Math.max(...byAhead(false));
    expect(byAhead(false).length).toBeGreaterThan(0);
    expect(byAhead(true).length).toBeGreaterThan(0);
    expect(byAhead(true).every((s) => s > lastNow)).toBe(true);
  });

  it('a read ahead, a large read and a large write each take one round trip through the pool', async () => {
    // Issued when asked for and done while this thread computes: once it has been busy, the
    // next turn of the event loop finds the bytes (opening, reading and closing each on the
    // pool took three turns, each waiting for this thread when every core runs an executor).
    const store = new LocalStore(path.join(dir, 'turns'));
    const big = Uint8Array.from({ length: (1 << 20) + 4096 }, (_, i) => (i * 7) & 255);
    fs.mkdirSync(path.join(dir, 'turns', 'a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'turns', 'a', 'big.bin'), big);
    // Started in the check phase (setImmediate), so that the next turn's poll phase is the first
    // to look for the pool's completions.
    const turnsAfterBusy = async <T>(start: () => Promise<T>): Promise<{ turns: number; value: T }> => {
      await new Promise((resolve) => setImmediate(resolve));
      let settled = false;
      const p = start();
      void p.then(
        () => (settled = true),
        () => (settled = true),
      );
      const until = performance.now() + 100;
      while (performance.now() < until); // this thread busy (decoding a row group)
      let turns = 0;
      while (!settled) {
        await new Promise((resolve) => setImmediate(resolve));
        turns++;
      }
      return { turns, value: await p };
    };
    // (Buffer.equals: toEqual compares a MiB element by element.)
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
    const ahead = await turnsAfterBusy(() => store.getRange('a/big.bin', 100, 2100, true));
    expect(ahead.turns).toBe(1);
    expect(same(ahead.value, big.subarray(100, 2100))).toBe(true);
    const large = await turnsAfterBusy(() => store.getRange('a/big.bin', 0, big.length));
    expect(large.turns).toBe(1);
    expect(same(large.value, big)).toBe(true);
    const whole = await turnsAfterBusy(() => store.get('a/big.bin'));
    expect(whole.turns).toBe(1);
    expect(same(whole.value, big)).toBe(true);
    const put = await turnsAfterBusy(() => store.put('b/c/copy.bin', [big.subarray(0, 1000), big.subarray(1000)]));
    expect(put.turns).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'turns', 'b', 'c', 'copy.bin')).equals(big)).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'turns', 'b', 'c'))).toEqual(['copy.bin']);
    expect(await store.putIfAbsent('b/c/copy.bin', big)).toBe(false);
    expect(await store.putIfAbsent('b/c/other.bin', big)).toBe(true);
    expect(same(await store.get('b/c/other.bin'), big)).toBe(true);
    await expect(store.get('a/missing.bin')).rejects.toThrow(/a\/missing\.bin/);
  });
});
