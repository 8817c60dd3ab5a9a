/**
 * Harness side of the runner protocol: starts one runner process per (engine, threads) with
 * `node --import tsx <runner> '<args JSON>'`, passes its stderr (progress) through, and parses the
 * `RunnerResult` on the last line of its stdout. A runner that dies, times out or prints no
 * result becomes a `RunnerFailure` instead of an exception, so the other engines still run.
 */
import { spawn } from 'node:child_process';
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
 * Runs one engine process to completion, or kills it (and its executor processes: the runner
 * leads its own process group) after `timeoutMs` or when the harness is interrupted.
 */
export function runEngine(args: RunnerArgs, timeoutMs: number): Promise<RunnerRecord> {
  const runner = fileURLToPath(new URL(MODULES[args.engine], import.meta.url));
  const env = { ...process.env, POLARS_MAX_THREADS: String(args.threads), STRATUS_PROGRESS: '0' };
  const child = spawn(process.execPath, ['--import', 'tsx', runner, JSON.stringify(args)], {
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
        resolve(JSON.parse(last) as RunnerResult);
      } catch {
        resolve(fail(`runner printed no result line (last line: ${last.slice(0, 200)})`));
      }
    });
  });
}
