/**
 * A per-instance parameter cache. Keep one at module level so it outlives a Lambda invocation
 * on a warm instance: repeat reads cost no Parameter Store calls until their TTL runs out.
 * Values live in private fields; JSON, `toString` and `util.inspect` show names only.
 */
import { inspect } from 'node:util';
import { InternalError, listNames } from '../../../planner/errors.js';
import { uniqueNames, type ParameterSource } from './source.js';

/** Tuning for `ParameterCache`. */
export interface ParameterCacheOptions {
  /** How long a value stays fresh, in milliseconds (default 5 minutes). */
  readonly ttlMs?: number;
  /** The clock, in milliseconds (default `Date.now`). Tests inject a fake one. */
  readonly now?: () => number;
}

/** The default freshness of a cached parameter: 5 minutes. */
export const DEFAULT_PARAMS_TTL_MS = 5 * 60_000;

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * Caches a `ParameterSource`. `get` fetches only the names that are absent or expired, in one
 * call to the source; names already being fetched by a concurrent `get` are awaited, not
 * fetched twice. A failed fetch caches nothing.
 *
 * @example
 * const params = new ParameterCache(parameterSourceFor('ssm'));   // module level
 * export const handler = async () => { const p = await params.get(['/db/password']); ... };
 */
export class ParameterCache implements ParameterSource {
  readonly #source: ParameterSource;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #entries = new Map<string, Entry>();
  #inflight = new Map<string, Promise<Map<string, string>>>();
  #generation = 0;

  constructor(source: ParameterSource, opts: ParameterCacheOptions = {}) {
    this.#source = source;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_PARAMS_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** The values of `names`, from the cache where fresh, else from the source. */
  async get(names: readonly string[]): Promise<Map<string, string>> {
    const wanted = uniqueNames(names);
    const now = this.#now();
    const fresh = new Map<string, string>();
    const waits = new Map<string, Promise<Map<string, string>>>();
    const toFetch: string[] = [];
    for (const name of wanted) {
      const e = this.#entries.get(name);
      const pending = this.#inflight.get(name);
      if (e !== undefined && e.expiresAt > now) fresh.set(name, e.value);
      else if (pending !== undefined) waits.set(name, pending);
      else toFetch.push(name);
    }
    if (toFetch.length > 0) {
      const p = this.#fetch(toFetch, now);
      for (const name of toFetch) waits.set(name, p);
    }
    for (const [name, p] of waits) {
      const v = (await p).get(name);
      if (v === undefined)
        throw new InternalError(
          'PARAMS_SOURCE_INCOMPLETE',
          `the parameter source returned no value for ${listNames([name])} and no error`,
          { name },
        );
      fresh.set(name, v);
    }
    return new Map(wanted.map((n) => [n, fresh.get(n)!]));
  }

  /** Forget every cached value (in-flight fetches complete but are not stored). */
  clear(): void {
    this.#entries = new Map();
    this.#inflight = new Map();
    this.#generation++;
  }

  /** Cached names (fresh or not). Never values. */
  get size(): number {
    return this.#entries.size;
  }

  #fetch(names: string[], startedAt: number): Promise<Map<string, string>> {
    const generation = this.#generation;
    const inflight = this.#inflight;
    const p = this.#source.get(names).then((values) => {
      if (generation === this.#generation) {
        for (const [n, value] of values) this.#entries.set(n, { value, expiresAt: startedAt + this.#ttlMs });
      }
      return values;
    });
    const settle = (): void => {
      for (const n of names) if (inflight.get(n) === p) inflight.delete(n);
    };
    p.then(settle, settle);
    for (const n of names) inflight.set(n, p);
    return p;
  }

  /** Names and settings only: safe to log. */
  toJSON(): Record<string, unknown> {
    return { kind: 'ParameterCache', ttlMs: this.#ttlMs, cached: [...this.#entries.keys()].sort() };
  }

  /** Names only: safe to log. */
  toString(): string {
    return `ParameterCache(ttlMs=${this.#ttlMs}, cached=[${[...this.#entries.keys()].sort().join(', ')}])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
