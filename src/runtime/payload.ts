/**
 * The state payload guard: Step Functions rejects state input/output above 256 KiB (and the
 * local interpreter does not enforce it), so every handler checks what it returns — and the
 * driver what it receives — and fails clearly instead.
 */
import { ResourceError } from '../../planner/errors.js';

export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

let limit = PAYLOAD_LIMIT_BYTES;

/** Lower the limit (tests); returns the previous one. */
export function setPayloadLimit(bytes: number): number {
  const prev = limit;
  limit = bytes;
  return prev;
}

export function payloadSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

export function assertPayloadSize<T>(value: T, what: string, max = limit): T {
  const size = payloadSize(value);
  if (size > max) {
    throw new ResourceError(
      'PAYLOAD_TOO_LARGE',
      `${what} is ${size} bytes, above the ${max}-byte state payload limit of Step Functions; move the data to the store and pass a reference`,
      { what, size, limit: max },
    );
  }
  return value;
}
