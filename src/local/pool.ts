/**
 * A pool of warm local executor instances (child processes). An invocation goes to an idle
 * instance, or waits for one; instances are started lazily up to the pool size and reused, so
 * instance reuse is real. Each invocation runs with a time limit, as on Lambda: still running
 * at the limit, its process is killed and the invocation fails as Lambda's would
 * (`Sandbox.Timedout`). A process that dies fails its invocation naming its exit code or signal.
 * Idle instances do not keep the client's process alive.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { ExecutionError, fromErrorData, type ErrorData } from '../../planner/errors.js';
import type { ExecutorEvent, ExecutorOutput } from '../runtime/protocol.js';

/**
 * Whether an executor process keeps this one alive: only while it runs an invocation. An idle
 * warm pool never holds the event loop, so a script that forgets `stop()` still ends; its
 * executors exit when the IPC channel closes (worker.ts).
 */
function hold(proc: ChildProcess, on: boolean): void {
  // The piped output streams are handles too: an idle executor's must not hold the loop either.
  const streams = [proc.stdout, proc.stderr] as { ref?(): void; unref?(): void }[];
  if (on) {
    proc.ref();
    proc.channel?.ref();
    for (const s of streams) s?.ref?.();
  } else {
    proc.unref();
    proc.channel?.unref();
    for (const s of streams) s?.unref?.();
  }
}

interface Instance {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  busy: boolean;
  invocations: number;
}

type Reply = { id: number; ok: true; output: ExecutorOutput } | { id: number; ok: false; error: ErrorData };

export interface PoolOptions {
  readonly size: number;
  /** Per-invocation time limit handed to the executor as its remaining time. */
  readonly timeLimitMs: number;
  /** The executor worker script (a bundled ESM file), or its promise while it is built. */
  readonly workerPath: string | Promise<string>;
}

/** How long past its time limit an invocation may run before it is stopped (Lambda: none; a little for timers). */
const TIME_LIMIT_GRACE_MS = 50;

/** The error Lambda reports for an invocation stopped at its time limit. */
function lambdaTimeout(limitMs: number): Error {
  return Object.assign(new Error(`Task timed out after ${(limitMs / 1000).toFixed(2)} seconds`), {
    name: 'Sandbox.Timedout',
  });
}

/**
 * Node flags of the executor processes of a pool of `size` on `cores` cores, then
 * STRATUS_EXECUTOR_NODE_ARGS (e.g. --cpu-prof; later flags win).
 *
 * An executor's live heap is small (code, caches: ~10 MB) while every row group allocates tens
 * of MB that die with its batch; on V8's default initial old generation, what scavenges promote
 * of them reached the limit every few hundred ms, so full mark-compacts ran ~95 times per SF1
 * Q1 (their pauses a third of the executor's time, plus concurrent marking on helper threads).
 * A 128 MB initial old generation lets that garbage die first (SF1 Q1, 1 executor: 32
 * mark-compacts, executor CPU −20%). When the pool has an executor per core, GC helper
 * threads only take time from the other executors: GC runs on each executor's own thread.
 * @example executorNodeArgs(2, 2) // ['--initial-old-space-size=128', '--single-threaded-gc']
 */
export function executorNodeArgs(size: number, cores = availableParallelism()): string[] {
  const flags = [`--initial-old-space-size=${EXECUTOR_INITIAL_OLD_SPACE_MB}`];
  if (size >= cores) flags.push('--single-threaded-gc');
  return [...flags, ...(process.env.STRATUS_EXECUTOR_NODE_ARGS ?? '').split(' ').filter(Boolean)];
}

/**
 * glibc malloc settings of the executor processes (the user's own values win). A fresh large
 * buffer costs ~4–10 ms/MB of page faults on small VMs, and glibc's defaults hand every block
 * above a dynamic threshold straight back to the kernel: keeping blocks up to 64 MiB in the heap
 * and trimming only past 256 MiB lets a task reuse the last task's pages (hash tables, decode
 * buffers). SF1 six queries, 1 executor, 3 interleaved runs each: Q18 executor CPU 1754–1792 →
 * 1029–1159 ms, the others within noise; executor peak RSS +8% (408 → 445 MB).
 */
export const EXECUTOR_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(64 << 20),
  MALLOC_TRIM_THRESHOLD_: String(256 << 20),
};

/** Initial old generation of an executor process (MB): see executorNodeArgs. */
export const EXECUTOR_INITIAL_OLD_SPACE_MB = 128;

export class ExecutorPool {
  private readonly instances: Instance[] = [];
  private readonly waiting: ((i: Instance) => void)[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (o: ExecutorOutput) => void; reject: (e: Error) => void; inst: Instance }
  >();
  private nextId = 1;
  private closed = false;
  private workerPath: string | undefined;

  constructor(readonly opts: PoolOptions) {}

  get started(): number {
    return this.instances.length;
  }

  /** Invocation counts per instance (to show reuse). */
  get invocationCounts(): number[] {
    return this.instances.map((i) => i.invocations);
  }

  get pids(): number[] {
    return this.instances.map((i) => i.proc.pid!);
  }

  /** Instances running an invocation now (or handed one that is starting). */
  get busy(): number {
    return this.instances.reduce((n, i) => n + (i.busy ? 1 : 0), 0);
  }

  /** Callbacks waiting for fewer busy instances than their count (whenBusyBelow). */
  private readonly belowWaiters: { n: number; resolve: () => void }[] = [];

  /** Resolves once fewer than `n` instances are busy (at once if they already are). */
  whenBusyBelow(n: number): Promise<void> {
    if (this.busy < n) return Promise.resolve();
    return new Promise((resolve) => this.belowWaiters.push({ n, resolve }));
  }

  private notifyBelow(): void {
    if (!this.belowWaiters.length) return;
    const busy = this.busy;
    for (let i = this.belowWaiters.length - 1; i >= 0; i--) {
      const w = this.belowWaiters[i]!;
      if (busy >= w.n) continue;
      this.belowWaiters.splice(i, 1);
      w.resolve();
    }
  }

  /** Processes running an invocation now. */
  get busyPids(): number[] {
    const busy = new Set([...this.pending.values()].map((p) => p.inst));
    return [...busy].map((i) => i.proc.pid!);
  }

  private spawn(): Instance {
    let onReady!: () => void;
    let onDied!: (e: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onDied = reject;
    });
    ready.catch(() => undefined);
    const execArgv = executorNodeArgs(this.opts.size);
    const proc = fork(this.workerPath!, [], {
      execArgv,
      env: { ...EXECUTOR_MALLOC_ENV, ...process.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    // The executor's output goes to this process's streams (where tools and tests see it).
    proc.stdout?.pipe(process.stdout, { end: false });
    proc.stderr?.pipe(process.stderr, { end: false });
    const inst: Instance = { proc, ready, busy: false, invocations: 0 };
    proc.on('message', (m: Reply | { ready: true }) => {
      if ('ready' in m) return onReady();
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.output);
      else if (m.error.code === 'EXECUTOR_TRANSIENT')
        p.reject(Object.assign(new Error(m.error.message), { name: 'ExecutorTransientError' }));
      else p.reject(fromErrorData(m.error));
    });
    // Sending to a process that just died fails here; its 'exit' fails the invocation.
    proc.on('error', () => undefined);
    proc.on('exit', (code, signal) => {
      const idx = this.instances.indexOf(inst);
      if (idx >= 0) this.instances.splice(idx, 1);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      onDied(new ExecutionError('EXECUTOR_EXITED', `executor process ${proc.pid} ${how} before it was ready`));
      if (!this.closed)
        for (const [id, p] of this.pending)
          if (p.inst === inst) {
            this.pending.delete(id);
            p.reject(
              new ExecutionError('EXECUTOR_EXITED', `executor process ${proc.pid} ${how}`, {
                pid: proc.pid,
                ...(signal ? { signal } : { exitCode: code }),
              }),
            );
          }
    });
    this.instances.push(inst);
    return inst;
  }

  private acquire(): Promise<Instance> {
    const idle = this.instances.find((i) => !i.busy);
    if (idle) {
      idle.busy = true;
      hold(idle.proc, true);
      return Promise.resolve(idle);
    }
    if (this.instances.length < this.opts.size) {
      const inst = this.spawn();
      inst.busy = true;
      return Promise.resolve(inst);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(inst: Instance): void {
    const next = this.waiting.shift();
    if (!this.instances.includes(inst)) {
      // The process died: a waiting invocation gets a fresh one.
      if (next && !this.closed) {
        const fresh = this.spawn();
        fresh.busy = true;
        next(fresh);
      }
      this.notifyBelow();
      return;
    }
    if (next) next(inst);
    else {
      inst.busy = false;
      hold(inst.proc, false);
      this.notifyBelow();
    }
  }

  async invoke(event: ExecutorEvent): Promise<ExecutorOutput> {
    if (this.closed) throw new ExecutionError('POOL_CLOSED', 'the executor pool is closed');
    this.workerPath ??= await this.opts.workerPath;
    const inst = await this.acquire();
    try {
      await inst.ready;
      inst.invocations++;
      const id = this.nextId++;
      let timer: NodeJS.Timeout | undefined;
      return await new Promise<ExecutorOutput>((resolve, reject) => {
        const entry = { resolve, reject, inst };
        this.pending.set(id, entry);
        inst.proc.send({ id, event, timeLimitMs: this.opts.timeLimitMs });
        // As Lambda does: an invocation still running at its time limit is stopped, process and all.
        timer = setTimeout(() => {
          if (!this.pending.delete(id)) return;
          // Gone from now on: no other invocation may be handed to it before its 'exit'.
          const idx = this.instances.indexOf(inst);
          if (idx >= 0) this.instances.splice(idx, 1);
          inst.proc.kill('SIGKILL');
          reject(lambdaTimeout(this.opts.timeLimitMs));
        }, this.opts.timeLimitMs + TIME_LIMIT_GRACE_MS);
        timer.unref();
      }).finally(() => clearTimeout(timer));
    } finally {
      this.release(inst);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.belowWaiters.splice(0)) w.resolve();
    await Promise.all(
      this.instances.map(
        (i) =>
          new Promise<void>((r) => {
            if (i.proc.exitCode !== null) return r();
            i.proc.once('exit', () => r());
            // An idle instance holds nothing: hold it again, or `await stop()` could end the
            // process (exit code 13, an unsettled top-level await) before the exit event.
            hold(i.proc, true);
            // Ask for a clean exit (profilers and flushes run), then insist.
            i.proc.send({ shutdown: true }, () => undefined);
            setTimeout(() => i.proc.kill(), 2000).unref();
          }),
      ),
    );
    this.instances.length = 0;
  }
}
