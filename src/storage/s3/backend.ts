/**
 * The S3 backend's registry entry: `s3://bucket/prefix` URLs (AWS S3, or an S3-compatible
 * server given an endpoint). Nothing here loads the AWS SDK: the store is opened lazily.
 */
import { StorageError } from '../../../planner/errors.js';
import type { Backend } from '../backends.js';
import { LazyStore } from '../lazy.js';
import type { S3StoreRef } from '../store.js';
import { keyLayout } from './keylayout.js';

/** The connection settings a data location inherits from the job's store (never the key layout). */
const SETTINGS = ['endpoint', 'region', 'forcePathStyle'] as const satisfies readonly (keyof S3StoreRef)[];

/** `s3://bucket/rest` split as written (a data URL's rest may hold glob characters, `?` included). */
function split(url: string): { bucket: string; rest: string } {
  const m = /^s3:\/\/([^/]*)\/?(.*)$/is.exec(url);
  if (!m?.[1]) throw new StorageError('BAD_URL', `URL '${url}' names no bucket: use s3://bucket/key`, { url });
  return { bucket: m[1], rest: m[2]! };
}

/**
 * A store URL: `s3://bucket/some/prefix` (prefix without leading/trailing '/'); the query may set
 * `endpoint`, `region`, `forcePathStyle` and `hashedPrefixes` (`?endpoint=http://127.0.0.1:4568`),
 * which win over the defaults.
 */
function storeRef(url: string, defaults: { endpoint?: string; region?: string; hashedPrefixes?: boolean }): S3StoreRef {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new StorageError(
      'BAD_URL',
      `store URL '${url}' is malformed (${(e as Error).message}): use s3://bucket/prefix`,
      {
        url,
      },
    );
  }
  if (!u.hostname)
    throw new StorageError('BAD_URL', `store URL '${url}' names no bucket: use s3://bucket/prefix`, { url });
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const q = u.searchParams;
  const flag = (name: string): boolean | undefined => (q.has(name) ? q.get(name) !== 'false' : undefined);
  const endpoint = q.get('endpoint') ?? defaults.endpoint;
  const region = q.get('region') ?? defaults.region;
  const forcePathStyle = flag('forcePathStyle');
  const hashed = flag('hashedPrefixes') ?? defaults.hashedPrefixes;
  return {
    kind: 's3',
    bucket: u.hostname,
    prefix,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
    ...(hashed ? { hashedPrefixes: true } : {}),
  };
}

export const S3_BACKEND: Backend<S3StoreRef> = {
  schemes: ['s3'],
  urlForm: 's3://bucket/prefix',
  shuffleCodec: 'brotli',
  storeRef,
  locate(url) {
    const { bucket, rest } = split(url);
    return { ref: { kind: 's3', bucket, prefix: '' }, key: rest.replace(/\/+$/, '') };
  },
  normalize(url) {
    const { bucket, rest } = split(url);
    return `s3://${bucket}/${rest}`;
  },
  container: (bucket) => ({ kind: 's3', bucket, prefix: '' }),
  urlOf: (ref, key) => `s3://${ref.bucket}/${[ref.prefix, key].filter(Boolean).join('/')}`,
  inherit(ref, job) {
    const out: Record<string, unknown> = { ...ref };
    for (const k of SETTINGS) if (out[k] === undefined && job[k] !== undefined) out[k] = job[k];
    return out as unknown as S3StoreRef;
  },
  open(ref, tuning) {
    const layout = keyLayout(ref.prefix, ref.hashedPrefixes ?? false, tuning.hashBuckets);
    return new LazyStore(
      S3_BACKEND.urlOf(ref, ''),
      (key) => ({ bucket: ref.bucket, key: layout.toPhysical(key) }),
      async () => new (await import('./store.js')).S3Store({ ...tuning, ...ref }),
    );
  },
};
