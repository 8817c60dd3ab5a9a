/**
 * Retry and Catch of a Task or Map state, as Step Functions applies them: the first retrier
 * whose ErrorEquals matches the error decides (until its MaxAttempts are spent, then retrying
 * stops); the delay is IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, drawn
 * uniformly below that with JitterStrategy FULL; then the first matching catcher moves on
 * with `{ Error, Cause }` at its ResultPath. Terminal errors are never retried nor caught.
 */
import { asStatesError, matchesError, type StatesError } from './errors.js';
import { applyResultPath } from './paths.js';
import type { Scope } from './scope.js';
import type { Json, MapState, Retrier, TaskState } from './types.js';

export interface Step {
  readonly output: Json;
  /** undefined: the machine (or iteration) ends with this output. */
  readonly next: string | undefined;
}

/** Milliseconds before retry number `n` (0-based) of a retrier. */
function retryDelayMs(r: Retrier, n: number, random: () => number): number {
  let seconds = r.intervalSeconds * r.backoffRate ** n;
  if (r.maxDelaySeconds !== undefined) seconds = Math.min(seconds, r.maxDelaySeconds);
  if (r.jitter === 'FULL') seconds *= random();
  return Math.round(seconds * 1000);
}

/**
 * Run `attempt` (given the retry count) under the state's Retry and Catch; `failed` names the
 * history event of a failed attempt.
 */
export async function recover(
  s: TaskState | MapState,
  input: Json,
  scope: Scope,
  attempt: (retryCount: number) => Promise<Json>,
  failed: (e: StatesError) => string,
): Promise<Step> {
  const used = s.retry.map(() => 0);
  for (let retryCount = 0; ; retryCount++) {
    let error: StatesError;
    try {
      const result = await attempt(retryCount);
      return { output: applyResultPath(input, result, s.resultPath), next: s.next };
    } catch (e) {
      scope.throwIfAborted();
      error = asStatesError(e);
    }
    const r = s.retry.findIndex((x) => matchesError(x.errorEquals, error.error));
    const retrier = s.retry[r];
    const detail = { error: error.error, cause: error.causeText };
    if (retrier && used[r]! < retrier.maxAttempts) {
      const delay = retryDelayMs(retrier, used[r]!, scope.env.random);
      used[r]!++;
      scope.event(failed(error), s.name, { ...detail, retryInMs: delay });
      await scope.env.sleep(delay, scope.signal);
      continue;
    }
    scope.event(failed(error), s.name, detail);
    const c = s.catch.find((x) => matchesError(x.errorEquals, error.error));
    if (!c) throw error;
    return {
      output: applyResultPath(input, { Error: error.error, Cause: error.causeText }, c.resultPath),
      next: c.next,
    };
  }
}
