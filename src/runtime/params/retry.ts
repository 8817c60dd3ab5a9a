/**
 * Retries with jittered exponential backoff for remote calls that fail transiently
 * (throttling, 5xx, dropped connections). Sleep and randomness are injectable for tests.
 */

/** How a call is retried. Delays are "full jitter": random() × min(maxMs, baseMs × 2^retry). */
export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  readonly attempts?: number;
  /** Backoff base in milliseconds (default 100). */
  readonly baseMs?: number;
  /** Upper bound of one delay in milliseconds (default 5000). */
  readonly maxMs?: number;
  /** Waits `ms` milliseconds (default: a timer). Tests inject a recorder. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** What kind of failure an error is. */
export type FailureKind = 'throttled' | 'transient' | 'fatal';

const THROTTLED = new Set([
  'ThrottlingException',
  'TooManyUpdates',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
const TRANSIENT = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
]);
const NETWORK = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']);

/** Classify an AWS SDK (or network) error: throttling and transient failures are retried. */
export function classifyFailure(e: unknown): FailureKind {
  const err = (e ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  if (THROTTLED.has(err.name ?? '') || err.$retryable?.throttling === true) return 'throttled';
  const status = err.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(err.name ?? '') || status >= 500 || NETWORK.has(err.code ?? '') || err.$retryable)
    return 'transient';
  return 'fatal';
}

/** The delay before retry number `retry` (0-based). */
export function backoffDelay(retry: number, opts: RetryOptions = {}): number {
  const base = opts.baseMs ?? 100;
  const max = opts.maxMs ?? 5000;
  const random = opts.random ?? Math.random;
  return Math.floor(random() * Math.min(max, base * 2 ** retry));
}

/** Thrown by `withRetry` when every attempt failed, or the failure was not retryable. */
export class RetryExhausted extends Error {
  constructor(
    readonly last: unknown,
    readonly kind: FailureKind,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempt(s)`);
  }
}

const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `fn`, retrying throttled and transient failures; rejects with `RetryExhausted`. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const sleep = opts.sleep ?? timerSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const kind = classifyFailure(e);
      if (kind === 'fatal' || attempt >= attempts) throw new RetryExhausted(e, kind, attempt);
      await sleep(backoffDelay(attempt - 1, opts));
    }
  }
}
