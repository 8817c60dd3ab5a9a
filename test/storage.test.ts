/**
 * The storage facade: one backend registry, one URL module (parse, normalise, locate; unknown
 * schemes refused), data locations inheriting the job store's settings, and physical keys
 * resolved by the store — down to the Distributed Map's ItemReader input (issue 9, bug 3), on
 * the shared s3rver (test/support/s3-global-setup.ts).
 */
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { StorageError } from '../planner/errors.js';
import { PLAN_VERSION } from '../planner/plan.js';
import { count, session, type Session } from '../src/index.js';
import { newJobId, submitJob } from '../src/runtime/client.js';
import { runDriverStep } from '../src/runtime/driver.js';
import { cachedStore, defaultEnv } from '../src/runtime/env.js';
import type { DriverOutput, GroupRef } from '../src/runtime/protocol.js';
import { BACKENDS, openStore } from '../src/storage/backends.js';
import { LocalStore } from '../src/storage/local/store.js';
import { S3Store } from '../src/storage/s3/store.js';
import { getJson, type StoreRef } from '../src/storage/store.js';
import { jobKeys } from '../src/runtime/jobState.js';
import type { StagePlan } from '../planner/stages.js';
import { inheritSettings, locate, normalizeDataUrl, openLocation, parseStoreUrl, urlOf } from '../src/storage/url.js';
import { classifyFailure, RetriesExhausted, withRetry } from '../src/util/retry.js';
import { uniquePrefix } from './support/s3data.js';
import { tempDir } from './support/tpch.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const run = uniquePrefix('storage');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function thrown(f: () => unknown): StorageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error('expected a StorageError, nothing was thrown');
}

describe('URL module', () => {
  it('refuses an unknown scheme everywhere a URL enters, naming the URL and the supported schemes', () => {
    for (const url of ['gs://bucket/x', 'hdfs://namenode:8020/data', 'https://example.com/a.parquet']) {
      for (const parse of [parseStoreUrl, normalizeDataUrl, locate]) {
        const e = thrown(() => parse(url));
        expect(e.code).toBe('UNSUPPORTED_SCHEME');
        expect(e.message).toContain(`'${url}'`);
        expect(e.message).toContain('s3://bucket/prefix');
        expect(e.message).toContain('file:///path');
        expect(e.details).toMatchObject({ url, supported: ['file:///path or a local path', 's3://bucket/prefix'] });
      }
    }
  });

  it('refuses an unknown scheme in the DSL, before anything runs', () => {
    const s = session({ store: tempDir('stratus-storage-'), progress: false });
    const e = thrown(() => s.read.parquet('gs://bucket/orders'));
    expect(e.message).toMatch(/unsupported URL scheme 'gs:\/\/' in 'gs:\/\/bucket\/orders'/);
  });

  it('refuses an s3 URL without a bucket instead of reading it as a local path', () => {
    expect(thrown(() => locate('s3:///key')).code).toBe('BAD_URL');
    expect(thrown(() => parseStoreUrl('s3://')).code).toBe('BAD_URL');
    expect(thrown(() => parseStoreUrl('s3://?endpoint=http://h:1')).code).toBe('BAD_URL');
    expect(thrown(() => parseStoreUrl('s3://bkt:port/p')).message).toMatch(
      /store URL 's3:\/\/bkt:port\/p' is malformed/,
    );
  });

  it('normalises data URLs: local paths become absolute file URLs, s3 URLs keep their key as written', () => {
    expect(normalizeDataUrl('/tmp/a/../b/x.parquet')).toBe('file:///tmp/b/x.parquet');
    expect(normalizeDataUrl('rel/dir')).toBe(`file://${path.resolve('rel/dir')}`);
    expect(normalizeDataUrl('file:///tmp/d')).toBe('file:///tmp/d');
    expect(normalizeDataUrl('S3://bkt/dir/part-?.parquet')).toBe('s3://bkt/dir/part-?.parquet');
  });

  it('locates data URLs in their container and names the files found there by URL', () => {
    expect(locate('s3://bkt/a/b/')).toEqual({ ref: { kind: 's3', bucket: 'bkt', prefix: '' }, key: 'a/b' });
    expect(locate('file:///tmp/x/')).toEqual({ ref: { kind: 'local', root: '/' }, key: 'tmp/x' });
    const s3 = locate('s3://bkt/a');
    expect(urlOf(s3.ref, 'a/part-0.parquet')).toBe('s3://bkt/a/part-0.parquet');
    const local = locate('/tmp/x');
    expect(urlOf(local.ref, 'tmp/x/part-0.parquet')).toBe('file:///tmp/x/part-0.parquet');
    expect(urlOf({ kind: 's3', bucket: 'b', prefix: 'p/q' }, '')).toBe('s3://b/p/q');
    expect(urlOf({ kind: 'local', root: '/tmp/st' }, 'jobs/1')).toBe('file:///tmp/st/jobs/1');
  });

  it('parses store URL settings, forcePathStyle included', () => {
    expect(parseStoreUrl('s3://bkt/p?forcePathStyle=false&region=eu-west-1')).toEqual({
      kind: 's3',
      bucket: 'bkt',
      prefix: 'p',
      region: 'eu-west-1',
      forcePathStyle: false,
    });
  });
});

describe('data locations inherit the job store settings through one helper', () => {
  const job: StoreRef = {
    kind: 's3',
    bucket: 'jobs',
    prefix: 'stratus/run',
    endpoint: 'http://127.0.0.1:9',
    region: 'eu-west-1',
    forcePathStyle: true,
    hashedPrefixes: true,
  };

  it('takes endpoint, region and path style, never the key layout', () => {
    expect(locate('s3://data/tpch/orders', job)).toEqual({
      ref: {
        kind: 's3',
        bucket: 'data',
        prefix: '',
        endpoint: 'http://127.0.0.1:9',
        region: 'eu-west-1',
        forcePathStyle: true,
      },
      key: 'tpch/orders',
    });
  });

  it('keeps a setting the location has, and leaves other kinds alone', () => {
    const own: StoreRef = { kind: 's3', bucket: 'd', prefix: '', region: 'us-west-2' };
    expect(inheritSettings(own, job)).toMatchObject({ region: 'us-west-2', endpoint: 'http://127.0.0.1:9' });
    expect(locate('/tmp/data', job).ref).toEqual({ kind: 'local', root: '/' });
    expect(locate('s3://d/k', { kind: 'local', root: '/tmp/x' }).ref).toEqual({ kind: 's3', bucket: 'd', prefix: '' });
  });
});

describe('backend registry', () => {
  it('has one entry per store kind, with disjoint schemes', () => {
    const schemes = Object.values(BACKENDS).flatMap((b) => b.schemes);
    expect(new Set(schemes).size).toBe(schemes.length);
    expect(Object.keys(BACKENDS).sort()).toEqual(['local', 's3']);
  });

  it('is the one place a store is opened: the runtime cache opens through it', () => {
    const root = tempDir('stratus-storage-');
    expect(cachedStore({ kind: 'local', root })).toBeInstanceOf(LocalStore);
    const s3 = cachedStore({ kind: 's3', bucket, prefix: `${run}/cached`, endpoint });
    expect(s3.url).toBe(`s3://${bucket}/${run}/cached`);
    expect(openStore({ kind: 's3', bucket, prefix: `${run}/cached`, endpoint }).url).toBe(s3.url);
  });
});

describe('physical keys are resolved by the store', () => {
  it('local: the file path of a key', () => {
    const root = tempDir('stratus-storage-');
    expect(new LocalStore(root).locate('jobs/1/plan.json')).toEqual({
      bucket: '',
      key: `${root.slice(1)}/jobs/1/plan.json`,
    });
  });

  it('s3 with hashed prefixes: locate names the object the store wrote, readable from outside the store', async () => {
    const ref = parseStoreUrl(`s3://${bucket}/${run}/hashed?hashedPrefixes=true`, { endpoint });
    const store = openStore(ref);
    await store.put('jobs/j1/manifests/1/groups.json', enc('[1,2,3]'));
    const where = store.locate('jobs/j1/manifests/1/groups.json');
    expect(where.bucket).toBe(bucket);
    expect(where.key).toMatch(new RegExp(`^${run}/hashed/[0-9a-f]/jobs/j1/manifests/1/groups\\.json$`));
    // A raw client at the bucket root (no layout) finds the object at exactly that key...
    const raw = new S3Store({ bucket, prefix: '', endpoint, straggler: { enabled: false } });
    expect(dec(await raw.get(where.key))).toBe('[1,2,3]');
    // ...and so does the facade's reader of physical locations.
    const l = openLocation(ref, where);
    expect(l.ref).toMatchObject({ kind: 's3', bucket, prefix: '', endpoint });
    expect(dec(await openStore(l.ref).get(l.key))).toBe('[1,2,3]');
  });
});

describe('one retry module for S3 and SSM', () => {
  const sdk = (name: string, status?: number, extra: object = {}) =>
    Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

  it('classifies throttling, transient and fatal failures of either service with one list', () => {
    for (const e of [
      sdk('SlowDown', 503),
      sdk('ThrottlingException', 400),
      sdk('TooManyUpdates', 400),
      sdk('Whatever', 429),
      sdk('Whatever', 400, { $retryable: { throttling: true } }),
    ])
      expect(classifyFailure(e), e.name).toBe('throttled');
    for (const e of [
      sdk('InternalError', 500),
      sdk('InternalServerError', 500),
      sdk('ServiceUnavailable', 503),
      sdk('RequestTimeout', 400),
      sdk('TruncatedBody'),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      sdk('Whatever', 400, { $retryable: {} }),
    ])
      expect(classifyFailure(e), e.message).toBe('transient');
    for (const e of [
      sdk('NoSuchKey', 404),
      sdk('AccessDeniedException', 400),
      sdk('NotImplemented', 501),
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      undefined,
    ])
      expect(classifyFailure(e)).toBe('fatal');
  });

  it('retries with full-jitter backoff, reports each retry, and says why it gave up', async () => {
    const sleeps: number[] = [];
    const retries: number[] = [];
    let calls = 0;
    const e = await withRetry(
      async () => {
        calls++;
        throw sdk('SlowDown', 503);
      },
      {
        maxAttempts: 4,
        baseMs: 100,
        capMs: 300,
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
        onRetry: (_e, n) => retries.push(n),
      },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RetriesExhausted);
    expect(e).toMatchObject({ attempts: 4, kind: 'throttled' });
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 150]); // 0.5 × min(cap, 100·2^(n-1))
    expect(retries).toEqual([1, 2, 3]);
    const denied = sdk('AccessDenied', 403);
    await expect(withRetry(() => Promise.reject(denied), { sleep: async () => {} })).rejects.toBe(denied);
  });
});

/** A Parquet file of 150,000 integers in 74 row groups (DuckDB writes it). */
async function manyRowGroups(): Promise<string> {
  const file = path.join(tempDir('stratus-storage-rg-'), 'x.parquet');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT range AS x FROM range(150000)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  db.closeSync();
  return file;
}

describe('bug 3: the Distributed Map reads the group list where the store wrote it', () => {
  const open: Session[] = [];
  afterAll(async () => {
    await Promise.all(open.map((s) => s.stop()));
  });
  const job = { taskBytes: 1, workers: 1, maxExecutors: 100 };

  it('the driver routes the ItemReader to the physical key of the group list (hashed prefixes, > 40 groups)', async () => {
    const file = await manyRowGroups();
    const s = session({ store: `s3://${bucket}/${run}/bug3?hashedPrefixes=true`, endpoint, progress: false });
    open.push(s);
    const jobId = newJobId();
    const store = cachedStore(s.storeRef);
    await submitJob(store, jobId, {
      plan: {
        version: PLAN_VERSION,
        root: s.read.parquet(file).agg(count('*').alias('n')).plan,
        sink: { kind: 'collect' },
      },
      options: job,
      submittedAt: new Date().toISOString(),
    });
    let out: DriverOutput;
    do out = await runDriverStep({ job: { jobId, store: s.storeRef }, results: [] }, defaultEnv());
    while (out.action === 'run_driver');
    expect(out.action).toBe('run_executors');
    expect(out.distributed).toBe(true);
    // What Step Functions' ItemReader gets: Bucket and Key, read with no knowledge of the layout.
    const { bucket: Bucket, key: Key } = out.groupList!;
    expect(Bucket).toBe(bucket);
    const raw = new S3Store({ bucket: Bucket, prefix: '', endpoint, straggler: { enabled: false } });
    const groups = JSON.parse(dec(await raw.get(Key))) as GroupRef[];
    expect(groups.length).toBeGreaterThan(40);
    // The job store's backend chose the shuffle codec (S3: compressed).
    expect((await getJson<StagePlan>(store, jobKeys(jobId).stages)).shuffleCodec).toBe('brotli');
  });

  it('a local job store plans uncompressed shuffles (the backend entry decides)', async () => {
    const file = await manyRowGroups();
    const s = session({ store: tempDir('stratus-storage-'), progress: false });
    open.push(s);
    const jobId = newJobId();
    const store = cachedStore(s.storeRef);
    await submitJob(store, jobId, {
      plan: { version: PLAN_VERSION, root: s.read.parquet(file).plan, sink: { kind: 'collect' } },
      options: {},
      submittedAt: new Date().toISOString(),
    });
    await runDriverStep({ job: { jobId, store: s.storeRef }, results: [] }, defaultEnv());
    expect((await getJson<StagePlan>(store, jobKeys(jobId).stages)).shuffleCodec).toBe('none');
  });

  it('runs such a round end to end through the local runner, with the right answer', async () => {
    const file = await manyRowGroups();
    const s = session({
      store: `s3://${bucket}/${run}/bug3-e2e?hashedPrefixes=true`,
      endpoint,
      executors: 2,
      progress: false,
      job,
    });
    open.push(s);
    const rows = await s.read.parquet(file).agg(count('*').alias('n')).take(1);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const expected = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file}'`)).getRowObjects()[0]!.n;
    db.closeSync();
    expect(rows[0]!.n).toBe(expected);
    expect(s.localRunner.actions).toContain('run_executors:distributed');
  });
});
