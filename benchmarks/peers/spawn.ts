/**
 * Harness side of the runner protocol: starts one runner process per (engine, threads) with
 * `node --import tsx <runner> '<args JSON>'`, passes its stderr (progress) through, and parses the
 * `RunnerResult` on the last line of its stdout. A runner that dies, times out or prints no
 * result becomes a `RunnerFailure` instead of an exception, so the other engines still run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineName, RunnerArgs, RunnerResult } from './protocol.js';

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

/**
 * Runs one engine process to completion (on the processors `cpus`, a taskset list, when given), or kills it (and its executor processes: the runner
 * leads its own process group) after `timeoutMs` or when the harness is interrupted.
 */
export function runEngine(args: RunnerArgs, timeoutMs: number, cpus?: string): Promise<RunnerRecord> {
  const runner = fileURLToPath(new URL(MODULES[args.engine], import.meta.url));
  const env = { ...process.env, POLARS_MAX_THREADS: String(args.threads), STRATUS_PROGRESS: '0' };
  const node = [process.execPath, '--import', 'tsx', runner, JSON.stringify(args)];
  // Held to `cpus` with everything it starts (Stratus' executors inherit the affinity).
  const [command, ...argv] = cpus ? ['taskset', '-c', cpus, ...node] : node;
  const child = spawn(command!, argv, {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    killGroup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.stderr.write(
      `[bench] ${args.engine} threads=${args.threads}: no result after ${timeoutMs / 1000} s, killing it\n`,
    );
    killGroup();
  }, timeoutMs);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const fail = (failure: string): RunnerFailure => ({ engine: args.engine, threads: args.threads, failure });
  return new Promise((resolve) => {
    child.on('error', (e) => resolve(fail(`could not start ${runner}: ${e.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      killGroup(); // executor processes left behind by a crashed runner
      const lines = stdout.trimEnd().split('\n');
      const last = lines.pop() ?? '';
      const other = lines.join('\n').trim();
      if (other) process.stderr.write(`[bench] ${args.engine} stdout: ${other}\n`);
      if (timedOut) return resolve(fail(`timed out after ${timeoutMs / 1000} s (--timeout)`));
      if (code !== 0) return resolve(fail(`runner exited with ${signal ?? `code ${code}`}`));
      try {
        const result = JSON.parse(last) as RunnerResult;
        resolve(
          cpus ? { ...result, notes: [...result.notes, `ran on CPU ${cpus} only (taskset -c ${cpus})`] } : result,
        );
      } catch {
        resolve(fail(`runner printed no result line (last line: ${last.slice(0, 200)})`));
      }
    });
  });
}
