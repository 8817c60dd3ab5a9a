/**
 * Errors raised by user code. Every registered function an executor calls is wrapped so that
 * what it throws becomes a `USER_CODE_ERROR` naming the function, with the user's frames of
 * its stack — mapped to the user's own source files by the bundle's inline source map (see
 * bundle.ts; source maps are switched on when a bundle loads). Such an error is deterministic
 * (the job fails at once) unless its cause is a transient failure by the one classification
 * (a network call the function made was reset): then a later attempt may succeed.
 */
import { ExecutionError, StratusError } from '../../planner/errors.js';
import { classifyFailure } from '../util/retry.js';
import { noSpace } from './failures.js';

/** The frames of `e`'s stack above the call into user code (`marker` was made in the wrapper). */
function userFrames(e: Error, marker: Error): string[] {
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  // marker's stack: "Error", the wrapper's frame, then its callers — the engine's frames.
  const caller = (marker.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l))[1];
  const at = caller ? frames.indexOf(caller) : -1;
  // Drop the wrapper's own frame too (the one just above the first shared caller).
  return (at > 0 ? frames.slice(0, at - 1) : frames).map((l) => l.trim());
}

/** The USER_CODE_ERROR for what function `name` threw. */
export function userCodeError(name: string, thrown: unknown, marker: Error): StratusError {
  if (thrown instanceof StratusError) {
    // An engine error raised inside user code (parameter() of an unknown name…): keep it, name the function.
    return new StratusError(thrown.category, thrown.code, thrown.message, { ...thrown.details, function: name });
  }
  const full = noSpace(thrown);
  if (full) return new StratusError(full.category, full.code, full.message, { ...full.details, function: name });
  const err = thrown instanceof Error ? thrown : new Error(String(thrown));
  const frames = userFrames(err, marker);
  const where = frames[0]?.match(/\(([^()]+)\)$|^at (\S+)$/);
  const location = where ? ` (${where[1] ?? where[2]})` : '';
  return new ExecutionError('USER_CODE_ERROR', `user function '${name}' threw ${err.name}: ${err.message}${location}`, {
    function: name,
    error: err.name,
    stack: [`${err.name}: ${err.message}`, ...frames.map((f) => `    ${f}`)].join('\n'),
    ...(classifyFailure(thrown) !== 'fatal' ? { transient: true } : {}),
  });
}

/** `fn` wrapped: what it throws (or rejects with) becomes a USER_CODE_ERROR naming `name`. */
export function guardUserFunction<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  const guarded = function (this: unknown, ...args: Parameters<F>): unknown {
    let out: unknown;
    try {
      out = fn.apply(this, args);
    } catch (e) {
      throw userCodeError(name, e, new Error());
    }
    if (out !== null && typeof out === 'object' && typeof (out as PromiseLike<unknown>).then === 'function') {
      const marker = new Error();
      return (out as Promise<unknown>).then(undefined, (e: unknown) => {
        throw userCodeError(name, e, marker);
      });
    }
    return out;
  };
  return guarded as unknown as F;
}
