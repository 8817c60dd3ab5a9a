/**
 * The one retry module for remote calls (S3 requests, SSM Parameter Store reads) and task
 * attempts: one classification of failures — throttled, transient, fatal — for thrown errors
 * (`classifyFailure`) and for errors as data (`classifyError`), and exponential backoff with full
 * jitter (sleep = random(0, min(cap, base · 2^(retry-1)))). The SDK's own retries are switched
 * off where this is used, so every attempt is ours and can be counted.
 */

/** How hard to retry. */
export interface RetryPolicy {
  /** Total attempts, the first one included (1 = no retry). */
  readonly maxAttempts: number;
  /** Backoff scale of the first retry, in ms. */
  readonly baseMs: number;
  /** Upper bound of one backoff sleep, in ms. */
  readonly capMs: number;
}

/** A policy plus injectable time and randomness (tests) and a hook called before each retry. */
export interface RetryOptions extends Partial<RetryPolicy> {
  /** Waits `ms` milliseconds (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Called before re-attempt number `retry` (1-based), e.g. for accounting. */
  readonly onRetry?: (error: unknown, retry: number, sleepMs: number) => void;
}

/** The object-store default: many quick retries (S3 asks clients to back off and retry on 503 SlowDown). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseMs: 50, capMs: 2_000 };

/** What kind of failure an error is: throttled and transient ones are retried. */
export type FailureKind = 'throttled' | 'transient' | 'fatal';

/** Error names of throttling answers, across S3, SSM and the other AWS services. */
const THROTTLED_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'TooManyUpdates',
  'RequestLimitExceeded',
]);
/** Error names of transient server-side or transfer failures. */
const TRANSIENT_NAMES = new Set([
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  // A body shorter or longer than its Content-Length (storage/s3/body.ts).
  'TruncatedBody',
  // S3 409 on a conditional write racing another request on the key: retry (S3's advice).
  'ConditionalRequestConflict',
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
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
  $retryable?: { throttling?: boolean };
  cause?: unknown;
}

/**
 * Classify an AWS SDK, network or stream error. A caller's abort is always fatal (never retried).
 *
 * @example
 * classifyFailure({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }); // 'throttled'
 */
export function classifyFailure(e: unknown): FailureKind {
  const err = e as ErrorLike | undefined;
  if (!err || typeof err !== 'object' || err.name === 'AbortError') return 'fatal';
  const status = err.$metadata?.httpStatusCode;
  if ((err.name !== undefined && THROTTLED_NAMES.has(err.name)) || status === 429 || err.$retryable?.throttling)
    return 'throttled';
  if (isConnectionError(err)) return 'transient';
  if (status !== undefined && TRANSIENT_STATUS.has(status)) return 'transient';
  if (err.name !== undefined && TRANSIENT_NAMES.has(err.name)) return 'transient';
  return err.$retryable ? 'transient' : 'fatal';
}

/**
 * Stratus error codes (errors as data: the storage facade's, the executor's) that a later
 * attempt may not hit. A task failing with any other code fails its job at once.
 */
const TRANSIENT_CODES: Readonly<Record<string, Exclude<FailureKind, 'fatal'>>> = {
  // The store kept failing after its own retries.
  THROTTLED: 'throttled',
  UNAVAILABLE: 'transient',
  UNREACHABLE: 'transient',
  IO: 'transient',
  // The executor invocation died (killed, out of memory, time limit) or its scratch disk was full.
  EXECUTOR_CRASHED: 'transient',
  NO_SPACE: 'transient',
  // Parameter Store kept failing after its own retries.
  PARAMS_THROTTLED: 'throttled',
  PARAMS_UNAVAILABLE: 'transient',
};

/**
 * Classify a task failure given as error data: its code's kind, or — for errors whose own
 * cause was classified where it was caught (user code that met a network failure) —
 * `details.transient`. Corrupt input, user-code errors, plan and schema errors are fatal.
 *
 * @example
 * classifyError({ code: 'THROTTLED' }); // 'throttled'
 * classifyError({ code: 'CORRUPT_PARQUET' }); // 'fatal'
 */
export function classifyError(err: { readonly code: string; readonly details?: Record<string, unknown> }): FailureKind {
  return TRANSIENT_CODES[err.code] ?? (err.details?.transient === true ? 'transient' : 'fatal');
}

/** True for a failure that a later identical request may not hit. */
export function isRetryable(e: unknown): boolean {
  return classifyFailure(e) !== 'fatal';
}

/** True for a broken, reset, refused or timed-out connection (not an HTTP answer). */
function isConnectionError(e: unknown): boolean {
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
  /** Whether the last failure was throttling or another transient one. */
  readonly kind: Exclude<FailureKind, 'fatal'>;
  override readonly cause: unknown;
  constructor(attempts: number, cause: unknown) {
    super(`gave up after ${attempts} attempt(s): ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'RetriesExhausted';
    this.attempts = attempts;
    this.kind = classifyFailure(cause) === 'throttled' ? 'throttled' : 'transient';
    this.cause = cause;
  }
}

const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `attempt` until it succeeds, fails with a fatal error (rethrown as is), or `maxAttempts`
 * is reached (`RetriesExhausted`, with the last error as `cause`). Unset policy fields take
 * `DEFAULT_RETRY`'s.
 *
 * @example
 * const body = await withRetry(() => fetchObject(key), { maxAttempts: 3, onRetry: () => stats.retries++ });
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy: RetryPolicy = {
    maxAttempts: Math.max(1, opts.maxAttempts ?? DEFAULT_RETRY.maxAttempts),
    baseMs: opts.baseMs ?? DEFAULT_RETRY.baseMs,
    capMs: opts.capMs ?? DEFAULT_RETRY.capMs,
  };
  const sleep = opts.sleep ?? timerSleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isRetryable(e)) throw e;
      if (n >= policy.maxAttempts) throw new RetriesExhausted(n, e);
      const ms = backoffMs(policy, n, opts.random);
      opts.onRetry?.(e, n, ms);
      if (ms > 0) await sleep(ms);
    }
  }
}
