/**
 * The runtime environment a handler runs in: how to open stores, how much time is left, and
 * where to log. The Lambda entry points and the local runner each provide one; the core never
 * asks which it is.
 */
import { LocalStore } from '../storage/local.js';
import { LocalParameterSource } from './params/local.js';
import { ParameterCache } from './params/cache.js';
import type { ParameterSource } from './params/source.js';
import {
  addStats,
  emptyStats,
  type ObjectInfo,
  type ObjectStore,
  type StoreRef,
  type StoreStats,
} from '../storage/store.js';

export interface RuntimeEnv {
  /** A store for a ref; clients are reused across invocations of a warm instance. */
  store(ref: StoreRef): ObjectStore;
  /** Where job parameters (secrets) come from: SSM on Lambda, a local file or env locally. */
  parameters?: ParameterSource;
  /** Task threads an executor may use (worker_threads over the instance's cores); default 1. */
  threads?: number;
  /** Milliseconds left before the platform stops this invocation. */
  remainingMillis(): number;
  log(message: string): void;
}

/**
 * An S3 store whose SDK is loaded on first use: the AWS SDK is the heaviest import of an
 * executor, and local runs or reduce-only invocations may never need it.
 */
class LazyS3Store implements ObjectStore {
  readonly url: string;
  private inner: Promise<ObjectStore> | undefined;
  private loaded: ObjectStore | undefined;
  private readonly idle = emptyStats();
  constructor(private readonly ref: Extract<StoreRef, { kind: 's3' }>) {
    this.url = `s3://${ref.bucket}/${ref.prefix}`;
  }
  get stats(): StoreStats {
    return this.loaded?.stats ?? this.idle;
  }
  private store(): Promise<ObjectStore> {
    this.inner ??= import('../storage/open.js').then((m) => (this.loaded = m.openStore(this.ref)));
    return this.inner;
  }
  async get(key: string): Promise<Uint8Array> {
    return (await this.store()).get(key);
  }
  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    return (await this.store()).getRange(key, start, end);
  }
  async put(key: string, body: Uint8Array): Promise<void> {
    return (await this.store()).put(key, body);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    return (await this.store()).head(key);
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return (await this.store()).list(prefix);
  }
  async delete(keys: readonly string[]): Promise<void> {
    return (await this.store()).delete(keys);
  }
  async copy(from: string, to: string): Promise<void> {
    return (await this.store()).copy(from, to);
  }
}

const stores = new Map<string, ObjectStore>();

/** Stores are cached per instance by their ref (their context): reuse, never share state. */
export function cachedStore(ref: StoreRef): ObjectStore {
  const key = JSON.stringify(ref);
  let s = stores.get(key);
  if (!s) {
    s = ref.kind === 'local' ? new LocalStore(ref.root) : new LazyS3Store(ref);
    stores.set(key, s);
  }
  return s;
}

/** Request accounting summed over every store this instance has opened. */
export function allStoreStats(): StoreStats {
  let total = emptyStats();
  for (const s of stores.values()) total = addStats(total, s.stats);
  return total;
}

let localParams: ParameterSource | undefined;

/** The instance's local parameter source (file from STRATUS_PARAMS_FILE, then environment), cached with a TTL. */
export function localParameters(): ParameterSource {
  localParams ??= new ParameterCache(new LocalParameterSource());
  return localParams;
}

export function defaultEnv(remainingMillis: () => number = () => 15 * 60_000): RuntimeEnv {
  return { store: cachedStore, remainingMillis, log: () => {}, parameters: localParameters() };
}
