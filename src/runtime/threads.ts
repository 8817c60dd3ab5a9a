/**
 * The executor's task threads (worker_threads): CPU-bound tasks of a group run in parallel on
 * the instance's cores — on a 10 GB Lambda, ~6. Threads are started on first use and kept for
 * the instance's life (warm reuse). Available when the executor runs from its bundle, where the
 * thread script sits next to it; otherwise tasks run on the invocation's own thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ErrorData } from '../../planner/errors.js';
import type { TaskOutput } from './protocol.js';
import type { ThreadTask } from './thread.js';

export type ThreadResult =
  | { ok: true; output: TaskOutput; phases: Record<string, number>; stats: Record<string, number> }
  | { ok: false; error: ErrorData; phases: Record<string, number>; stats: Record<string, number> };

const script = (() => {
  try {
    const p = fileURLToPath(new URL('./thread.mjs', import.meta.url));
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
})();

interface Slot {
  readonly worker: Worker;
  busy: boolean;
  /** Id of the task it is running. */
  current: number | undefined;
}

const slots: Slot[] = [];
const waiting = new Map<number, { resolve: (r: ThreadResult) => void; reject: (e: unknown) => void }>();
let nextId = 1;

/** Whether task threads can be used in this process. */
export const threadsAvailable = (): boolean => script !== null;

function start(): Slot {
  const worker = new Worker(script!);
  worker.unref();
  const slot: Slot = { worker, busy: false, current: undefined };
  worker.on('message', (m: ThreadResult & { id: number }) => {
    const done = waiting.get(m.id);
    waiting.delete(m.id);
    slot.current = undefined;
    done?.resolve(m);
  });
  // A thread that dies fails the task it was running; the slot is dropped and replaced on demand.
  worker.on('error', (e) => {
    const id = slot.current;
    slot.current = undefined;
    slots.splice(slots.indexOf(slot), 1);
    if (id !== undefined) {
      waiting.get(id)?.reject(e);
      waiting.delete(id);
    }
  });
  slots.push(slot);
  return slot;
}

const queue: ((s: Slot) => void)[] = [];

/** A free thread: an idle one, a new one while fewer than `max` exist, or the next released. */
function acquire(max: number): Promise<Slot> {
  const idle = slots.find((s) => !s.busy) ?? (slots.length < max ? start() : undefined);
  if (idle) {
    idle.busy = true;
    return Promise.resolve(idle);
  }
  return new Promise((resolve) => queue.push(resolve));
}

function release(slot: Slot): void {
  const next = queue.shift();
  if (!slots.includes(slot)) {
    // The thread died: a waiting task gets a fresh one.
    if (next) {
      const fresh = start();
      fresh.busy = true;
      next(fresh);
    }
    return;
  }
  if (next) next(slot);
  else slot.busy = false;
}

/** Run a task on a thread (waiting for one when all `max` are busy). */
export async function runOnThread(max: number, task: Omit<ThreadTask, 'id'>): Promise<ThreadResult> {
  const slot = await acquire(max);
  try {
    const id = nextId++;
    return await new Promise<ThreadResult>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      slot.current = id;
      slot.worker.postMessage({ ...task, id });
    });
  } finally {
    release(slot);
  }
}
