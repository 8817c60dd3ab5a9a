/**
 * Harness side of the runner protocol: starts a runner process per (scale, threads, engine)
 * with `node --import tsx <runner> '<args JSON>'` (its stderr, the engine's progress and
 * errors, passed through), and talks to it one command at a time over stdin / stdout
 * (peers/protocol.ts). A runner that dies, or gives no reply within the timeout, is killed with
 * everything it started (it leads its own process group) and its pending request is rejected
 * with a message naming it and what it was doing, so the harness carries on with the others.
 * Every runner still alive when the harness exits or is interrupted is killed too.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type Command,
  type EngineName,
  type ErrorReply,
  REPLY_MARK,
  type RunnerArgs,
  type RunnerResult,
} from './protocol.js';

export interface RunnerFailure {
  readonly engine: EngineName;
  readonly threads: number;
  readonly failure: string;
}

export type RunnerRecord = RunnerResult | RunnerFailure;

export function isFailure(r: RunnerRecord): r is RunnerFailure {
  return 'failure' in r;
}

const MODULES: Record<EngineName, string> = {
  stratus: '../stratus-runner.ts',
  duckdb: './duckdb.ts',
  polars: './polars.ts',
};

/** The project root: runners resolve `tsx` and Stratus' executor workers from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The processors a runner of `threads` is held to, as a `taskset -c` list: the first `threads`
 * of the machine's, when that is fewer than all of them, on Linux with util-linux's taskset on
 * the PATH; else none (the runner may use every core). "Threads" then means cores for every
 * engine: DuckDB's and Polars' worker threads, and everything a Stratus executor process runs
 * besides its task thread (GC helpers, background compiles, file reads) and the driver, which
 * unpinned take an otherwise idle core — as a 1-vCPU Lambda executor's do not.
 * @example cpuPinning(1, 2, 'linux', ['/usr/bin']) // '0' (where /usr/bin/taskset exists)
 * @example cpuPinning(2, 2) // undefined: all the cores
 */
export function cpuPinning(
  threads: number,
  cpus: number = availableParallelism(),
  platform: NodeJS.Platform = process.platform,
  pathDirs: readonly string[] = (process.env.PATH ?? '').split(path.delimiter),
): string | undefined {
  if (platform !== 'linux' || threads >= cpus) return undefined;
  if (!pathDirs.some((d) => d && existsSync(path.join(d, 'taskset')))) return undefined;
  return threads === 1 ? '0' : `0-${threads - 1}`;
}

export interface RunnerSpec {
  readonly args: RunnerArgs;
  /** How messages name the runner: `SF10 stratus threads=1`. */
  readonly label: string;
  /** The processors it is held to (a taskset list), when pinned. */
  readonly cpus?: string;
  /** The runner module, when not the engine's own (a test's fake runner). */
  readonly module?: string;
}

/** Runners alive, killed (with their executor processes) when the harness exits or is interrupted. */
const live = new Set<RunnerProcess>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const r of live) r.kill();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      killAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
}

interface Pending {
  readonly what: string;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One runner process and its command channel; `request` sends a command and awaits its reply. */
export class RunnerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Pending | undefined;
  /** Why the process is gone, once it is (no request is sent any more). */
  private gone: string | undefined;
  private readonly exited: Promise<void>;

  private readonly label: string;

  /**
   * Starts the runner of `spec` (on its processors, when pinned); its first reply, the
   * `OpenReply`, is `opened()`'s. No reply within `timeoutMs` kills it.
   */
  constructor(
    { args, label, cpus, module }: RunnerSpec,
    private readonly timeoutMs: number,
  ) {
    hookExit();
    this.label = label;
    const runner = module ?? fileURLToPath(new URL(MODULES[args.engine], import.meta.url));
    const env = { ...process.env, POLARS_MAX_THREADS: String(args.threads), STRATUS_PROGRESS: '0' };
    const node = [process.execPath, '--import', 'tsx', runner, JSON.stringify(args)];
    // Held to `cpus` with everything it starts (Stratus' executors inherit the affinity).
    const [command, ...argv] = cpus ? ['taskset', '-c', cpus, ...node] : node;
    this.child = spawn(command!, argv, {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    }) as unknown as ChildProcessWithoutNullStreams;
    live.add(this);
    this.child.stdin.on('error', () => {}); // a dead runner's closed pipe: its exit says why
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.fail(`could not start ${runner}: ${e.message}`);
        resolve();
      });
      this.child.on('close', (code, signal) => {
        this.fail(`runner exited with ${signal ?? `code ${code}`}`);
        resolve();
      });
    });
  }

  /** The runner's first reply: its engine opened (`OpenReply`) or not (`ErrorReply`). */
  opened<R>(): Promise<R | ErrorReply> {
    return this.await<R | ErrorReply>('opening the engine');
  }

  /** Sends `command` and resolves with the runner's reply; rejects once the runner is gone. */
  request<R>(command: Command, what: string): Promise<R | ErrorReply> {
    const reply = this.await<R | ErrorReply>(what);
    if (!this.gone) this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return reply;
  }

  /** Asks the runner to close (its final figures) and waits until it has exited. */
  async close<R>(): Promise<R | ErrorReply> {
    try {
      return await this.request<R>({ op: 'close' }, 'closing');
    } finally {
      this.child.stdin.end();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      this.kill(); // executor processes a runner left behind
    }
  }

  /** Kills the runner's process group (the runner and everything it started). */
  kill(): void {
    live.delete(this);
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private await<R>(what: string): Promise<R> {
    if (this.pending) throw new Error(`${this.label}: a request while ${this.pending.what}`);
    if (this.gone) return Promise.reject(new Error(this.gone));
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        process.stderr.write(`[bench] ${this.label}: no reply after ${this.timeoutMs / 1000} s ${what}, killing it\n`);
        this.kill();
        this.fail(`timed out after ${this.timeoutMs / 1000} s (--timeout)`);
      }, this.timeoutMs);
      this.pending = { what, resolve: resolve as (r: unknown) => void, reject, timer };
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith(REPLY_MARK)) {
      if (line.trim()) process.stderr.write(`[bench] ${this.label} stdout: ${line}\n`);
      return;
    }
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    try {
      p.resolve(JSON.parse(line.slice(REPLY_MARK.length)));
    } catch {
      p.reject(new Error(`unreadable reply ${excerpt(line)} ${p.what}`));
    }
  }

  /** The runner is gone (exited, killed, never started): the pending request fails with why. */
  private fail(why: string): void {
    this.gone ??= why;
    live.delete(this);
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(new Error(`${this.gone} ${p.what}`));
  }
}

const excerpt = (line: string) => JSON.stringify(line.slice(0, 200));
