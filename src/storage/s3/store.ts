/**
 * The S3 object store (AWS S3, or any S3-compatible server given an `endpoint`).
 *
 * Every request goes through one path (`request`, request.ts): counted in `stats` per HTTP attempt,
 * retried with jittered backoff (src/util/retry.ts), and — for GET, range GET and (on AWS S3)
 * PUT — hedged against stragglers within a duplicate budget (straggler.ts). Keys map to
 * `<prefix>/<key>`, or spread over hashed prefixes (keylayout.ts); `locate` says where. SDK
 * clients are cached per process (client.ts).
 */
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageError } from '../../../planner/errors.js';
import {
  type Body,
  emptyStats,
  type ObjectInfo,
  type ObjectLocation,
  type ObjectStore,
  type S3StoreRef,
  type StoreStats,
} from '../store.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../../util/retry.js';
import { DEFAULT_STRAGGLER, type HedgeLane, type StragglerPolicy } from './straggler.js';
import { keyLayout, type KeyLayout } from './keylayout.js';
import { s3Clients, type S3Credentials } from './client.js';
import { isNotFound } from './errors.js';
import { s3Requester, type S3Requester } from './request.js';
import { putMultipart } from './multipart.js';
import { readBody } from './body.js';
import { mapLimit } from '../../util/limit.js';
import { S3_BACKEND } from './backend.js';

export type { S3StoreRef } from '../store.js';

/** Tuning of an S3Store; every field has a default. Not part of a StoreRef. */
export interface S3Tuning {
  /** Static credentials (tests, S3-compatible servers); default: the SDK chain (see s3client.ts). */
  readonly credentials?: S3Credentials;
  /** Hash buckets of the hashed layout (default 16; part of the data layout, see keylayout.ts). */
  readonly hashBuckets?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly straggler?: Partial<StragglerPolicy>;
  /** Bodies of at least this many bytes are uploaded in parts (default 8 MiB). */
  readonly multipartThreshold?: number;
  /** Part size of multipart uploads (default 8 MiB, at least 5 MiB). */
  readonly partSize?: number;
  /** Parts, listing pages of hash buckets, or delete batches in flight at once (default 8). */
  readonly concurrency?: number;
  /** Sockets per connection pool (default 64). */
  readonly maxSockets?: number;
  /** Connect timeout in ms (default 3,000). */
  readonly connectTimeoutMs?: number;
  /** Socket idle timeout in ms (default 30,000). */
  readonly socketTimeoutMs?: number;
}

/** What `new S3Store` takes: the fields of an 's3' StoreRef plus tuning. */
export type S3StoreOptions = Omit<S3StoreRef, 'kind' | 'prefix'> & {
  readonly kind?: 's3';
  readonly prefix?: string;
} & S3Tuning;

const MiB = 1024 * 1024;

/**
 * An ObjectStore on S3.
 *
 * @example
 * const store = new S3Store({ bucket: 'my-bucket', prefix: 'stratus', region: 'eu-west-1' });
 * await store.put('jobs/1/plan.json', bytes);
 */
export class S3Store implements ObjectStore {
  readonly url: string;
  readonly stats: StoreStats = emptyStats();
  /** Where this store lives, as plain JSON (no credentials, no tuning). */
  readonly ref: S3StoreRef;
  private readonly bucket: string;
  private readonly layout: KeyLayout;
  /** The one request path (request.ts). */
  private readonly request: S3Requester;
  /** Whether PUTs and part uploads are hedged (only where a PUT is atomic: see straggler.ts). */
  private readonly hedgePuts: boolean;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly concurrency: number;

  constructor(o: S3StoreOptions) {
    if (!o.bucket)
      throw new StorageError('BAD_STORE', 'an S3 store needs a bucket name', { ...o, credentials: undefined });
    const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.bucket = o.bucket;
    this.layout = keyLayout(o.prefix ?? '', o.hashedPrefixes ?? false, o.hashBuckets);
    this.ref = {
      kind: 's3',
      bucket: o.bucket,
      prefix: this.layout.base.replace(/\/$/, ''),
      region,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.forcePathStyle !== undefined ? { forcePathStyle: o.forcePathStyle } : {}),
      ...(o.hashedPrefixes ? { hashedPrefixes: true } : {}),
    };
    this.url = S3_BACKEND.urlOf(this.ref, '');
    const clients = s3Clients({
      endpoint: o.endpoint,
      region,
      forcePathStyle: o.forcePathStyle ?? !!o.endpoint,
      credentials: o.credentials,
      maxSockets: o.maxSockets ?? 64,
      connectTimeoutMs: o.connectTimeoutMs ?? 3_000,
      socketTimeoutMs: o.socketTimeoutMs ?? 30_000,
    });
    const straggler = { ...DEFAULT_STRAGGLER, ...o.straggler };
    this.request = s3Requester({
      stats: this.stats,
      clients,
      retry: { ...DEFAULT_RETRY, ...o.retry },
      straggler,
      url: this.url,
      endpoint: o.endpoint ?? `AWS S3 (${region})`,
      bucket: this.bucket,
    });
    this.hedgePuts = straggler.puts ?? !o.endpoint;
    this.multipartThreshold = o.multipartThreshold ?? 8 * MiB;
    this.partSize = o.partSize ?? 8 * MiB;
    this.concurrency = o.concurrency ?? 8;
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.layout.toPhysical(key);
    return this.request('get', 'GetObject', key, Key, { hedge: true, bytes: 0 }, async (c, h) => {
      const res = await c.send(new GetObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: h.signal });
      if (res.ContentLength !== undefined) h.expectBytes(res.ContentLength);
      const body = await readBody(res.Body, h.signal, res.ContentLength);
      this.stats.bytesIn += body.byteLength;
      return body;
    });
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
      throw new StorageError(
        'BAD_RANGE',
        `bad byte range [${start}, ${end}) of '${key}' in ${this.url}: need integers with 0 <= start`,
        { store: this.url, key, start, end },
      );
    }
    if (end <= start) return new Uint8Array(0);
    const Key = this.layout.toPhysical(key);
    // Always an explicit first-last range: s3rver answers suffix ranges (bytes=-n) wrongly.
    const Range = `bytes=${start}-${end - 1}`;
    return this.request('get', 'GetObject', key, Key, { hedge: true, bytes: end - start }, async (c, h) => {
      let res: GetObjectCommandOutput;
      try {
        res = await c.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }), { abortSignal: h.signal });
      } catch (e) {
        // Like LocalStore: a range starting at or past the end reads nothing.
        if ((e as Error).name === 'InvalidRange') return new Uint8Array(0);
        throw e;
      }
      // The object may end before `end`. For a range of an EMPTY object s3rver answers
      // 'bytes 0-0/0' with Content-Length 1 and sends nothing: never wait for that byte.
      const total = Number(/\/(\d+)$/.exec(res.ContentRange ?? '')?.[1] ?? Infinity);
      const want = Math.max(0, Math.min(end, total) - start);
      if (want === 0) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return new Uint8Array(0);
      }
      const body = await readBody(res.Body, h.signal, res.ContentLength);
      this.stats.bytesIn += body.byteLength;
      return body.byteLength > want ? body.subarray(0, want) : body;
    });
  }

  async put(key: string, parts: Body): Promise<void> {
    // A request body is one buffer (chunks are joined: shuffle outputs on S3 are a compressed buffer per partition).
    const body: Uint8Array = parts instanceof Uint8Array ? parts : Buffer.concat(parts);
    const Key = this.layout.toPhysical(key);
    if (body.byteLength >= this.multipartThreshold) {
      const request = <T>(
        op: string,
        opts: { hedge: boolean; bytes: number },
        send: (c: S3Client, h: HedgeLane) => Promise<T>,
      ): Promise<T> => this.request('put', op, key, Key, { ...opts, hedge: opts.hedge && this.hedgePuts }, send);
      return putMultipart(request, body, {
        bucket: this.bucket,
        key: Key,
        partSize: this.partSize,
        concurrency: this.concurrency,
      });
    }
    await this.request('put', 'PutObject', key, Key, { hedge: this.hedgePuts, bytes: body.byteLength }, (c, h) =>
      c.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.byteLength }), {
        abortSignal: h.signal,
      }),
    );
  }

  /** PutObject with `If-None-Match: *`: 412 (the key exists) answers false. Never hedged or multipart. */
  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const Key = this.layout.toPhysical(key);
    return this.request('put', 'PutObject', key, Key, { hedge: false, bytes: body.byteLength }, async (c) => {
      try {
        await c.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: body,
            ContentLength: body.byteLength,
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (e) {
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return false;
        throw e;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const Key = this.layout.toPhysical(key);
    return this.request('head', 'HeadObject', key, Key, { hedge: false, bytes: 0 }, async (c) => {
      try {
        const res = await c.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return { key, size: res.ContentLength ?? 0 };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const pages = await mapLimit(this.layout.listPrefixes(prefix), this.concurrency, async (Prefix) => {
      const out: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const res = await this.request('list', 'ListObjectsV2', prefix, Prefix, { hedge: false, bytes: 0 }, (c) =>
          c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token })),
        );
        for (const o of res.Contents ?? []) out.push({ key: this.layout.toLogical(o.Key!), size: o.Size ?? 0 });
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out;
    });
    return pages.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += 1000)
      batches.push(keys.slice(i, i + 1000).map((k) => this.layout.toPhysical(k)));
    await mapLimit(batches, this.concurrency, async (batch) => {
      const res = await this.request('delete', 'DeleteObjects', keys[0], batch[0], { hedge: false, bytes: 0 }, (c) =>
        c.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const errors = res.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0]!;
        throw new StorageError(
          'DELETE_FAILED',
          `could not delete ${errors.length} object(s) in ${this.url}, e.g. S3 key '${first.Key}': ${first.Code} ${first.Message ?? ''}`.trim(),
          {
            store: this.url,
            bucket: this.bucket,
            s3Keys: errors.map((e) => e.Key),
          },
        );
      }
    });
  }

  /** S3 has no directories: the objects under `prefix/`, listed and deleted in batches. */
  async deleteTree(prefix: string): Promise<void> {
    const objects = await this.list(`${prefix.replace(/\/+$/, '')}/`);
    if (objects.length) await this.delete(objects.map((o) => o.key));
  }

  /** Server-side copy (CopyObject; objects up to 5 GB). Counted as a PUT. */
  async copy(from: string, to: string): Promise<void> {
    const src = this.layout.toPhysical(from);
    // URL-encoded, except '=' (every hive partition directory has one): S3 decodes it either way,
    // s3rver's decodeURI leaves `%3D` as it is and then finds no such key.
    const CopySource = `${this.bucket}/${src
      .split('/')
      .map((seg) => encodeURIComponent(seg).replaceAll('%3D', '='))
      .join('/')}`;
    await this.request('put', 'CopyObject', from, src, { hedge: false, bytes: 0 }, (c) =>
      c.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.layout.toPhysical(to), CopySource })),
    );
  }

  /** The bucket and S3 object key of a logical key (through the key layout: prefix, hash). */
  locate(key: string): ObjectLocation {
    return { bucket: this.bucket, key: this.layout.toPhysical(key) };
  }
}
