/**
 * Data file helpers shared by the driver and the executors (kept apart from the footer reader,
 * so an executor does not load the Parquet metadata library at start).
 */
import type { RangeReader } from '../../operators/parquet.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';

/** S3 settings (endpoint, region) that data URLs inherit from the job's store. */
export function s3Defaults(ref: StoreRef | undefined): { endpoint?: string; region?: string } {
  return ref?.kind === 's3'
    ? { ...(ref.endpoint ? { endpoint: ref.endpoint } : {}), ...(ref.region ? { region: ref.region } : {}) }
    : {};
}

export function rangeReader(store: ObjectStore, key: string, size: number, name: string): RangeReader {
  return { name, size, read: (a, b) => store.getRange(key, a, b) };
}

export function fileUrl(base: string, key: string): string {
  return base.startsWith('s3://') ? `s3://${base.slice(5).split('/')[0]}/${key}` : `file:///${key}`;
}
