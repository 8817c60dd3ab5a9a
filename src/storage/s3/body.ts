/**
 * Reading a GetObject response body into memory: abortable (a losing straggler duplicate
 * stops downloading at once), one copy when the length is known, and checked — a body
 * shorter or longer than its Content-Length is a retryable `TruncatedBody` failure, never
 * silently short data.
 */
import type { Readable } from 'node:stream';

/** Read `body` (a Node stream from the SDK) fully. */
export async function readBody(
  body: unknown,
  signal: AbortSignal,
  contentLength: number | undefined,
): Promise<Uint8Array> {
  if (body === undefined || body === null) {
    if (contentLength) throw truncated(0, contentLength);
    return new Uint8Array(0);
  }
  const stream = body as Readable;
  const onAbort = (): void => {
    const e = new Error('Request aborted');
    e.name = 'AbortError';
    stream.destroy(e);
  };
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (contentLength !== undefined) {
      const out = new Uint8Array(contentLength);
      let off = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        if (off + chunk.byteLength > contentLength) throw truncated(off + chunk.byteLength, contentLength);
        out.set(chunk, off);
        off += chunk.byteLength;
      }
      if (off !== contentLength) throw truncated(off, contentLength);
      return out;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      size += chunk.byteLength;
    }
    const out = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function truncated(got: number, expected: number): Error {
  const e = new Error(`response body has ${got} bytes, Content-Length said ${expected}`);
  e.name = 'TruncatedBody';
  return e;
}
