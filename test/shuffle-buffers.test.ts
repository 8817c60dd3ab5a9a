/**
 * The shuffle writer's per-partition column buffers (operators/partitionBuffers.ts): every type
 * comes back exactly, nulls included, each row in the partition its key hashes to, in input
 * order; a damaged partition is reported, never decoded.
 */
import { describe, expect, it } from 'vitest';
import { checkPartition, decodePartition, parseIndex, ShuffleWriter } from '../operators/exchange.js';
import { FIRST_BUFFER_ROWS, PartitionBuffers } from '../operators/partitionBuffers.js';
import { hashRows } from '../operators/hash.js';
import { type Batch, batchRows, type DecimalVec, type Vec, vecFromValues } from '../operators/vector.js';
import { decimalVecOfDoubles } from '../operators/decimal.js';
import * as E from '../planner/expr.js';
import { type DataType, field, type Schema } from '../planner/types.js';
import type { Partitioning } from '../planner/stages.js';

const R = 5;

/** Write the batches through a writer and read every partition back (checked), as rows. */
function roundTrip(schema: Schema, batches: readonly Batch[], p: Partitioning): Record<string, unknown>[][] {
  const w = new ShuffleWriter(schema, p);
  for (const b of batches) w.add(b);
  const written = w.finish('none');
  const body = Buffer.concat(written.body);
  expect(body.byteLength).toBe(written.size);
  const idx = parseIndex(body.subarray(written.indexAt), written.partitions, written.checksum, written.indexAt);
  if (typeof idx === 'string') throw new Error(idx);
  return Array.from({ length: written.partitions }, (_, r) => {
    const bytes = body.subarray(idx.offsets[r]!, idx.offsets[r + 1]!);
    expect(checkPartition(bytes, idx, r)).toBeUndefined();
    return decodePartition(bytes, schema).flatMap(batchRows);
  });
}

/** Row i's value of each column, a null every `nullEvery` rows (0: none). */
function column(t: DataType, n: number, at: number, value: (i: number) => unknown, nullEvery = 0) {
  return vecFromValues(
    t,
    Array.from({ length: n }, (_, k) => (nullEvery && (at + k) % nullEvery === 3 ? null : value(at + k))),
  );
}

const BIG = 2n ** 53n + 1n;

const schema: Schema = [
  field('k', 'int64'),
  field('i', 'int32'),
  field('x', 'float64'),
  field('b', 'bool'),
  field('d', 'date'),
  field('ts', 'timestamp[us]'),
  field('price', 'decimal(15,2)'),
  field('sum', 'decimal(25,2)'),
];

/**
 * A batch of every fixed-width type: keys beyond 2^53, nulls in every column but the key; `wide`:
 * a few sums need more than 64 bits (BigInts), so the batch takes the row path.
 */
function mixedBatch(n: number, at: number, wide = false): Batch {
  return {
    schema,
    length: n,
    columns: [
      column('int64', n, at, (i) => BIG * BigInt(i % 7) + BigInt(i)),
      column('int32', n, at, (i) => i - 50_000, 11),
      column('float64', n, at, (i) => i / 8, 13),
      column('bool', n, at, (i) => i % 3 === 0, 17),
      column('date', n, at, (i) => new Date(Date.UTC(2020, 0, 1 + (i % 900))), 19),
      column('timestamp[us]', n, at, (i) => new Date(Date.UTC(2021, 5, 1, 0, 0, i % 86_400)), 23),
      column('decimal(15,2)', n, at, (i) => `${i}.${String(i % 100).padStart(2, '0')}`, 29),
      wideSums(
        column(
          'decimal(25,2)',
          n,
          at,
          (i) => (wide && i % 1000 === 999 ? `${10n ** 21n + BigInt(i)}.01` : `-${i}.5`),
          31,
        ),
        wide,
      ),
    ],
  };
}

/** A wide decimal column held in int64 (as aggregates hold sums that fit), unless `wide`: as BigInts. */
function wideSums(v: Vec, wide: boolean): Vec {
  return wide ? v : ({ ...v, values: BigInt64Array.from((v as DecimalVec).values as bigint[]) } as Vec);
}

/** The partition each row's key hashes to, computed apart from the writer. */
function expectedPartitions(batch: Batch): number[] {
  return Array.from(hashRows([batch.columns[0]!], batch.length), (h) => (h >>> 0) % R);
}

describe('shuffle partition buffers', () => {
  it('every type comes back exactly (int64 past 2^53, decimals, timestamps, dates, bools, nulls), each row in its hash partition, in order', () => {
    // 60,000 rows a batch: the buffers (~21,000 rows) fill and flush several times; the middle
    // batch takes the row path (BigInt sums) between buffered ones.
    const n = 60_000;
    const batches = [0, 1, 2].map((j) => mixedBatch(n, j * n, j === 1));
    const parts = roundTrip(schema, batches, { kind: 'hash', keys: [E.col('k')], n: R });
    const expected: Record<string, unknown>[][] = Array.from({ length: R }, () => []);
    for (const b of batches) {
      const at = expectedPartitions(b);
      for (const [i, row] of batchRows(b).entries()) expected[at[i]!]!.push(row);
    }
    for (let r = 0; r < R; r++) expect(parts[r]).toEqual(expected[r]);
  });

  it('decimals held as exact doubles, then as int64 (values of 2^52 and more), then doubles again keep their order and values', () => {
    const dec: Schema = [field('k', 'int32'), field('v', 'decimal(18,0)')];
    const n = 40_000;
    const doubles = (at: number): Batch => {
      const d = Float64Array.from({ length: n }, (_, i) => (at + i) * 3 - 7);
      return {
        schema: dec,
        length: n,
        columns: [column('int32', n, at, (i) => i), decimalVecOfDoubles('decimal(18,0)', d, 3 * (at + n), null)],
      };
    };
    const longs = (at: number): Batch => ({
      schema: dec,
      length: n,
      columns: [
        column('int32', n, at, (i) => i),
        column('decimal(18,0)', n, at, (i) => (2n ** 52n + BigInt(i)) * (i % 2 ? -1n : 1n), 7),
      ],
    });
    const batches = [doubles(0), longs(n), doubles(2 * n), longs(3 * n)];
    const parts = roundTrip(dec, batches, { kind: 'roundrobin', n: R });
    const all = batches.flatMap(batchRows);
    for (let r = 0; r < R; r++) expect(parts[r]).toEqual(all.filter((_, i) => i % R === r));
  });

  it('strings and binaries (empty, long, nulls) are buffered too, in order around a batch that takes the row path', () => {
    const s: Schema = [
      field('k', 'int32'),
      field('name', 'string'),
      field('raw', 'binary'),
      field('sum', 'decimal(25,2)'),
    ];
    const n = 30_000;
    const name = (i: number) => (i % 5 === 0 ? '' : `name-${i % 977}${i % 13 === 0 ? 'x'.repeat(40 + (i % 50)) : ''}`);
    // The middle batch holds sums past 64 bits (BigInts): the row path, between buffered batches.
    const batches = [0, 1, 2].map((j) => ({
      schema: s,
      length: n,
      columns: [
        column('int32', n, j * n, (i) => i),
        column('string', n, j * n, name, 9),
        column('binary', n, j * n, (i) => Uint8Array.from({ length: i % 23 }, (_, k) => (i + k) & 0xff), 7),
        wideSums(
          column('decimal(25,2)', n, j * n, (i) =>
            j === 1 && i % 1000 === 999 ? `${10n ** 21n + BigInt(i)}.01` : `${i}.5`,
          ),
          j === 1,
        ),
      ],
    }));
    for (const p of [{ kind: 'roundrobin', n: R } as const, { kind: 'hash', keys: [E.col('name')], n: R } as const]) {
      const parts = roundTrip(s, batches, p);
      const all = batches.flatMap(batchRows);
      const at =
        p.kind === 'roundrobin'
          ? all.map((_, i) => i % R)
          : batches.flatMap((b) => Array.from(hashRows([b.columns[1]!], b.length), (h) => (h >>> 0) % R));
      for (let r = 0; r < R; r++) expect(parts[r]).toEqual(all.filter((_, i) => at[i] === r));
    }
  });

  it('small batches: each buffer starts small and grows as rows come (nulls, int64, decimals, strings), values exact and in order', () => {
    // 300 rows a batch, ~60 a partition: every buffer grows from FIRST_BUFFER_ROWS several
    // times before it fills (~21,000 rows), then the next starts full size.
    const batches = Array.from({ length: 200 }, (_, j) => mixedBatch(300, j * 300));
    const parts = roundTrip(schema, batches, { kind: 'hash', keys: [E.col('k')], n: R });
    const expected: Record<string, unknown>[][] = Array.from({ length: R }, () => []);
    for (const b of batches) {
      const at = expectedPartitions(b);
      for (const [i, row] of batchRows(b).entries()) expected[at[i]!]!.push(row);
    }
    for (let r = 0; r < R; r++) expect(parts[r]).toEqual(expected[r]);
    const s: Schema = [field('k', 'int32'), field('name', 'string')];
    const name = (i: number) => (i % 5 === 0 ? '' : `name-${i % 977}${i % 13 === 0 ? 'x'.repeat(40 + (i % 50)) : ''}`);
    const strings = Array.from({ length: 150 }, (_, j) => ({
      schema: s,
      length: 400,
      columns: [column('int32', 400, j * 400, (i) => i), column('string', 400, j * 400, name, 9)],
    }));
    const got = roundTrip(s, strings, { kind: 'roundrobin', n: R });
    const all = strings.flatMap(batchRows);
    for (let r = 0; r < R; r++) expect(got[r]).toEqual(all.filter((_, i) => i % R === r));
  });

  it('a task writing few rows a partition allocates room for them, not a full buffer each', () => {
    const s: Schema = [field('k', 'int64'), field('mode', 'string')];
    const n = 14 * 100;
    const batch: Batch = {
      schema: s,
      length: n,
      columns: [column('int64', n, 0, (i) => BigInt(i)), column('string', n, 0, (i) => (i % 2 ? 'MAIL' : 'SHIP'))],
    };
    const emitted: Batch[] = [];
    // Full buffers of 65,536 rows (SF10 Q12's lineitem into 14 partitions).
    const buffers = new PartitionBuffers(
      14,
      () => 65_536,
      (_, b) => emitted.push(b),
    );
    buffers.add(
      batch,
      Int32Array.from({ length: n }, (_, i) => i % 14),
    );
    buffers.drain();
    expect(emitted.map((b) => b.length)).toEqual(new Array(14).fill(100));
    for (const b of emitted) {
      for (const v of b.columns) {
        const arrays = 'offsets' in v ? [v.data, v.offsets] : [(v as Vec & { values: BigInt64Array }).values];
        for (const a of arrays) expect(a.buffer.byteLength).toBeLessThanOrEqual(FIRST_BUFFER_ROWS * 8 + 4);
      }
    }
    expect((emitted[3]!.columns[0] as Vec & { values: BigInt64Array }).values).toEqual(
      BigInt64Array.from({ length: 100 }, (_, i) => BigInt(3 + 14 * i)),
    );
  });

  it('a damaged partition fails its checksum and is never decoded', () => {
    const w = new ShuffleWriter(schema, { kind: 'hash', keys: [E.col('k')], n: R });
    w.add(mixedBatch(20_000, 0));
    const written = w.finish('none');
    const body = Buffer.concat(written.body);
    const idx = parseIndex(body.subarray(written.indexAt), R, written.checksum, written.indexAt);
    if (typeof idx === 'string') throw new Error(idx);
    const at = idx.offsets[2]! + 100;
    body[at] = body[at]! ^ 0x40;
    expect(checkPartition(body.subarray(idx.offsets[2]!, idx.offsets[3]!), idx, 2)).toMatch(/checksum/);
    expect(checkPartition(body.subarray(idx.offsets[1]!, idx.offsets[2]!), idx, 1)).toBeUndefined();
  });
});
