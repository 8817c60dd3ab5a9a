/**
 * Turning S3 SDK and socket failures into StorageErrors that name the bucket, key and
 * endpoint at fault and say what to do. Codes: NOT_FOUND, NO_SUCH_BUCKET, ACCESS_DENIED,
 * UNREACHABLE, THROTTLED, UNAVAILABLE, IO.
 */
import { StorageError } from '../../../planner/errors.js';
import { classifyFailure, RetriesExhausted } from '../../util/retry.js';

/** What the failed request was about. */
export interface RequestContext {
  /** The store URL, `s3://bucket/prefix`. */
  readonly store: string;
  /** The endpoint URL, or a description of AWS S3 in a region. */
  readonly endpoint: string;
  readonly bucket: string;
  /** e.g. 'GetObject'. */
  readonly operation: string;
  /** The logical key (or listing prefix), if any. */
  readonly key?: string;
  /** The S3 object key it maps to. */
  readonly s3Key?: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'Forbidden',
]);
/** True for the "no such object" answers (GET → NoSuchKey, HEAD → NotFound/404 without a body). */
export function isNotFound(e: unknown): boolean {
  const err = e as SdkError;
  return (
    err?.name === 'NoSuchKey' ||
    err?.name === 'NotFound' ||
    (err?.$metadata?.httpStatusCode === 404 && err?.name !== 'NoSuchBucket')
  );
}

/** A StorageError for a failed request (unwrapping `RetriesExhausted`). */
export function toStorageError(e: unknown, ctx: RequestContext): StorageError {
  if (e instanceof StorageError) return e;
  const attempts = e instanceof RetriesExhausted ? e.attempts : 1;
  const err = (e instanceof RetriesExhausted ? e.cause : e) as SdkError;
  const name = err?.name ?? 'Error';
  const status = err?.$metadata?.httpStatusCode;
  const cause = err?.message || name;
  const where = `bucket '${ctx.bucket}' at ${ctx.endpoint}`;
  const what = ctx.key !== undefined ? ` ${ctx.operation} '${ctx.key}'` : ` ${ctx.operation}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const details = {
    store: ctx.store,
    endpoint: ctx.endpoint,
    bucket: ctx.bucket,
    key: ctx.key,
    s3Key: ctx.s3Key,
    operation: ctx.operation,
    attempts,
    cause: `${name}: ${cause}`,
  };

  if (name === 'NoSuchBucket') {
    return new StorageError(
      'NO_SUCH_BUCKET',
      `bucket '${ctx.bucket}' does not exist at ${ctx.endpoint} (${ctx.store}): create it, or fix the store URL`,
      details,
    );
  }
  if (isNotFound(err)) {
    return new StorageError(
      'NOT_FOUND',
      `object '${ctx.key}' does not exist in ${ctx.store} (S3 key '${ctx.s3Key}' in ${where})`,
      details,
    );
  }
  if (DENIED.has(name) || status === 403) {
    return new StorageError(
      'ACCESS_DENIED',
      `access denied to ${where} (${name}) on${what}: check the credentials and the bucket policy`,
      details,
    );
  }
  if (isUnreachable(err)) {
    return new StorageError(
      'UNREACHABLE',
      `cannot reach the S3 endpoint ${ctx.endpoint} for bucket '${ctx.bucket}' (${cause})${tries}: is the server running, and is the endpoint right?`,
      details,
    );
  }
  if (classifyFailure(err) === 'throttled') {
    return new StorageError(
      'THROTTLED',
      `S3 kept throttling${what} in ${where} (${name})${tries}: lower the request rate, or enable hashedPrefixes`,
      details,
    );
  }
  if (e instanceof RetriesExhausted) {
    return new StorageError('UNAVAILABLE', `S3 kept failing${what} in ${where} (${name}: ${cause})${tries}`, details);
  }
  return new StorageError(
    'IO',
    `S3${what} failed in ${where}: ${name}${status ? ` (HTTP ${status})` : ''}: ${cause}`,
    details,
  );
}

function isUnreachable(err: SdkError): boolean {
  if (err?.code !== undefined && UNREACHABLE_CODES.has(err.code)) return true;
  return err?.name === 'TimeoutError' && /establish a connection/.test(err.message ?? '');
}
