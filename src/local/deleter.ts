/**
 * Removal of finished jobs' folders from a local job store on idle CPU: one worker thread, at
 * the lowest scheduling priority (nice 19, Linux), deletes the trees it is handed, one after
 * another. Deleting a job folder is mostly kernel work (freeing its files' page cache: ~10 ms
 * of CPU for SF1 Q18's 43 files, 29 MB) and a session removes a job right after reading its
 * result — while its next job already runs: on libuv's pool, at the executors' priority, about
 * 60% of that time overlapped running executors at 2 executors on 2 cores. At nice 19 it runs
 * in the moments a core idles (driver steps, single-task stages, planning) and takes ~1.5% of a
 * core from busy ones. A backlog past `maxPending` trees (a machine never idle) is removed at
 * normal priority by the caller instead, so the store never grows without bound.
 */
import { Worker } from 'node:worker_threads';

/** The worker: CommonJS over node: modules only (no loader needed for a source checkout). */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { readlinkSync, rmSync } = require('node:fs');
const { setPriority } = require('node:os');
try {
  // Linux nice values are per thread: this thread's id, from /proc/thread-self -> <pid>/task/<tid>.
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  // Not Linux, or not permitted: deletions run at normal priority.
}
parentPort.on('message', ({ id, dir }) => {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    parentPort.postMessage({ id });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

export class IdleDeleter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(readonly maxPending = 8) {}

  /** Whether another tree may be queued (else the caller removes it itself). */
  get hasRoom(): boolean {
    return this.pending.size < this.maxPending;
  }

  /** Remove the directory `dir` (an absolute path) and everything under it; resolves once it is gone. */
  remove(dir: string): Promise<void> {
    const w = this.start();
    const id = this.nextId++;
    // Pending removals keep the process alive, as the pool's fs.rm did; an idle worker does not.
    if (this.pending.size === 0) w.ref();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, dir });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER, { eval: true });
    w.on('message', ({ id, error }: { id: number; error?: string }) => {
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) w.unref();
      if (error) p?.reject(new Error(error));
      else p?.resolve();
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the deletion thread exited with code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  /** Stop the thread (after the removals queued: await them first). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}
