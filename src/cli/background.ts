/**
 * Local jobs that outlive the command that submitted them: `stratus submit` stores the job and
 * starts a detached runner process (`stratus __run <job>`, this module's `runStoredJob`), which
 * holds the job's lease while it runs it through the session's own path, stops it when a cancel
 * request appears in the store, and writes its progress to the job's runner log.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../../planner/errors.js';
import { session } from '../api/session.js';
import { cachedStore } from '../runtime/env.js';
import { jobKeys } from '../runtime/jobState.js';
import { parseStoreUrl } from '../storage/url.js';
import { markCancelled } from './jobs.js';

/** The command-line entry (bin/stratus.mjs) of this installation. */
export function cliEntry(): string {
  for (const rel of ['../../bin/stratus.mjs', '../../../bin/stratus.mjs']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new InternalError('NO_CLI_ENTRY', `cannot find bin/stratus.mjs from ${fileURLToPath(import.meta.url)}`);
}

/** Where a local job's runner writes its progress and errors: `stratus logs` prints it. */
export function runnerLog(store: string, jobId: string): string {
  const ref = parseStoreUrl(store);
  return ref.kind === 'local'
    ? path.join(ref.root, jobKeys(jobId).base, 'runner.log')
    : path.join(os.tmpdir(), 'stratus-logs', `${jobId}.log`);
}

export interface RunnerSettings {
  readonly store: string;
  readonly endpoint?: string;
  readonly executors?: number;
}

/** Start the detached runner of a stored local job; returns its pid. */
export function startRunner(settings: RunnerSettings, jobId: string): number {
  const log = runnerLog(settings.store, jobId);
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  const args = [cliEntry(), '__run', jobId, '--store', settings.store];
  if (settings.endpoint) args.push('--endpoint', settings.endpoint);
  if (settings.executors) args.push('--executors', String(settings.executors));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, STRATUS_PROGRESS: '1' },
  });
  child.unref();
  return child.pid ?? -1;
}

/** The runner log of a job, or undefined when there is none. */
export function readRunnerLog(store: string, jobId: string): string | undefined {
  const log = runnerLog(store, jobId);
  return existsSync(log) ? readFileSync(log, 'utf8') : undefined;
}

/**
 * Run a stored job in this process until it ends (the body of `stratus __run`): the session's
 * path, its lease held meanwhile; a cancel request stops the execution and marks the job
 * cancelled. Returns the process exit code.
 */
export async function runStoredJob(settings: RunnerSettings, jobId: string): Promise<number> {
  const s = session({
    store: settings.store,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.executors ? { executors: settings.executors } : {}),
    progress: true,
  });
  const store = cachedStore(s.storeRef);
  const cancel = jobKeys(jobId).cancel;
  const abort = new AbortController();
  const reason = async () => {
    const body = await store.get(cancel).catch(() => undefined);
    return body
      ? String((JSON.parse(new TextDecoder().decode(body)) as { reason?: string }).reason ?? 'cancelled')
      : '';
  };
  let polling = false;
  const poll = setInterval(async () => {
    if (polling || abort.signal.aborted) return;
    polling = true;
    try {
      if (await store.head(cancel)) abort.abort(await reason());
    } finally {
      polling = false;
    }
  }, 250);
  try {
    if (await store.head(cancel)) abort.abort(await reason());
    else await s.runStored(jobId, { label: 'job', signal: abort.signal });
    return 0;
  } catch (e) {
    if (abort.signal.aborted) {
      await markCancelled(store, jobId, String(abort.signal.reason));
      console.error(`[stratus] job ${jobId} cancelled: ${String(abort.signal.reason)}`);
      return 5;
    }
    console.error(`[stratus] job ${jobId} failed: ${(e as Error).message}`);
    return 1;
  } finally {
    clearInterval(poll);
    await s.stop();
  }
}
