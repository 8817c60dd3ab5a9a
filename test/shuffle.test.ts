/**
 * Shuffle files: one object per map task holding all partitions; attempt-unique keys and
 * commit records, so re-running a task's attempt never changes the result.
 */
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import { cachedStore, defaultEnv } from '../src/runtime/env.js';
import { runExecutorGroup } from '../src/runtime/executor.js';
import { jobKeys, type JobState, type StageCommit } from '../src/runtime/jobState.js';
import { readShufflePartition, readShufflePartitions } from '../src/runtime/shuffleRead.js';
import { getJson } from '../src/storage/store.js';
import type { StagePlan } from '../planner/stages.js';
import { rowsFromArrow } from './support/compare.js';
import {
  checkPartition,
  decodePartition,
  MAX_PENDING_BYTES,
  parseIndex,
  ShuffleWriter,
} from '../operators/exchange.js';
import { type Batch, batchRows, type Vec, vecFromValues } from '../operators/vector.js';
import { decimalVecOfDoubles } from '../operators/decimal.js';
import * as E from '../planner/expr.js';
import { field, type Schema } from '../planner/types.js';
import { SF01, tempDir } from './support/tpch.js';

const R = 4;
let s: Session;
beforeAll(() => {
  s = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    keepJobs: true,
    job: { shufflePartitions: R, taskBytes: 1, keepScratch: true },
  });
});
afterAll(async () => {
  await s.stop();
});

async function partitionRows(
  jobId: string,
  stage: number,
  schema: StagePlan['stages'][number]['schema'],
): Promise<number[]> {
  const store = cachedStore(s.storeRef);
  const out: number[] = [];
  for (let r = 0; r < R; r++) {
    let n = 0;
    for await (const b of readShufflePartition(store, jobId, stage, r, schema)) n += b.length;
    out.push(n);
  }
  return out;
}

describe('shuffle encoding', () => {
  it('brotli-compressed partitions round-trip and are smaller than plain Arrow IPC', () => {
    const schema = [field('k', 'int32'), field('s', 'string'), field('x', 'float64')];
    const n = 20_000;
    const batch = {
      schema,
      length: n,
      columns: [
        vecFromValues(
          'int32',
          Array.from({ length: n }, (_, i) => i % 97),
        ),
        vecFromValues(
          'string',
          Array.from({ length: n }, (_, i) => `name-${i % 500}`),
        ),
        vecFromValues(
          'float64',
          Array.from({ length: n }, (_, i) => (i % 1000) / 4),
        ),
      ],
    };
    const sizes: Record<string, number> = {};
    for (const codec of ['none', 'brotli'] as const) {
      const w = new ShuffleWriter(schema, { kind: 'hash', keys: [E.col('k')], n: 4 });
      w.add(batch);
      const written = w.finish(codec);
      const { indexAt, checksum } = written;
      const body = Buffer.concat(written.body);
      sizes[codec] = body.byteLength;
      expect(written.size).toBe(body.byteLength);
      const idx = parseIndex(body.subarray(indexAt), 4, checksum, indexAt);
      if (typeof idx === 'string') throw new Error(idx);
      let rows = 0;
      for (let r = 0; r < 4; r++) {
        const bytes = body.subarray(idx.offsets[r]!, idx.offsets[r + 1]!);
        expect(checkPartition(bytes, idx, r)).toBeUndefined();
        for (const b of decodePartition(bytes, schema, codec)) rows += b.length;
      }
      expect(rows).toBe(n);
    }
    expect(sizes.brotli!).toBeLessThan(sizes.none! / 2);
  });
});

describe('streaming shuffle writer', () => {
  function partitions(
    w: ShuffleWriter,
    schema: Schema,
    n: number,
    codec: 'none' | 'brotli' = 'none',
  ): { bytes: Uint8Array; batches: Batch[] }[] {
    const written = w.finish(codec);
    const { indexAt, checksum } = written;
    const body = Buffer.concat(written.body);
    const idx = parseIndex(body.subarray(indexAt), n, checksum, indexAt);
    if (typeof idx === 'string') throw new Error(idx);
    return Array.from({ length: n }, (_, r) => {
      const bytes = body.subarray(idx.offsets[r]!, idx.offsets[r + 1]!);
      expect(checkPartition(bytes, idx, r)).toBeUndefined();
      return { bytes, batches: decodePartition(bytes, schema, codec) };
    });
  }

  it("writes each partition's rows in input order, a stream per flush, compressed or not", () => {
    const schema = [field('i', 'int32'), field('s', 'string')];
    // 300,000 rows (~5 MB): each of 3 partitions passes the flush size (1 MiB) once, so it is two streams.
    const batches: Batch[] = Array.from({ length: 15 }, (_, j) => ({
      schema,
      length: 20_000,
      columns: [
        vecFromValues(
          'int32',
          Array.from({ length: 20_000 }, (_, r) => j * 20_000 + r),
        ),
        vecFromValues(
          'string',
          Array.from({ length: 20_000 }, (_, r) => `name-${(j * 20_000 + r) % 5000}`),
        ),
      ],
    }));
    const all = batches.flatMap(batchRows);
    for (const codec of ['none', 'brotli'] as const) {
      // Round-robin: row i belongs to partition i mod 3, so every partition's rows are known.
      const w = new ShuffleWriter(schema, { kind: 'roundrobin', n: 3 });
      for (const b of batches) w.add(b);
      expect(w.rows).toBe(all.length);
      const parts = partitions(w, schema, 3, codec);
      for (let r = 0; r < 3; r++) {
        // Each reader must be read to its end before the next stream opens. A stream is one
        // record batch (the rows of many input batches), not one per input batch.
        let streams = 0;
        if (codec === 'none')
          for (const reader of arrow.RecordBatchReader.readAll(parts[r]!.bytes)) {
            const rbs = [...reader];
            if (rbs.length) expect(rbs.length).toBe(1);
            streams += rbs.length ? 1 : 0;
          }
        if (codec === 'none') expect(streams).toBeGreaterThan(1);
        if (codec === 'none') expect(parts[r]!.batches.length).toBe(streams);
        expect(parts[r]!.batches.flatMap(batchRows)).toEqual(all.filter((row) => (row.i as number) % 3 === r));
      }
    }
  });

  it('holds at most MAX_PENDING_BYTES and one input batch un-encoded, every row once, each key in one partition', () => {
    const schema = [field('k', 'int32'), field('x', 'float64')];
    // 48 batches of 100,000 rows: 57.6 MB of columns, 1.2 MB a batch.
    const n = 100_000;
    const batches: Batch[] = Array.from({ length: 48 }, (_, j) => {
      const k = new Int32Array(n);
      const x = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        k[r] = ((j * n + r) * 7919) % 1009;
        x[r] = j * n + r;
      }
      return {
        schema,
        length: n,
        columns: [
          { type: 'int32', values: k, validity: null },
          { type: 'float64', values: x, validity: null },
        ],
      };
    });
    const w = new ShuffleWriter(schema, { kind: 'hash', keys: [E.col('k')], n: 5 });
    for (const b of batches) w.add(b);
    expect(w.maxPendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES + 12 * n);
    const home = new Map<number, number>();
    let rows = 0;
    let elsewhere = 0;
    partitions(w, schema, 5).forEach(({ batches: bs }, r) => {
      for (const b of bs) {
        const k = (b.columns[0] as { values: Int32Array }).values;
        for (let i = 0; i < b.length; i++) {
          if ((home.get(k[i]!) ?? r) !== r) elsewhere++;
          home.set(k[i]!, r);
        }
        rows += b.length;
      }
    });
    expect(rows).toBe(48 * n);
    expect(elsewhere).toBe(0);
    expect(home.size).toBe(1009);
  });
});

describe('finishing a map output', () => {
  it("hands over the streams' own chunks: the object's bytes are not joined into a second copy", () => {
    const schema = [field('k', 'int32'), field('x', 'float64')];
    const n = 100_000;
    const w = new ShuffleWriter(schema, { kind: 'hash', keys: [E.col('k')], n: 8 });
    for (let j = 0; j < 24; j++) {
      const k = new Int32Array(n);
      const x = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        k[r] = j * n + r;
        x[r] = r / 3;
      }
      w.add({
        schema,
        length: n,
        columns: [
          { type: 'int32', values: k, validity: null },
          { type: 'float64', values: x, validity: null },
        ],
      });
    }
    const before = process.memoryUsage().arrayBuffers;
    const written = w.finish();
    const grown = process.memoryUsage().arrayBuffers - before;
    // 28.8 MB of rows: a joined object would add them all again (before any GC could free the streams).
    expect(written.size).toBeGreaterThan(28_000_000);
    expect(grown).toBeLessThan(written.size / 10);
    const body = Buffer.concat(written.body);
    expect(body.byteLength).toBe(written.size);
    const idx = parseIndex(body.subarray(written.indexAt), 8, written.checksum, written.indexAt);
    if (typeof idx === 'string') throw new Error(idx);
    let rows = 0;
    for (let r = 0; r < 8; r++) {
      const bytes = body.subarray(idx.offsets[r]!, idx.offsets[r + 1]!);
      expect(checkPartition(bytes, idx, r)).toBeUndefined();
      for (const b of decodePartition(bytes, schema)) rows += b.length;
    }
    expect(rows).toBe(24 * n);
  });
});

describe('short decimals in shuffle files', () => {
  it('travel as 8 bytes a value (exact doubles when known, else int64) and come back exactly, nulls, 2^52 and more included', () => {
    const type = 'decimal(15,2)' as const;
    const schema = [field('k', 'int32'), field('d', type)];
    const n = 50_000;
    const k = Int32Array.from({ length: n }, (_, i) => i);
    // A lazy column (its doubles only, as the decoder and kernels make them) with nulls...
    const doubles = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (i * 1_000_003 + 7));
    const validity = new Uint8Array(Math.ceil(n / 8)).fill(0xff);
    validity[3] = 0b1010_1010;
    const lazy = decimalVecOfDoubles(type, doubles, n * 1_000_003 + 7, validity);
    // ...and an int64 column with values past 2^52 (no exact doubles: sent as int64).
    const longs = BigInt64Array.from({ length: n }, (_, i) => (i % 3 ? 1n : -1n) * (2n ** 53n + BigInt(i)));
    const batches: Batch[] = [
      { schema, length: n, columns: [{ type: 'int32', values: k, validity: null }, lazy] },
      {
        schema,
        length: n,
        columns: [
          { type: 'int32', values: k, validity: null },
          { type, values: longs, validity: null },
        ],
      },
    ];
    const expected = batches.flatMap(batchRows);
    for (const b of batches) {
      const w = new ShuffleWriter(schema, { kind: 'roundrobin', n: 1 });
      w.add(b);
      const written = w.finish();
      const body = Buffer.concat(written.body);
      // 4 + 8 bytes a row and the stream's headers (Decimal128 would make it 4 + 16).
      expect(written.indexAt).toBeLessThan(n * 13);
      const idx = parseIndex(body.subarray(written.indexAt), 1, written.checksum, written.indexAt);
      if (typeof idx === 'string') throw new Error(idx);
      const back = decodePartition(body.subarray(0, written.indexAt), schema);
      expect(back.flatMap(batchRows)).toEqual(b === batches[0] ? expected.slice(0, n) : expected.slice(n));
    }
  });
});

describe("wide decimals in shuffle files (a decimal sum's partial state)", () => {
  it('travel as 8 bytes a value while held as exact doubles or int64, as Decimal128 when held as BigInts, and come back exactly', () => {
    const type = 'decimal(25,2)' as const;
    const schema = [field('k', 'int32'), field('s', type)];
    const n = 20_000;
    const k = Int32Array.from({ length: n }, (_, i) => i);
    const validity = new Uint8Array(Math.ceil(n / 8)).fill(0xff);
    validity[5] = 0b0110_1001;
    const doubles = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (i * 98_765_431 + 3));
    const held: Vec[] = [
      decimalVecOfDoubles(type, doubles, n * 98_765_431 + 3, validity),
      { type, values: BigInt64Array.from({ length: n }, (_, i) => 2n ** 62n - BigInt(i)), validity: null },
      { type, values: Array.from({ length: n }, (_, i) => 10n ** 24n - BigInt(i)), validity },
    ];
    held.forEach((v, at) => {
      const b: Batch = { schema, length: n, columns: [{ type: 'int32', values: k, validity: null }, v] };
      const w = new ShuffleWriter(schema, { kind: 'roundrobin', n: 1 });
      w.add(b);
      const written = w.finish();
      const body = Buffer.concat(written.body);
      if (at < 2)
        expect(written.indexAt).toBeLessThan(n * 13); // 4 + 8 bytes a row and headers
      else expect(written.indexAt).toBeGreaterThan(n * 20); // 4 + 16
      const back = decodePartition(body.subarray(0, written.indexAt), schema);
      expect(back.flatMap(batchRows)).toEqual(batchRows(b));
    });
  });
});

describe('shuffle through the store', () => {
  it('writes one object per map task and re-running an attempt does not change the result', async () => {
    const first = rowsFromArrow(await QUERIES[1]!(tpchTables(s, SF01)).collect());
    const jobId = s.lastJobId!;
    const store = cachedStore(s.storeRef);
    const keys = jobKeys(jobId);
    const state = await getJson<JobState>(store, keys.state);
    const plan = await getJson<StagePlan>(store, keys.stages);
    const M = state.stages[0]!.tasks.length;
    expect(M).toBeGreaterThan(1); // one task per row group here (taskBytes: 1)

    const objects = await store.list(`${keys.base}/shuffle/0/`);
    expect(objects).toHaveLength(M);
    const commit = await getJson<StageCommit>(store, keys.commit(0));
    expect(commit.outputs.map((o) => (o.kind === 'shuffle' ? o.key : '')).sort()).toEqual(
      objects.map((o) => o.key).sort(),
    );
    for (const o of commit.outputs) if (o.kind === 'shuffle') expect(o.partitions).toBe(R);
    const before = await partitionRows(jobId, 0, plan.stages[0]!.schema);

    // Re-run every map task's attempt (as a duplicated or retried invocation would).
    const manifest = keys.manifest(1, 0);
    for (let g = 0; (await store.head(keys.manifest(1, g))) !== undefined; g++) {
      await runExecutorGroup(
        { job: { jobId, store: s.storeRef }, group: { manifest: keys.manifest(1, g), round: 1, index: g } },
        defaultEnv(),
      );
    }
    expect(manifest).toBeTruthy();
    expect(await store.list(`${keys.base}/shuffle/0/`)).toHaveLength(2 * M);
    expect(await partitionRows(jobId, 0, plan.stages[0]!.schema)).toEqual(before);

    // The job's result is unchanged, and a fresh run agrees.
    const again = rowsFromArrow(await QUERIES[1]!(tpchTables(s, SF01)).collect());
    expect(again).toEqual(first);
  });

  it("reads a run of partitions in one range per map output, each partition's rows as read alone", async () => {
    await QUERIES[1]!(tpchTables(s, SF01)).collect();
    const jobId = s.lastJobId!;
    const store = cachedStore(s.storeRef);
    const keys = jobKeys(jobId);
    const plan = await getJson<StagePlan>(store, keys.stages);
    const schema = plan.stages[0]!.schema;
    const M = (await getJson<StageCommit>(store, keys.commit(0))).outputs.length;
    const rows = async (batches: AsyncIterable<Batch>) => {
      const out: string[] = [];
      for await (const b of batches)
        out.push(...batchRows(b).map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v))));
      return out;
    };
    // Partition by partition (this also caches the commit record and the M indexes).
    const alone: string[] = [];
    for (let r = 0; r < R; r++) alone.push(...(await rows(readShufflePartition(store, jobId, 0, r, schema))));
    const gets = store.stats.get;
    const run = await rows(readShufflePartitions(store, jobId, 0, 0, R, schema));
    expect(store.stats.get - gets).toBe(M); // not M×R
    expect(run.sort()).toEqual(alone.sort());
    expect(run.length).toBeGreaterThan(0);
    const tail = await rows(readShufflePartitions(store, jobId, 0, 1, R - 1, schema));
    expect(tail.length).toBe(run.length - (await rows(readShufflePartition(store, jobId, 0, 0, schema))).length);
  });
});
