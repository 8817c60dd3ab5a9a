/**
 * The one URL module: every store URL and data URL is parsed, normalised and located here, by
 * the backend its scheme names (backends.ts). A plain path is a local path; an unknown scheme
 * (`gs://…`, `hdfs://…`) is a StorageError naming the URL and the supported schemes.
 *
 * Data locations (datasets read, outputs written) inherit the job store's connection settings
 * (endpoint, region, path style) through `inheritSettings`, so a job whose store is on an
 * S3-compatible server reads its `s3://` data from that server too.
 */
import { StorageError } from '../../planner/errors.js';
import { BACKENDS, backendOf, type Backend, type StoreUrlDefaults } from './backends.js';
import type { ObjectLocation, StoreKind, StoreRef } from './store.js';

/** A key in a store: the store's ref (to open with `env.store`) and the store-relative key. */
export interface Location {
  readonly ref: StoreRef;
  readonly key: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The backend a URL's scheme names; no scheme = a local path. */
function backendFor(url: string): Backend<StoreRef> {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase() ?? 'file';
  for (const kind of Object.keys(BACKENDS) as StoreKind[]) {
    const b = BACKENDS[kind] as Backend<StoreRef>;
    if (b.schemes.includes(scheme)) return b;
  }
  const supported = Object.values(BACKENDS).map((b) => b.urlForm);
  throw new StorageError(
    'UNSUPPORTED_SCHEME',
    `unsupported URL scheme '${scheme}://' in '${url}': use ${supported.join(', or ')}`,
    { url, scheme, supported },
  );
}

/**
 * Parse a store URL (where job state and shuffle files live) into a ref.
 *
 * @example
 * parseStoreUrl('s3://data/tpch', { endpoint: 'http://127.0.0.1:4568' });
 * // { kind: 's3', bucket: 'data', prefix: 'tpch', endpoint: 'http://127.0.0.1:4568' }
 * parseStoreUrl('.stratus'); // { kind: 'local', root: '/abs/cwd/.stratus' }
 */
export function parseStoreUrl(url: string, defaults: StoreUrlDefaults = {}): StoreRef {
  return backendFor(url).storeRef(url, defaults);
}

/**
 * A user's data path as a canonical URL: `s3://…` kept, a local path or `file://` URL made an
 * absolute `file://` URL. This is the form plans carry.
 *
 * @example
 * normalizeDataUrl('data/orders'); // 'file:///abs/cwd/data/orders'
 */
export function normalizeDataUrl(url: string): string {
  return backendFor(url).normalize(url);
}

/**
 * The store holding a data URL (bucket root or filesystem root) and the key in it, with the
 * connection settings of the job's store when both are of one kind.
 *
 * @example
 * const loc = locate('s3://data/orders/part-0.parquet', job.store);
 * const bytes = await env.store(loc.ref).get(loc.key);
 */
export function locate(url: string, jobStore?: StoreRef): Location {
  const loc = backendFor(url).locate(url);
  return { ref: inheritSettings(loc.ref, jobStore), key: loc.key };
}

/**
 * THE place data locations take the job store's settings: `ref` with the job store's endpoint,
 * region and path style (whatever its backend lists) where it sets none. Stores of another kind
 * are left as they are; the job store's key layout (prefix, hashing) is never inherited.
 */
export function inheritSettings(ref: StoreRef, jobStore: StoreRef | undefined): StoreRef {
  if (jobStore === undefined || jobStore.kind !== ref.kind) return ref;
  return backendOf(ref).inherit(ref, jobStore);
}

/**
 * How to read an object at a physical location (what `ObjectStore.locate` returned, e.g. a
 * Distributed Map's ItemReader input) from outside the store that wrote it: the container
 * (bucket root, filesystem root) as a ref, with the job store's settings, and the key in it.
 *
 * @example
 * const l = openLocation(job.store, route.groupList);
 * const groups = await getJson(env.store(l.ref), l.key);
 */
export function openLocation(jobStore: StoreRef, loc: ObjectLocation): Location {
  const b = backendOf(jobStore);
  return { ref: inheritSettings(b.container(loc.bucket), jobStore), key: loc.key };
}

/**
 * The URL of a store-relative key: `s3://bucket/prefix/key`, `file:///root/key`.
 *
 * @example
 * const loc = locate(dataset, job.store);
 * const files = (await store.list(`${loc.key}/`)).map((o) => urlOf(loc.ref, o.key));
 */
export function urlOf(ref: StoreRef, key: string): string {
  return backendOf(ref).urlOf(ref, key);
}
