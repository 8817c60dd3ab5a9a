/**
 * RangeReaders over bytes in memory, for tests that scan a Parquet file directly (the engine's
 * own reader goes through a store: src/runtime/files.ts `rangeReader`). Each read returns a fresh
 * plain Uint8Array, as a store's does — never a Node Buffer, whose slice() is a view (the page
 * decoder copies values out with slice().buffer).
 */
import * as fs from 'node:fs';
import type { RangeReader } from '../../operators/parquet.js';

/** A reader over `bytes`, named `name` in errors. */
export function bytesReader(bytes: Uint8Array, name: string): RangeReader {
  return { name, size: bytes.length, read: async (s, e) => new Uint8Array(bytes.subarray(s, e)) };
}

/** A reader over a local file's bytes, read once. */
export function fileReader(file: string): RangeReader {
  return bytesReader(fs.readFileSync(file), file);
}
