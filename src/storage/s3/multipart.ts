/**
 * Multipart upload of one in-memory object: CreateMultipartUpload, UploadPart × n with
 * bounded parallelism, CompleteMultipartUpload; AbortMultipartUpload on failure so no
 * orphan parts are billed. Explicit (rather than lib-storage's `Upload`) so that every part
 * goes through the store's retry, straggler and accounting path: a part upload is
 * idempotent, so it may be retried and duplicated.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { HedgeLane } from './straggler.js';
import { mapLimit } from '../../util/limit.js';

/** S3 refuses parts below 5 MiB (except the last one). */
const MIN_PART_SIZE = 5 * 1024 * 1024;

/** The store's request path, as the upload needs it: one counted PUT-class request. */
export type PutRequest = <T>(
  operation: string,
  opts: { hedge: boolean; bytes: number },
  send: (client: S3Client, lane: HedgeLane) => Promise<T>,
) => Promise<T>;

export interface MultipartOptions {
  readonly bucket: string;
  /** The S3 object key. */
  readonly key: string;
  readonly partSize: number;
  /** Parts in flight at once. */
  readonly concurrency: number;
}

/** Upload `body` as a multipart object. Resolves once the object is complete. */
export async function putMultipart(request: PutRequest, body: Uint8Array, o: MultipartOptions): Promise<void> {
  const { bucket: Bucket, key: Key } = o;
  const partSize = Math.max(MIN_PART_SIZE, o.partSize);
  const created = await request('CreateMultipartUpload', { hedge: false, bytes: 0 }, (c, h) =>
    c.send(new CreateMultipartUploadCommand({ Bucket, Key }), { abortSignal: h.signal }),
  );
  const UploadId = created.UploadId!;
  const offsets: number[] = [];
  for (let off = 0; off < body.byteLength; off += partSize) offsets.push(off);
  try {
    const parts = await mapLimit(offsets, o.concurrency, async (off, i) => {
      const chunk = body.subarray(off, Math.min(off + partSize, body.byteLength));
      const res = await request('UploadPart', { hedge: true, bytes: chunk.byteLength }, (c, h) =>
        c.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber: i + 1,
            Body: chunk,
            ContentLength: chunk.byteLength,
          }),
          { abortSignal: h.signal },
        ),
      );
      return { PartNumber: i + 1, ETag: res.ETag! };
    });
    try {
      await request('CompleteMultipartUpload', { hedge: false, bytes: 0 }, (c, h) =>
        c.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), {
          abortSignal: h.signal,
        }),
      );
    } catch (e) {
      // A retried Complete whose first answer was lost finds the upload gone: check the object.
      if (
        (e as { details?: { cause?: string } }).details?.cause?.startsWith('NoSuchUpload') &&
        (await sizeOf(request, Bucket, Key)) === body.byteLength
      )
        return;
      throw e;
    }
  } catch (e) {
    await request('AbortMultipartUpload', { hedge: false, bytes: 0 }, (c) =>
      c.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })),
    ).catch(() => {});
    throw e;
  }
}

async function sizeOf(request: PutRequest, Bucket: string, Key: string): Promise<number | undefined> {
  try {
    const res = await request('HeadObject', { hedge: false, bytes: 0 }, (c) =>
      c.send(new HeadObjectCommand({ Bucket, Key })),
    );
    return res.ContentLength;
  } catch {
    return undefined;
  }
}
