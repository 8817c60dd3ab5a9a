/**
 * Retries for object-store requests: exponential backoff with full jitter
 * (sleep = random(0, min(cap, base · 2^attempt))), on the failures S3 documents as transient —
 * HTTP 500/502/503/504, SlowDown and other throttling, RequestTimeout — and on broken or
 * refused connections. The SDK's own retries are switched off, so every attempt is ours and
 * is counted.
 */

/** How hard to retry. All fields are optional in options and default to `DEFAULT_RETRY`. */
export interface RetryPolicy {
  /** Total attempts, the first one included (1 = no retry). */
  readonly maxAttempts: number;
  /** Backoff scale of the first retry, in ms. */
  readonly baseMs: number;
  /** Upper bound of one backoff sleep, in ms. */
  readonly capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseMs: 50, capMs: 2_000 };

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'TruncatedBody',
]);
/** Connection-level failures: the request may never have reached the server, or its answer was lost. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** True for a failure that a later identical request may not hit. Caller aborts never retry. */
export function isRetryable(e: unknown): boolean {
  const err = e as ErrorLike | undefined;
  if (!err || typeof err !== 'object') return false;
  if (err.name === 'AbortError') return false;
  if (isConnectionError(err)) return true;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && RETRYABLE_STATUS.has(status)) return true;
  return err.name !== undefined && RETRYABLE_NAMES.has(err.name);
}

/** True for a broken, reset, refused or timed-out connection (not an HTTP answer). */
export function isConnectionError(e: unknown): boolean {
  const err = e as ErrorLike | undefined;
  if (!err || typeof err !== 'object') return false;
  if (err.code !== undefined && CONNECTION_CODES.has(err.code)) return true;
  if (
    err.message !== undefined &&
    /socket hang up|aborted|ECONNRESET|EPIPE/i.test(err.message) &&
    err.name !== 'AbortError'
  )
    return true;
  return err.cause !== undefined && err.cause !== e && isConnectionError(err.cause);
}

/** The full-jitter backoff before retry number `retry` (1-based). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Thrown by `withRetry` when every attempt failed with a retryable error. */
export class RetriesExhausted extends Error {
  readonly attempts: number;
  override readonly cause: unknown;
  constructor(attempts: number, cause: unknown) {
    super(`gave up after ${attempts} attempt(s): ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'RetriesExhausted';
    this.attempts = attempts;
    this.cause = cause;
  }
}

/**
 * Run `attempt` until it succeeds, fails with a non-retryable error (rethrown as is), or
 * `maxAttempts` is reached (`RetriesExhausted`, with the last error as `cause`).
 * `onRetry` is called before each re-attempt (for accounting).
 *
 * @example
 * const body = await withRetry(() => fetchObject(key), { ...DEFAULT_RETRY, maxAttempts: 3 });
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry: (error: unknown, retry: number, sleepMs: number) => void = () => {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isRetryable(e)) throw e;
      if (n >= policy.maxAttempts) throw new RetriesExhausted(n, e);
      const sleep = backoffMs(policy, n);
      onRetry(e, n, sleep);
      if (sleep > 0) await new Promise((r) => setTimeout(r, sleep));
    }
  }
}
