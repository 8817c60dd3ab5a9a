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
}

const slots: Slot[] = [];
const waiting = new Map<number, (r: ThreadResult) => void>();
let nextId = 1;

/** Whether task threads can be used in this process. */
export const threadsAvailable = (): boolean => script !== null;

function start(): Slot {
  const worker = new Worker(script!);
  worker.unref();
  worker.on('message', (m: ThreadResult & { id: number }) => {
    const done = waiting.get(m.id);
    waiting.delete(m.id);
    done?.(m);
  });
  const slot = { worker, busy: false };
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
  if (next) next(slot);
  else slot.busy = false;
}

/** Run a task on a thread (waiting for one when all `max` are busy). */
export async function runOnThread(max: number, task: Omit<ThreadTask, 'id'>): Promise<ThreadResult> {
  const slot = await acquire(max);
  try {
    const id = nextId++;
    return await new Promise<ThreadResult>((resolve, reject) => {
      waiting.set(id, resolve);
      slot!.worker.once('error', reject);
      slot!.worker.postMessage({ ...task, id });
    });
  } finally {
    release(slot);
  }
}
