/**
 * The object store facade: every byte between the driver, the executors and the client goes
 * through an `ObjectStore`. Backends: a local file-backed store (the default) and S3.
 *
 * Keys are '/'-separated, never start with '/'. Ranges are [start, end) byte offsets.
 */
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
  retries: number;
  duplicates: number;
}

export function emptyStats(): StoreStats {
  return { put: 0, get: 0, list: 0, head: 0, delete: 0, bytesIn: 0, bytesOut: 0, retries: 0, duplicates: 0 };
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

export interface ObjectStore {
  /** A URL naming this store, e.g. `file:///tmp/x` or `s3://bucket/prefix`. */
  readonly url: string;
  readonly stats: StoreStats;
  get(key: string): Promise<Uint8Array>;
  /** Bytes [start, end) of an object. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  put(key: string, body: Uint8Array): Promise<void>;
  /** Size of an object, or undefined if it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** All objects whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(keys: readonly string[]): Promise<void>;
  /** Copy an object inside this store (used by job commit). */
  copy(from: string, to: string): Promise<void>;
}

/** Where a store lives, as plain JSON: travels in state-machine payloads (never secrets). */
export type StoreRef =
  | { readonly kind: 'local'; readonly root: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly prefix: string;
      readonly endpoint?: string;
      readonly region?: string;
      readonly hashedPrefixes?: boolean;
    };

export async function getJson<T>(store: ObjectStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
}

export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(JSON.stringify(value)));
}
