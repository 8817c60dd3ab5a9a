/**
 * The object store facade: every byte between the driver, the executors and the client goes
 * through an `ObjectStore`. Backends (a local file-backed store, the default, and S3) are
 * entries of one registry, `backends.ts`; URLs are parsed in one module, `url.ts`.
 *
 * Keys are LOGICAL: '/'-separated, never starting with '/', relative to the store's root. How a
 * logical key maps to a physical object (a prefix, hashed prefixes) is the store's own business;
 * `locate` tells where it put one, for the few readers outside Stratus (a Distributed Map's
 * ItemReader). Ranges are [start, end) byte offsets.
 */
/** An object's bytes: one array, or chunks that follow each other (a shuffle map output's streams, unjoined). */
export type Body = Uint8Array | readonly Uint8Array[];

/** Bytes of a body. */
export const bodyLength = (body: Body): number =>
  body instanceof Uint8Array ? body.byteLength : body.reduce((a, c) => a + c.byteLength, 0);

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** Request accounting: one counter set per store instance, snapshotted per task and stage. */
export interface StoreStats {
  put: number;
  get: number;
  list: number;
  head: number;
  delete: number;
  bytesIn: number;
  bytesOut: number;
  /** Attempts that were retries (each also counted under its operation). */
  retries: number;
  /** Of those, retries of GETs and of PUTs: `get − retriedGets − duplicates` GETs were asked for. */
  retriedGets: number;
  retriedPuts: number;
  duplicates: number;
}

export function emptyStats(): StoreStats {
  return {
    put: 0,
    get: 0,
    list: 0,
    head: 0,
    delete: 0,
    bytesIn: 0,
    bytesOut: 0,
    retries: 0,
    retriedGets: 0,
    retriedPuts: 0,
    duplicates: 0,
  };
}

export function addStats(a: StoreStats, b: StoreStats): StoreStats {
  const out = emptyStats();
  for (const k of Object.keys(out) as (keyof StoreStats)[]) out[k] = a[k] + b[k];
  return out;
}

export function diffStats(after: StoreStats, before: StoreStats): StoreStats {
  const out = emptyStats();
  for (const k of Object.keys(out) as (keyof StoreStats)[]) out[k] = after[k] - before[k];
  return out;
}

/**
 * Where an object physically lives: an S3 bucket and object key, or for a local store the
 * filesystem root ('' ) and the absolute path without its leading '/'.
 */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ObjectStore {
  /** A URL naming this store, e.g. `file:///tmp/x` or `s3://bucket/prefix`. */
  readonly url: string;
  readonly stats: StoreStats;
  get(key: string): Promise<Uint8Array>;
  /**
   * Bytes [start, end) of an object. `ahead`: the caller reads them ahead of their use (a scan's
   * next row group while it decodes this one), so a backend must not block this thread for them.
   */
  getRange(key: string, start: number, end: number, ahead?: boolean): Promise<Uint8Array>;
  /** Write an object: one array, or chunks stored back to back (written as they are where the backend can). */
  put(key: string, body: Body): Promise<void>;
  /**
   * Create an object only if no object has the key (S3 `If-None-Match: *`; a hard link locally):
   * true when this call created it, false when the key was taken. A server that ignores the
   * condition (some S3-compatible ones) overwrites and answers true; callers that arbitrate with
   * it read the object back.
   */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;
  /** Size of an object, or undefined if it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** All objects whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(keys: readonly string[]): Promise<void>;
  /** Delete every object whose key starts with `prefix` + '/' and, where the store has directories, the directory. */
  deleteTree(prefix: string): Promise<void>;
  /** Copy an object inside this store (used by job commit). */
  copy(from: string, to: string): Promise<void>;
  /** The physical place of a logical key (no request is made; the object need not exist). */
  locate(key: string): ObjectLocation;
}

/**
 * Where a store lives, as plain JSON: travels in state-machine payloads (never secrets). One
 * variant per backend; `backends.ts` has one entry per variant.
 */
export type StoreRef = LocalStoreRef | S3StoreRef;

/** A directory of the local filesystem. */
export interface LocalStoreRef {
  readonly kind: 'local';
  /** Absolute path of the directory. */
  readonly root: string;
}

/** A bucket (and key prefix) on AWS S3 or an S3-compatible server. */
export interface S3StoreRef {
  readonly kind: 's3';
  readonly bucket: string;
  /** Key prefix, without leading or trailing '/' ('' for the bucket root). */
  readonly prefix: string;
  /** An S3-compatible server, e.g. `http://127.0.0.1:4568`; absent for AWS S3. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style requests (`endpoint/bucket/key`); default: on with an `endpoint`, off without. */
  readonly forcePathStyle?: boolean;
  /** Spread keys over hashed prefixes (see s3/keylayout.ts): a property of the data layout. */
  readonly hashedPrefixes?: boolean;
}

/** The kinds of store, one per backend. */
export type StoreKind = StoreRef['kind'];

export async function getJson<T>(store: ObjectStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
}

export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(JSON.stringify(value)));
}
