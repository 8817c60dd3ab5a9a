/**
 * Instance reuse. A warm Lambda instance (or local worker process) runs many invocations, of
 * many jobs. Each invocation gets a fresh scratch directory, and afterwards the instance is put
 * back as it was: globals a job added are deleted, environment variables restored, scratch
 * files removed. What is keyed by its context — SDK clients per endpoint and credentials, the
 * parameter cache, loaded UDF bundles per hash, stage plans per job — is kept and reused.
 */
import { mkdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

interface Invocation {
  readonly dir: string;
  parameters: ReadonlyMap<string, string>;
}
const scratch = new AsyncLocalStorage<Invocation>();

/** Job parameters (secrets) for user functions: `parameter(name)` reads them through this hook. */
(globalThis as Record<symbol, unknown>)[Symbol.for('stratus.parameter')] = (name: string): string | undefined =>
  scratch.getStore()?.parameters.get(name);

(globalThis as Record<symbol, unknown>)[Symbol.for('stratus.scratch')] = () => scratchDir();

/** Run `f` with a given invocation context (a task thread, on behalf of its executor). */
export function withInvocationContext<T>(
  ctx: { dir: string; parameters: ReadonlyMap<string, string> },
  f: () => Promise<T>,
): Promise<T> {
  return scratch.run({ dir: ctx.dir, parameters: ctx.parameters }, f);
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

export async function invocationScope<T>(f: () => Promise<T>): Promise<T> {
  const env = { ...process.env };
  const baselineGlobals = new Set(Object.getOwnPropertyNames(globalThis));
  const dir = path.join(os.tmpdir(), 'stratus-scratch', `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    return await scratch.run({ dir, parameters: new Map() }, f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (!baselineGlobals.has(name)) delete (globalThis as Record<string, unknown>)[name];
    }
  }
}
