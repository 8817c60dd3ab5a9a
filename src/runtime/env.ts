/**
 * The runtime environment a handler runs in: how to open stores, how much time is left, and
 * where to log. The Lambda entry points and the local runner each provide one; the core never
 * asks which it is.
 */
import { openStore } from '../storage/backends.js';
import { LocalParameterSource } from './params/local.js';
import { ParameterCache } from './params/cache.js';
import type { ParameterSource } from './params/source.js';
import { addStats, emptyStats, type ObjectStore, type StoreRef, type StoreStats } from '../storage/store.js';

export interface RuntimeEnv {
  /** A store for a ref; clients are reused across invocations of a warm instance. */
  store(ref: StoreRef): ObjectStore;
  /** Where job parameters (secrets) come from: SSM on Lambda, a local file or env locally. */
  parameters?: ParameterSource;
  /** Task threads an executor may use (worker_threads over the instance's cores); default 1. */
  threads?: number;
  /**
   * Where a batch job's driver step may leave its state write when it answers run_executors or
   * succeed: the write runs once the executors are started (or the result is committed) and the
   * runner awaits it before the job's next step, or before `Runner.finished` resolves (the local
   * runner, whose driver shares the process). Absent (Lambda): the step writes its state before
   * it returns.
   */
  writeBehind?(jobId: string, write: () => Promise<void>): void;
  /** Milliseconds left before the platform stops this invocation. */
  remainingMillis(): number;
  log(message: string): void;
}

const stores = new Map<string, ObjectStore>();

/** Stores are cached per instance by their ref (their context): reuse, never share state. */
export function cachedStore(ref: StoreRef): ObjectStore {
  const key = JSON.stringify(ref);
  let s = stores.get(key);
  if (!s) {
    s = openStore(ref);
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
