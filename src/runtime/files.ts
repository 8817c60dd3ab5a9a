/**
 * Data file helpers shared by the driver and the executors (kept apart from the footer reader,
 * so an executor does not load the Parquet metadata library at start).
 */
import type { RangeReader } from '../../operators/parquet.js';
import type { ObjectStore } from '../storage/store.js';

export function rangeReader(store: ObjectStore, key: string, size: number, name: string): RangeReader {
  return { name, size, read: (a, b, ahead) => store.getRange(key, a, b, ahead) };
}
