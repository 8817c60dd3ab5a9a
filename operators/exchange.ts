/**
 * Shuffle files. A map task writes ONE object holding all R partitions, each an Arrow IPC
 * stream (schema once per partition), followed by an index of R+1 byte offsets (float64, little
 * endian). A reduce task reads the index (cached) and then its own byte range of every map output.
 */
import { partitionCount, type Partitioning } from '../planner/stages.js';
import * as zlib from 'node:zlib';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import { materialize } from './scalar.js';
import { decodeIpc, encodeIpc } from './arrow.js';
import { hashRows } from './hash.js';
import { rangePartitions, type KeyTuple } from './rangepart.js';
import type { Batch } from './vector.js';
import { takeBatch } from './vector.js';

/**
 * Split a batch into per-partition batches: by hashing the key columns, or round-robin
 * starting at row `offset` (a running count kept by the writer).
 */
function partitionBatch(b: Batch, p: Partitioning, offset = 0, boundaries: readonly KeyTuple[] = []): Batch[] {
  if (p.kind === 'single' || p.n === 1) return [b];
  const counts = new Int32Array(p.n);
  let part: Int32Array = new Int32Array(b.length);
  if (p.kind === 'range') {
    part = rangePartitions(b, p.keys, boundaries);
    for (let i = 0; i < b.length; i++) counts[part[i]!]!++;
  } else if (p.kind === 'roundrobin') {
    for (let i = 0; i < b.length; i++) {
      const r = (offset + i) % p.n;
      part[i] = r;
      counts[r]!++;
    }
  } else {
    const cols = p.keys.map((k) => materialize(compileExpr(k, b.schema)(b), b.length));
    const h = hashRows(cols, b.length);
    for (let i = 0; i < b.length; i++) {
      const r = (h[i]! >>> 0) % p.n;
      part[i] = r;
      counts[r]!++;
    }
  }
  const sels = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(p.n);
  for (let i = 0; i < b.length; i++) {
    const r = part[i]!;
    sels[r]![fill[r]!++] = i;
  }
  return sels.map((s) => takeBatch(b, s));
}

/** Buffers a map task's rows per partition and encodes the single shuffle object. */
export class ShuffleWriter {
  private readonly parts: Batch[][];
  rows = 0;
  constructor(
    readonly schema: Schema,
    readonly partitioning: Partitioning,
    /** Range boundaries (range partitioning only). */
    readonly boundaries: readonly KeyTuple[] = [],
  ) {
    this.parts = Array.from({ length: partitionCount(partitioning) }, () => []);
  }
  add(b: Batch): void {
    const offset = this.rows;
    this.rows += b.length;
    partitionBatch(b, this.partitioning, offset, this.boundaries).forEach((pb, r) => {
      if (pb.length > 0) this.parts[r]!.push(pb);
    });
  }
  /** The object bytes and where its index starts; each partition compressed on its own. */
  finish(codec: ShuffleCodec = 'none'): { body: Uint8Array; indexAt: number; partitions: number } {
    const chunks = this.parts.map((bs) =>
      bs.length ? compress(encodeIpc(this.schema, bs), codec) : new Uint8Array(0),
    );
    const offsets = new Float64Array(chunks.length + 1);
    for (let r = 0; r < chunks.length; r++) offsets[r + 1] = offsets[r]! + chunks[r]!.byteLength;
    const indexAt = offsets[chunks.length]!;
    const body = new Uint8Array(indexAt + offsets.byteLength);
    for (let r = 0; r < chunks.length; r++) body.set(chunks[r]!, offsets[r]!);
    body.set(new Uint8Array(offsets.buffer), indexAt);
    return { body, indexAt, partitions: chunks.length };
  }
}

export function parseIndex(bytes: Uint8Array): Float64Array {
  const copy = bytes.slice();
  return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
}

export function decodePartition(bytes: Uint8Array, schema: Schema, codec: ShuffleCodec = 'none'): Batch[] {
  return bytes.byteLength ? decodeIpc(decompress(bytes, codec), schema) : [];
}

/**
 * Shuffle encodings. Measured on TPC-H shuffle data (131k rows, 6–7 columns): brotli at quality
 * 1 makes Arrow IPC 2.5–3× smaller for 25–55 ms per chunk, and is the cheapest compressor
 * tried (gzip/deflate at level 1 cost twice as much for the same size). Over a ~100 MB/s
 * S3 connection that saves 25–30% of the shuffle time; on local disk it only costs CPU.
 */
export type ShuffleCodec = 'none' | 'brotli';

function compress(b: Uint8Array, codec: ShuffleCodec): Uint8Array {
  if (codec === 'none') return b;
  const z = zlib.brotliCompressSync(b, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength },
  });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

function decompress(b: Uint8Array, codec: ShuffleCodec): Uint8Array {
  if (codec === 'none') return b;
  const z = zlib.brotliDecompressSync(b);
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}
