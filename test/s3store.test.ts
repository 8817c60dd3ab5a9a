/**
 * S3Store against a local S3-compatible server (s3rver, started once per run by
 * test/support/s3-global-setup.ts), plus a fault-injecting proxy for retries and stragglers.
 * Pure pieces (URL parsing, key layout, backoff, hedging) are tested without a server.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StorageError } from '../planner/errors.js';
import { S3Store, type S3StoreOptions } from '../src/storage/s3/store.js';
import { openStore } from '../src/storage/backends.js';
import { parseStoreUrl } from '../src/storage/url.js';
import { LocalStore } from '../src/storage/local/store.js';
import { diffStats } from '../src/storage/store.js';
import { keyLayout } from '../src/storage/s3/keylayout.js';
import { backoffMs, DEFAULT_RETRY, isRetryable, withRetry } from '../src/util/retry.js';
import { DEFAULT_STRAGGLER, hedged, stragglerDeadlineMs } from '../src/storage/s3/straggler.js';
import { s3Clients } from '../src/storage/s3/client.js';
import { mapLimit } from '../src/util/limit.js';
import { mulberry32, startFaultProxy, type FaultProxy } from './support/faultproxy.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const run = `s3store-${process.pid}-${Date.now().toString(36)}`;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed = 1): Uint8Array {
  const r = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}
const store = (prefix: string, o: Partial<S3StoreOptions> = {}): S3Store =>
  new S3Store({ bucket, prefix: `${run}/${prefix}`, endpoint, straggler: { enabled: false }, ...o });
async function caught(p: Promise<unknown>): Promise<StorageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageError);
  return e as StorageError;
}

describe('S3Store on a local S3 server', () => {
  it('round-trips put/get/getRange/head/list/delete/copy and counts every request', async () => {
    const s = store('basic');
    await s.put('a/x.txt', enc('0123456789'));
    await s.put('a/y ü.txt', enc('héllo')); // 6 bytes; space and non-ASCII in the key
    await s.put('b/z.txt', new Uint8Array(0));
    expect(dec(await s.get('a/x.txt'))).toBe('0123456789');
    expect(dec(await s.getRange('a/x.txt', 2, 5))).toBe('234');
    expect(dec(await s.getRange('a/x.txt', 7, 100))).toBe('789'); // past the end: truncated, like LocalStore
    expect((await s.getRange('a/x.txt', 10, 20)).byteLength).toBe(0); // starts at the end
    expect((await s.get('b/z.txt')).byteLength).toBe(0);
    expect(await s.head('a/y ü.txt')).toEqual({ key: 'a/y ü.txt', size: 6 });
    expect(await s.head('a/missing')).toBeUndefined();
    expect(await s.list('a/')).toEqual([
      { key: 'a/x.txt', size: 10 },
      { key: 'a/y ü.txt', size: 6 },
    ]);
    expect((await s.list('')).map((o) => o.key)).toEqual(['a/x.txt', 'a/y ü.txt', 'b/z.txt']);
    expect((await s.list('a/x')).map((o) => o.key)).toEqual(['a/x.txt']); // prefix ending inside a name
    await s.copy('a/y ü.txt', 'c/copy of y');
    expect(dec(await s.get('c/copy of y'))).toBe('héllo');
    await s.delete(['a/x.txt', 'a/never-existed']);
    expect((await s.list('')).map((o) => o.key)).toEqual(['a/y ü.txt', 'b/z.txt', 'c/copy of y']);
    // Every request counted once; the copy is a PUT with no body bytes.
    expect(s.stats).toEqual({
      put: 4,
      get: 6,
      list: 4,
      head: 2,
      delete: 1,
      bytesIn: 10 + 3 + 3 + 6,
      bytesOut: 16,
      retries: 0,
      retriedGets: 0,
      retriedPuts: 0,
      duplicates: 0,
    });
    expect((await s.getRange('b/z.txt', 0, 4)).byteLength).toBe(0); // empty object (s3rver answers 1 byte)
    expect(s.url).toBe(`s3://${bucket}/${run}/basic`);
    expect(s.ref).toMatchObject({ kind: 's3', bucket, prefix: `${run}/basic`, endpoint });
  });

  it('uploads a large object in parts and reads it back identical', async () => {
    const s = store('big', { multipartThreshold: 5 * 2 ** 20, partSize: 5 * 2 ** 20 });
    const body = bytes(20 * 2 ** 20 + 12_345, 7);
    await s.put('big.bin', body);
    expect(s.stats.put).toBe(1 + 5 + 1); // create + 5 parts + complete
    expect(s.stats.bytesOut).toBe(body.byteLength);
    const back = await s.get('big.bin');
    expect(Buffer.from(back).equals(Buffer.from(body))).toBe(true);
    const a = 5 * 2 ** 20 - 100;
    expect(Buffer.from(await s.getRange('big.bin', a, a + 300)).equals(Buffer.from(body.subarray(a, a + 300)))).toBe(
      true,
    );
    expect(await s.head('big.bin')).toEqual({ key: 'big.bin', size: body.byteLength });
  });

  it('lists 1,100+ objects across pages, in order, and deletes them in batches', async () => {
    const s = store('many');
    const keys = Array.from({ length: 1_101 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    await mapLimit(keys, 8, (k) => s.put(k, enc(k)));
    const listed = await s.list('k/');
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed.every((o) => o.size === 7)).toBe(true);
    expect(s.stats.list).toBe(2); // 1,000 + 101
    const before = { ...s.stats };
    await s.delete(keys);
    // DeleteObjects in batches of 1,000. s3rver races on rmdir of emptied directories and
    // answers InternalError now and then: those attempts are retried and counted as retries.
    const d = diffStats(s.stats, before);
    expect(d.delete - d.retries).toBe(2);
    expect(await s.list('k/')).toEqual([]);
  });

  it('spreads keys over hashed prefixes transparently', async () => {
    const s = store('hashed', { hashedPrefixes: true });
    const keys = ['d1/a', 'd1/b', 'd1/sub/c', 'd2/a', 'd10/x', 'top'];
    for (const k of keys) await s.put(k, enc(`v:${k}`));
    expect((await s.list('')).map((o) => o.key)).toEqual([...keys].sort());
    expect((await s.list('d1/')).map((o) => o.key)).toEqual(['d1/a', 'd1/b', 'd1/sub/c']);
    expect((await s.list('d1')).map((o) => o.key)).toEqual(['d1/a', 'd1/b', 'd1/sub/c', 'd10/x']);
    expect(s.stats.list).toBe(3 * 16); // one listing per hash bucket
    expect(dec(await s.get('d1/sub/c'))).toBe('v:d1/sub/c');
    expect(dec(await s.getRange('d2/a', 2, 4))).toBe('d2');
    expect(await s.head('top')).toEqual({ key: 'top', size: 5 });
    await s.copy('d1/a', 'd3/a');
    expect(dec(await s.get('d3/a'))).toBe('v:d1/a');
    // Physically, each key sits under <prefix>/<one hex digit>/<key>, and they spread out.
    const raw = await store('hashed').list('');
    expect(raw.every((o) => /^[0-9a-f]\//.test(o.key))).toBe(true);
    expect(new Set(raw.map((o) => o.key[0])).size).toBeGreaterThan(2);
    await s.delete([...keys, 'd3/a']);
    expect(await s.list('')).toEqual([]);
  });

  it('names the bucket and key of a missing object, and a missing bucket', async () => {
    const s = store('missing');
    const e = await caught(s.get('no/such.key'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(`'no/such.key'`);
    expect(e.message).toContain(`bucket '${bucket}'`);
    expect(e.details).toMatchObject({ bucket, key: 'no/such.key', s3Key: `${run}/missing/no/such.key` });
    expect((await caught(s.getRange('no/such.key', 0, 10))).code).toBe('NOT_FOUND');
    const c = await caught(s.copy('no/src', 'dst'));
    expect([c.code, c.details.key]).toEqual(['NOT_FOUND', 'no/src']);
    expect(s.stats.retries).toBe(0); // a 404 is an answer, not a transient failure
    const nb = await caught(new S3Store({ bucket: 'no-such-bucket-here', prefix: 'p', endpoint }).list(''));
    expect(nb.code).toBe('NO_SUCH_BUCKET');
    expect(nb.message).toContain(`'no-such-bucket-here'`);
  });

  it('fails fast and clearly on an unreachable endpoint', async () => {
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}`;
    const s = new S3Store({ bucket: 'b', prefix: 'p', endpoint: dead, retry: { maxAttempts: 3, baseMs: 10 } });
    const e = await caught(s.get('k'));
    expect(e.code).toBe('UNREACHABLE');
    expect(e.details).toMatchObject({ attempts: 3 }); // retried as a connection failure, then given up
    expect(e.message).toContain(dead);
    expect(e.message).toContain(`bucket 'b'`);
    expect([s.stats.get, s.stats.retries]).toEqual([3, 2]);
  });

  it('shares SDK clients between stores with the same endpoint and region', () => {
    const settings = {
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxSockets: 64,
      connectTimeoutMs: 3_000,
      socketTimeoutMs: 30_000,
    };
    const [a0, a1] = s3Clients(settings);
    const [b0] = s3Clients({ ...settings });
    expect(a0).toBe(b0);
    expect(a0).not.toBe(a1); // the duplicate lane has its own connection pool
    expect(s3Clients({ ...settings, region: 'eu-west-1' })[0]).not.toBe(a0);
    expect(s3Clients({ ...settings, forcePathStyle: false })[0]).not.toBe(a0);
  });
});

describe('S3Store through a faulty network', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(endpoint, {}, 1234);
  });
  afterAll(() => proxy.stop());

  it('retries 503s and resets and duplicates stragglers: 200 ranged GETs, all correct', async () => {
    const direct = store('faults');
    const body = bytes(1 << 20, 3);
    await direct.put('obj.bin', body);
    proxy.setRates({ slowDown: 0.05, delay: 0.02, reset: 0.02, delayMs: 2_000 });
    const s = new S3Store({ bucket, prefix: `${run}/faults`, endpoint: proxy.endpoint });
    const r = mulberry32(99);
    const ranges = Array.from({ length: 200 }, () => {
      const start = Math.floor(r() * (body.byteLength - 1));
      return [start, start + 1 + Math.floor(r() * 64 * 1024)] as const;
    });
    const got = await mapLimit(ranges, 16, ([a, b]) => s.getRange('obj.bin', a, b));
    got.forEach((g, i) => {
      const [a, b] = ranges[i]!;
      expect(Buffer.from(g).equals(Buffer.from(body.subarray(a, Math.min(b, body.byteLength))))).toBe(true);
    });
    expect(proxy.stats.slowDowns).toBeGreaterThan(0);
    expect(proxy.stats.resets).toBeGreaterThan(0);
    expect(proxy.stats.delays).toBeGreaterThan(0);
    expect(s.stats.retries).toBeGreaterThan(0);
    expect(s.stats.duplicates).toBeGreaterThan(0);
    expect(s.stats.get).toBe(200 + s.stats.retries + s.stats.duplicates);
  });

  it('PUTs through the same faults land intact', async () => {
    proxy.setRates({ slowDown: 0.1, delay: 0.05, reset: 0.05, delayMs: 2_000 });
    const s = new S3Store({ bucket, prefix: `${run}/faultput`, endpoint: proxy.endpoint });
    const keys = Array.from({ length: 40 }, (_, i) => `p/${i}`);
    await mapLimit(keys, 8, (k, i) => s.put(k, bytes(32 * 1024, i)));
    proxy.setRates({ slowDown: 0, delay: 0, reset: 0 });
    const direct = store('faultput');
    for (const [i, k] of keys.entries())
      expect(Buffer.from(await direct.get(k)).equals(Buffer.from(bytes(32 * 1024, i)))).toBe(true);
    expect(s.stats.put).toBe(40 + s.stats.retries + s.stats.duplicates);
    expect(s.stats.retries + s.stats.duplicates).toBeGreaterThan(0);
    // Multipart: failed part uploads are retried one by one.
    proxy.setRates({ slowDown: 0.2, reset: 0.1 });
    const m = new S3Store({
      bucket,
      prefix: `${run}/faultput`,
      endpoint: proxy.endpoint,
      multipartThreshold: 5 * 2 ** 20,
      partSize: 5 * 2 ** 20,
    });
    const big = bytes(11 * 2 ** 20, 5);
    await m.put('multi.bin', big);
    proxy.setRates({ slowDown: 0, reset: 0 });
    expect(Buffer.from(await direct.get('multi.bin')).equals(Buffer.from(big))).toBe(true);
    expect(m.stats.put).toBe(1 + 3 + 1 + m.stats.retries + m.stats.duplicates);
  });
});

describe('store URLs and openStore', () => {
  it('parses s3 and local URLs', () => {
    expect(parseStoreUrl('s3://bkt/some/prefix/')).toEqual({ kind: 's3', bucket: 'bkt', prefix: 'some/prefix' });
    expect(parseStoreUrl('s3://bkt', { endpoint: 'http://127.0.0.1:9' })).toEqual({
      kind: 's3',
      bucket: 'bkt',
      prefix: '',
      endpoint: 'http://127.0.0.1:9',
    });
    expect(
      parseStoreUrl('s3://bkt/p?endpoint=http://h:1&region=eu-west-1&hashedPrefixes=true', {
        endpoint: 'http://other',
      }),
    ).toEqual({
      kind: 's3',
      bucket: 'bkt',
      prefix: 'p',
      endpoint: 'http://h:1',
      region: 'eu-west-1',
      hashedPrefixes: true,
    });
    expect(parseStoreUrl('file:///tmp/stratus')).toEqual({ kind: 'local', root: '/tmp/stratus' });
    expect(parseStoreUrl('/tmp/a/../b')).toEqual({ kind: 'local', root: '/tmp/b' });
    expect(() => parseStoreUrl('gs://x/y')).toThrow(/unsupported URL scheme 'gs:\/\/' in 'gs:\/\/x\/y'/);
  });

  it('opens the backend a ref names', () => {
    expect(openStore({ kind: 'local', root: '/tmp/x' })).toBeInstanceOf(LocalStore);
    // An S3 store is opened lazily (the SDK loads on the first request), with the same URL and key layout.
    const s = openStore(parseStoreUrl('s3://bkt/p?hashedPrefixes=true', { endpoint }));
    expect(s.url).toBe('s3://bkt/p');
    const eager = new S3Store({ bucket: 'bkt', prefix: 'p', endpoint, hashedPrefixes: true });
    expect(s.locate('jobs/1/plan.json')).toEqual(eager.locate('jobs/1/plan.json'));
  });
});

describe('retry, hedging and key layout (no server)', () => {
  it('backs off with full jitter under the cap', () => {
    for (let retry = 1; retry <= 10; retry++) {
      const ceiling = Math.min(DEFAULT_RETRY.capMs, DEFAULT_RETRY.baseMs * 2 ** (retry - 1));
      expect(backoffMs(DEFAULT_RETRY, retry, () => 0.999999)).toBe(ceiling - 1);
      expect(backoffMs(DEFAULT_RETRY, retry, () => 0)).toBe(0);
    }
  });

  it('classifies transient failures', () => {
    const sdk = (name: string, status: number): unknown =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(isRetryable(sdk('SlowDown', 503))).toBe(true);
    expect(isRetryable(sdk('InternalError', 500))).toBe(true);
    expect(isRetryable(sdk('RequestTimeout', 400))).toBe(true);
    expect(isRetryable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
    expect(isRetryable(sdk('NoSuchKey', 404))).toBe(false);
    expect(isRetryable(sdk('AccessDenied', 403))).toBe(false);
    expect(isRetryable(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
  });

  it('retries up to maxAttempts, then gives up with the cause', async () => {
    let calls = 0;
    const fail = (): Promise<never> => {
      calls++;
      return Promise.reject(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    };
    await expect(withRetry(fail, { maxAttempts: 4, baseMs: 1, capMs: 2 })).rejects.toMatchObject({
      name: 'RetriesExhausted',
      attempts: 4,
    });
    expect(calls).toBe(4);
  });

  it('duplicates a straggler, takes the first answer and aborts the loser', async () => {
    const policy = { ...DEFAULT_STRAGGLER, floorMs: 20, latencyMs: 1 };
    let aborted = false;
    let dups = 0;
    const v = await hedged(
      (h) =>
        new Promise<string>((resolve, reject) => {
          if (h.lane === 1) return void setTimeout(() => resolve('fast duplicate'), 5);
          const t = setTimeout(() => resolve('slow original'), 2_000);
          h.signal.addEventListener('abort', () => {
            aborted = true;
            clearTimeout(t);
            reject(new Error('aborted'));
          });
        }),
      policy,
      0,
      () => dups++,
    );
    expect(v).toBe('fast duplicate');
    expect([dups, aborted]).toEqual([1, true]); // the duplicate's answer, the slow original aborted
    // A fast request is never duplicated.
    expect(
      await hedged(
        async () => 'quick',
        policy,
        0,
        () => dups++,
      ),
    ).toBe('quick');
    expect(dups).toBe(1);
    expect(stragglerDeadlineMs(DEFAULT_STRAGGLER, 100e6)).toBeCloseTo(3 * (30 + 1000));
  });

  it('maps keys to hashed prefixes stably and back', () => {
    const l = keyLayout('/root/', true);
    const p = l.toPhysical('jobs/1/x');
    expect(p).toMatch(/^root\/[0-9a-f]\/jobs\/1\/x$/);
    expect(l.toPhysical('jobs/1/x')).toBe(p);
    expect(l.toLogical(p)).toBe('jobs/1/x');
    expect(l.listPrefixes('jobs/')).toHaveLength(16);
    expect(keyLayout('', true, 256).toPhysical('k')).toMatch(/^[0-9a-f]{2}\/k$/);
    expect(keyLayout('', false).toPhysical('k')).toBe('k');
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
