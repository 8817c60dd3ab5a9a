/**
 * The parquet-wasm instance that scans and writes share, kept usable after the decoder panics.
 *
 * Corrupt input can make the Rust decoder panic. The trap ("RuntimeError: unreachable") then
 * surfaces from a wasm-bindgen future as an uncaught exception — crashing the process — while
 * the call's promise never settles; and the instance that trapped may be unusable afterwards.
 * So every asynchronous wasm call goes through `guarded`: while one is in flight, this module
 * owns the process's 'uncaughtException' listeners; a WebAssembly.RuntimeError rejects every
 * call in flight with `WasmPanic`, and the instance is retired — the next call loads a fresh
 * one (the module's Node build is evaluated again). Other uncaught errors go to the listeners
 * that were there before, or crash the process as they would have. A trap that arrives while
 * no call is in flight can only come from a retired instance (a finalizer, a future left
 * behind) and is ignored. `exclusive` runs a diagnosis alone, so a panic in it is its own.
 */
import { createRequire } from 'node:module';

export type ParquetWasm = typeof import('parquet-wasm');

/** A call was cut short because the decoder panicked (in it, or in a call beside it). */
export class WasmPanic extends Error {
  override readonly name = 'WasmPanic';
}

const load = createRequire(import.meta.url);
/** WebAssembly's trap error (not in the compiler's lib here). */
const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly
  .RuntimeError;
const isTrap = (e: unknown): e is Error => e instanceof RuntimeError;
let current: ParquetWasm | undefined;
/** Instances that panicked, kept so their objects' finalizers never run into freed memory. */
const retired: ParquetWasm[] = [];

/** Evaluate the module's Node build again: a new WebAssembly instance with its own memory. */
function instantiate(): ParquetWasm {
  const file = load.resolve('parquet-wasm');
  delete load.cache[file];
  return load(file) as ParquetWasm;
}

/** The current instance (loaded on first use). */
export function parquetWasm(): ParquetWasm {
  current ??= instantiate();
  return current;
}

/** How many instances have been retired after a panic (tests, summaries). */
export function retiredInstances(): number {
  return retired.length;
}

const inflight = new Set<(e: Error) => void>();
let others: ((e: Error, origin: string) => void)[] = [];

function onUncaught(e: Error, origin: string): void {
  if (isTrap(e)) {
    if (!inflight.size) return; // a retired instance's leftover: nothing of ours is running
    panic(e);
    return;
  }
  if (others.length) for (const l of others) l(e, origin);
  else {
    // Nobody else listens: crash as Node would have.
    release();
    process.nextTick(() => {
      throw e;
    });
  }
}

/** Take over the process's uncaught-exception listeners (keeping the others to forward to). */
function takeOver(): void {
  const listeners = process.listeners('uncaughtException');
  if (listeners.length === 1 && listeners[0] === onUncaught) return;
  for (const l of listeners) if (l !== onUncaught) others.push(l as (e: Error, origin: string) => void);
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
}

/** Give the listeners back. */
function release(): void {
  process.removeListener('uncaughtException', onUncaught);
  for (const l of others) process.on('uncaughtException', l);
  others = [];
}

/** The instance trapped: fail everything in flight and start over with a fresh one. */
function panic(e: Error): void {
  if (current) retired.push(current);
  current = undefined;
  const cut = [...inflight];
  inflight.clear();
  for (const reject of cut) reject(new WasmPanic(`the Parquet decoder panicked (${e.message})`));
}

/** Calls running now, and an exclusive section waiting for them to end. */
let active = 0;
let drained: (() => void) | undefined;
let exclusiveSection: Promise<void> | undefined;

/** Run one call with the current instance, failing it with WasmPanic if the instance traps meanwhile. */
async function call<T>(f: (pw: ParquetWasm) => Promise<T>): Promise<T> {
  active++;
  let reject: ((e: Error) => void) | undefined;
  try {
    const pw = parquetWasm();
    takeOver();
    return await new Promise<T>((resolve, rej) => {
      reject = rej;
      inflight.add(rej);
      f(pw).then(resolve, (e: unknown) => {
        // A trap thrown inside the call itself: the same as one from its future.
        if (isTrap(e) && inflight.has(rej)) panic(e);
        rej(e);
      });
    });
  } finally {
    if (reject) inflight.delete(reject);
    if (--active === 0) {
      // Keep listening once an instance was retired: its leftovers may still trap.
      if (!retired.length) release();
      drained?.();
    }
  }
}

/**
 * Run an asynchronous wasm call with the current instance. Rejects with `WasmPanic` when the
 * decoder panics while it runs (whichever call caused it).
 */
export async function guarded<T>(f: (pw: ParquetWasm) => Promise<T>): Promise<T> {
  while (exclusiveSection) await exclusiveSection;
  return call(f);
}

/** Run `f` with no other call in flight; its own calls go through the `alone` it is given. */
export async function exclusive<T>(f: (alone: typeof guarded) => Promise<T>): Promise<T> {
  while (exclusiveSection) await exclusiveSection;
  let open!: () => void;
  exclusiveSection = new Promise<void>((r) => (open = r));
  try {
    while (active > 0) await new Promise<void>((r) => (drained = r));
    drained = undefined;
    return await f(call);
  } finally {
    exclusiveSection = undefined;
    open();
  }
}

/** Run a synchronous wasm call; a trap in it retires the instance and becomes `WasmPanic`. */
export function syncCall<T>(f: (pw: ParquetWasm) => T): T {
  const pw = parquetWasm();
  try {
    return f(pw);
  } catch (e) {
    if (!isTrap(e)) throw e;
    if (current === pw) {
      retired.push(pw);
      current = undefined;
    }
    throw new WasmPanic(`the Parquet codec panicked (${e.message})`);
  }
}
