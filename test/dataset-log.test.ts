/**
 * The dataset log's reader and writer primitives (src/runtime/datasetLog.ts), on a local store:
 * put-if-absent names one winner per version; a directory Stratus wrote is its newest snapshot;
 * a reader that listed a plain directory while the first commit there began still reads the
 * old files, because that commit records them as version 0 before it changes anything.
 * Put-if-absent on S3 semantics (the test server answers `If-None-Match: *` as S3 does: 412 when
 * the key exists): one winner among racing creators, and S3's 409 ConditionalRequestConflict
 * retried (injected by the fault proxy).
 */
import { describe, expect, inject, it } from 'vitest';
import { LocalStore } from '../src/storage/local/store.js';
import type { ObjectStore } from '../src/storage/store.js';
import { createSnapshot, datasetObjects, latestSnapshot, type Snapshot } from '../src/runtime/datasetLog.js';
import { tempDir } from './support/tpch.js';
import { startFaultProxy } from './support/faultproxy.js';
import { s3Store, uniquePrefix } from './support/s3data.js';

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

describe('put-if-absent with S3 semantics', () => {
  const s3 = () => s3Store({ endpoint: inject('s3Endpoint'), bucket: inject('s3Bucket'), prefix: uniquePrefix('log') });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it('creates once: a second create of the key is refused (412) and changes nothing', async () => {
    const store = s3();
    expect(await store.putIfAbsent('x/one', bytes)).toBe(true);
    expect(await store.putIfAbsent('x/one', new Uint8Array([9]))).toBe(false);
    expect(await store.get('x/one')).toEqual(bytes);
    expect(store.stats.retries).toBe(0);
  });

  it('of eight creators racing for one key exactly one wins, and the object is its body', async () => {
    const store = s3();
    const won = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putIfAbsent('race/key', new TextEncoder().encode(`writer-${i}`))),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(text(await store.get('race/key'))).toBe(`writer-${won.indexOf(true)}`);
  });

  it('of six commits racing for one dataset version exactly one creates it', async () => {
    const store = s3();
    const won = await Promise.all(
      Array.from({ length: 6 }, (_, i) => createSnapshot(store, 'd', snapshot(1, `job-${i}`, [`f${i}.parquet`]))),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await latestSnapshot(store, 'd'))?.jobId).toBe(`job-${won.indexOf(true)}`);
  });

  it("S3's 409 ConditionalRequestConflict is retried: the create succeeds, or is refused if the key exists", async () => {
    const proxy = await startFaultProxy(inject('s3Endpoint'), { conditionalConflict: 0.4 }, 7);
    try {
      const store = s3Store({ endpoint: proxy.endpoint, bucket: inject('s3Bucket'), prefix: uniquePrefix('log409') });
      for (let i = 0; i < 8; i++) expect(await store.putIfAbsent(`k/${i}`, bytes)).toBe(true);
      for (let i = 0; i < 8; i++) expect(await store.putIfAbsent(`k/${i}`, new Uint8Array([9]))).toBe(false);
      expect(proxy.stats.conflicts).toBeGreaterThan(0);
      expect(store.stats.retries).toBe(proxy.stats.conflicts);
      for (let i = 0; i < 8; i++) expect(await store.get(`k/${i}`)).toEqual(bytes);
    } finally {
      await proxy.stop();
    }
  });
});
