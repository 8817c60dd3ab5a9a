/**
 * How an executor's failures leave it. A thrown value becomes error data: a full scratch disk
 * is NO_SPACE naming the path (a later attempt, on another instance, may have room); an
 * engine error keeps its code; anything else is UNEXPECTED with its stack, marked transient
 * when the one classification (util/retry.ts) says a later attempt may not hit it. Everything
 * that leaves the executor — task errors, the group summary, a failed invocation, log and
 * console lines — is redacted of the job's parameter values first.
 */
import { format } from 'node:util';
import { ResourceError, StratusError, toErrorData, type ErrorData } from '../../planner/errors.js';
import { classifyFailure } from '../util/retry.js';
import { redact, redactValue } from './params/redact.js';

/** The NO_SPACE error for a write that found the disk full, or undefined for any other error. */
export function noSpace(e: unknown): StratusError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code !== 'ENOSPC') return undefined;
  return new ResourceError(
    'NO_SPACE',
    `no space left on the device writing ${err.path ?? 'a scratch file'} (ENOSPC in ${err.syscall ?? 'a write'}): the executor's scratch disk is full; free it, or give executors more ephemeral storage`,
    { path: err.path, syscall: err.syscall },
  );
}

/** A task's or invocation's failure as data. */
export function failureData(e: unknown): ErrorData {
  const full = noSpace(e);
  if (full) return full.toData();
  const data = toErrorData(e);
  if (e instanceof StratusError || classifyFailure(e) === 'fatal') return data;
  return { ...data, details: { ...data.details, transient: true } };
}

/** Error data with the secrets masked. */
export function redactError(err: ErrorData, secrets: readonly string[]): ErrorData {
  return redactValue(err, secrets);
}

/** A thrown value with the secrets masked in its message and details (same class for engine errors). */
export function redactThrown(e: unknown, secrets: readonly string[]): unknown {
  if (!secrets.length) return e;
  if (e instanceof StratusError) {
    const d = redactError(e.toData(), secrets);
    return new StratusError(d.category, d.code, d.message, d.details);
  }
  if (e instanceof Error) {
    const out = new Error(redact(e.message, secrets));
    out.name = e.name;
    out.stack = redact(e.stack ?? '', secrets);
    return out;
  }
  return redact(String(e), secrets);
}

/** Every parameter value this instance has loaded: masked in its console output. */
const seen = new Set<string>();
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Mask `secrets` (and those seen before) in every console line this process prints from now on
 * — user code's included. Installed once per instance, on the first job that names parameters.
 */
export function maskInLogs(secrets: Iterable<string>): void {
  const first = seen.size === 0;
  for (const v of secrets) if (v) seen.add(v);
  if (!first || seen.size === 0) return;
  for (const m of METHODS) {
    const original = console[m].bind(console);
    console[m] = (...args: unknown[]) => original(redact(format(...args), seen));
  }
}
