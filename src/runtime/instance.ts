/**
 * Instance reuse. A warm Lambda instance (or local worker process) runs many invocations, of
 * many jobs — on Lambda Managed Instances several at once. Per-invocation state lives in async
 * context (AsyncLocalStorage), never in process globals, so overlapping invocations cannot see
 * each other's: each has its own scratch directory (removed at its end), its job's parameters,
 * and its own view of the environment — `process.env` is a proxy whose writes and deletes inside
 * an invocation go to that invocation's overlay and vanish with it. Globals a job adds (which
 * no async context can scope) are removed once no invocation is running, so one in flight never
 * loses what it set. What is keyed by its context — SDK clients per endpoint and credentials,
 * the parameter cache, loaded UDF bundles per hash, stage plans per job — is kept and reused.
 */
import { mkdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

interface Invocation {
  readonly dir: string;
  parameters: ReadonlyMap<string, string>;
  /** Environment variables this invocation set (or deleted: undefined), over the instance's. */
  readonly env: Map<string, string | undefined>;
}
const scratch = new AsyncLocalStorage<Invocation>();

/**
 * `process.env` as each invocation sees it: the instance's variables under the invocation's own
 * writes. Outside any invocation it is the instance's environment itself. Installed once.
 */
function installEnvironmentProxy(): void {
  const marker = Symbol.for('stratus.envProxy');
  if ((process.env as Record<symbol, unknown>)[marker]) return;
  const base = process.env;
  const overlay = (k: string | symbol) => (typeof k === 'string' ? scratch.getStore()?.env : undefined);
  const proxy = new Proxy(base, {
    get: (t, k) => {
      if (k === marker) return true;
      const o = overlay(k);
      return o?.has(k as string) ? o.get(k as string) : Reflect.get(t, k);
    },
    set: (t, k, v) => {
      const o = overlay(k);
      if (o) o.set(k as string, String(v));
      else Reflect.set(t, k, v);
      return true;
    },
    deleteProperty: (t, k) => {
      const o = overlay(k);
      if (o) o.set(k as string, undefined);
      else Reflect.deleteProperty(t, k);
      return true;
    },
    has: (t, k) => {
      const o = overlay(k);
      return o?.has(k as string) ? o.get(k as string) !== undefined : Reflect.has(t, k);
    },
    ownKeys: (t) => {
      const o = scratch.getStore()?.env;
      const keys = Reflect.ownKeys(t);
      if (!o?.size) return keys;
      const out = new Set(keys.filter((k) => typeof k !== 'string' || !o.has(k) || o.get(k) !== undefined));
      for (const [k, v] of o) if (v !== undefined) out.add(k);
      return [...out];
    },
    getOwnPropertyDescriptor: (t, k) => {
      const o = overlay(k);
      if (o?.has(k as string)) {
        const value = o.get(k as string);
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
    defineProperty: (t, k, d) => {
      const o = overlay(k);
      if (o) o.set(k as string, String(d.value));
      else Reflect.defineProperty(t, k, d);
      return true;
    },
  });
  process.env = proxy;
}

/** Job parameters (secrets) for user functions: `parameter(name)` reads them through this hook. */
(globalThis as Record<symbol, unknown>)[Symbol.for('stratus.parameter')] = (name: string): string | undefined =>
  scratch.getStore()?.parameters.get(name);

(globalThis as Record<symbol, unknown>)[Symbol.for('stratus.scratch')] = () => scratchDir();

/** Run `f` with a given invocation context (a task thread, on behalf of its executor). */
export function withInvocationContext<T>(
  ctx: { dir: string; parameters: ReadonlyMap<string, string> },
  f: () => Promise<T>,
): Promise<T> {
  installEnvironmentProxy();
  return scratch.run({ dir: ctx.dir, parameters: ctx.parameters, env: new Map() }, f);
}

/** The current invocation's scratch directory path and parameters (for task threads). */
export function invocationContext(): { dir: string; parameters: ReadonlyMap<string, string> } | undefined {
  return scratch.getStore();
}

/** Make the job's parameters visible to this invocation's user functions (memory only). */
export function setInvocationParameters(values: ReadonlyMap<string, string>): void {
  const inv = scratch.getStore();
  if (inv) inv.parameters = values;
}

/** The current invocation's scratch directory (created on first use, removed at its end). */
export function scratchDir(): string {
  const inv = scratch.getStore();
  if (!inv) throw new Error('scratchDir() is only available inside an executor invocation');
  mkdirSync(inv.dir, { recursive: true });
  return inv.dir;
}

/** Invocations running now, and the globals there were before the first of them started. */
let running = 0;
let baselineGlobals: Set<string> | undefined;

/**
 * Run one invocation in its own context (scratch directory, parameters, environment overlay).
 * When the last running invocation ends, globals added since the first began are deleted.
 */
export async function invocationScope<T>(f: () => Promise<T>): Promise<T> {
  installEnvironmentProxy();
  if (running++ === 0) baselineGlobals = new Set(Object.getOwnPropertyNames(globalThis));
  const dir = path.join(os.tmpdir(), 'stratus-scratch', `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    return await scratch.run({ dir, parameters: new Map(), env: new Map() }, f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (--running === 0) {
      for (const name of Object.getOwnPropertyNames(globalThis)) {
        if (!baselineGlobals!.has(name)) delete (globalThis as Record<string, unknown>)[name];
      }
      baselineGlobals = undefined;
    }
  }
}
