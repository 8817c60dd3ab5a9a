/**
 * The storage backend registry: one entry per `StoreRef` kind, and the one place a backend is
 * chosen (`openStore`). An entry knows its URL schemes, how its store and data URLs parse, what
 * a data location inherits from the job's store, and how to open a store. The URL module
 * (url.ts) and the runtime read this table; nothing else asks which backend it runs on.
 *
 * Adding a backend: a `StoreRef` variant (store.ts), an `ObjectStore` class and a `Backend`
 * entry in its own file or folder, and one line in `BACKENDS` (the compiler names the rest).
 */
import type { ShuffleCodec } from '../../operators/exchange.js';
import { LOCAL_BACKEND } from './local/backend.js';
import { S3_BACKEND } from './s3/backend.js';
import type { S3Tuning } from './s3/store.js';
import type { ObjectStore, StoreKind, StoreRef } from './store.js';

/** Tuning of the backends that have any (today only S3); not part of a ref. */
export type StoreTuning = S3Tuning;

/** Defaults for settings a store URL does not carry (its query parameters win). */
export interface StoreUrlDefaults {
  readonly endpoint?: string;
  readonly region?: string;
  readonly hashedPrefixes?: boolean;
}

/** What the storage layer knows about one kind of store. */
export interface Backend<R extends StoreRef> {
  /** URL schemes this backend serves, lower case (`file` also takes plain local paths). */
  readonly schemes: readonly string[];
  /** How its URLs look, for error messages (e.g. `s3://bucket/prefix`). */
  readonly urlForm: string;
  /** The shuffle codec of a job whose store this is, unless the job sets one (compress what crosses a network). */
  readonly shuffleCodec: ShuffleCodec;
  /** The store a store URL names. */
  storeRef(url: string, defaults: StoreUrlDefaults): R;
  /** A data URL split into the container holding it (bucket root, filesystem root) and the key in it. */
  locate(url: string): { readonly ref: R; readonly key: string };
  /** A data URL in its canonical form (a local path made an absolute `file://` URL). */
  normalize(url: string): string;
  /** The container (bucket root, filesystem root) of a physical location's `bucket`. */
  container(bucket: string): R;
  /** The URL of a store-relative key ('' names the store itself). */
  urlOf(ref: R, key: string): string;
  /** `ref` with the connection settings of the job's store (endpoint, region, …) it does not set. */
  inherit(ref: R, job: R): R;
  /** Open the store; no request is made. */
  open(ref: R, tuning: StoreTuning): ObjectStore;
}

/** The ref of one kind. */
export type RefOf<K extends StoreKind> = Extract<StoreRef, { kind: K }>;

/** Every kind of store has an entry: a new `StoreRef` variant without one fails the build. */
export const BACKENDS: { readonly [K in StoreKind]: Backend<RefOf<K>> } = {
  local: LOCAL_BACKEND,
  s3: S3_BACKEND,
};

/** The entry of a ref's kind. */
export function backendOf<R extends StoreRef>(ref: R): Backend<R> {
  return BACKENDS[ref.kind] as unknown as Backend<R>;
}

/**
 * The store a ref names. `tuning` tunes an S3 store (credentials, retries, stragglers, part
 * sizes) and is ignored by a local one. Stores cost nothing to open: an S3 store loads the AWS
 * SDK on its first request.
 *
 * @example
 * const store = openStore(parseStoreUrl('s3://my-bucket/stratus'));
 */
export function openStore(ref: StoreRef, tuning: StoreTuning = {}): ObjectStore {
  return backendOf(ref).open(ref, tuning);
}
