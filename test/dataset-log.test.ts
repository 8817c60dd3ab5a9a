/**
 * The dataset log's reader and writer primitives (src/runtime/datasetLog.ts), on a local store:
 * put-if-absent names one winner per version; a directory Stratus wrote is its newest snapshot;
 * a reader that listed a plain directory while the first commit there began still reads the
 * old files, because that commit records them as version 0 before it changes anything.
 */
import { describe, expect, it } from 'vitest';
import { LocalStore } from '../src/storage/local/store.js';
import type { ObjectStore } from '../src/storage/store.js';
import { createSnapshot, datasetObjects, latestSnapshot, type Snapshot } from '../src/runtime/datasetLog.js';
import { tempDir } from './support/tpch.js';

const bytes = new Uint8Array([1, 2, 3]);
const snapshot = (version: number, jobId: string, files: string[]): Snapshot => ({
  format: 'stratus-dataset/1',
  version,
  jobId,
  nonce: `${jobId}-n`,
  files: files.map((path) => ({ path, size: bytes.byteLength })),
  committedAt: new Date(0).toISOString(),
});
const keys = (objects: { key: string }[]) => objects.map((o) => o.key).sort();

describe('dataset log', () => {
  it('put-if-absent creates once; a snapshot version has exactly one writer', async () => {
    const store = new LocalStore(tempDir());
    expect(await store.putIfAbsent('x/one', bytes)).toBe(true);
    expect(await store.putIfAbsent('x/one', new Uint8Array([9]))).toBe(false);
    expect(await store.get('x/one')).toEqual(bytes);
    expect(await createSnapshot(store, 'd', snapshot(1, 'job-a', ['a.parquet']))).toBe(true);
    expect(await createSnapshot(store, 'd', snapshot(1, 'job-b', ['b.parquet']))).toBe(false);
    expect((await latestSnapshot(store, 'd'))?.jobId).toBe('job-a');
  });

  it("a directory with a log is its newest snapshot's files, whatever else the directory holds", async () => {
    const store = new LocalStore(tempDir());
    for (const k of ['d/a.parquet', 'd/b.parquet', 'd/stray.parquet']) await store.put(k, bytes);
    await createSnapshot(store, 'd', snapshot(0, 'adopted', ['a.parquet']));
    await createSnapshot(store, 'd', snapshot(1, 'job', ['a.parquet', 'b.parquet']));
    expect(keys(await datasetObjects(store, 'd', 'file:///d'))).toEqual(['d/a.parquet', 'd/b.parquet']);
    // A glob names its files itself.
    expect(keys(await datasetObjects(store, 'd/*.parquet', 'file:///d/*.parquet'))).toHaveLength(3);
    // A log whose newest version holds nothing: the dataset does not exist.
    await createSnapshot(store, 'e', snapshot(0, 'adopted', []));
    await expect(datasetObjects(store, 'e', 'file:///e')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a reader listing a plain directory while the first commit starts reads the old files', async () => {
    const inner = new LocalStore(tempDir());
    for (const k of ['d/a.parquet', 'd/b.parquet']) await inner.put(k, bytes);
    // The commit starts between the reader's look at the log and its listing of the directory:
    // it adopts the listing as version 0, then copies a new file in.
    let started = false;
    const store: ObjectStore = Object.assign(Object.create(inner) as ObjectStore, {
      async list(prefix: string) {
        if (prefix === 'd/' && !started) {
          started = true;
          await createSnapshot(inner, 'd', snapshot(0, 'adopted', ['a.parquet', 'b.parquet']));
          await inner.put('d/c-new.parquet', bytes);
        }
        return inner.list(prefix);
      },
    });
    expect(keys(await datasetObjects(store, 'd', 'file:///d'))).toEqual(['d/a.parquet', 'd/b.parquet']);
    expect(started).toBe(true);
  });
});
