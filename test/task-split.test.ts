/**
 * Scan task splitting and sizing: every scan is cut into even tasks from its own bytes, so two
 * executors get the same work (no short remainder task, no small scan left to one executor).
 */
import { describe, expect, it } from 'vitest';
import { splitScan, type SplitFile } from '../planner/tasks.js';
import type { Stage } from '../planner/stages.js';
import {
  BYTES_PER_SHUFFLE_PARTITION,
  LOCAL_WORKERS,
  MAX_SHUFFLE_PARTITIONS,
  MAX_TASK_BYTES,
  shufflePartitionsFor,
  sizeStage,
  taskBytesFor,
} from '../src/runtime/sizing.js';
import type { Schema } from '../planner/types.js';

const schema: Schema = [{ name: 'a', type: 'int64', nullable: false }];

/** `files` files of `groups` row groups each; row group sizes vary (deterministic, 700..1300 bytes). */
function dataset(files: number, groups: number): SplitFile[] {
  let seed = 7;
  return Array.from({ length: files }, (_, f) => ({
    url: `file:///t/part-${f}.parquet`,
    size: 1 << 20,
    partitionValues: {},
    rowGroups: Array.from({ length: groups }, (_, index) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return { index, bytes: { a: 700 + (seed % 601) }, stats: {} };
    }),
  }));
}

const total = (fs: readonly SplitFile[]) =>
  fs.reduce((a, f) => a + f.rowGroups.reduce((b, rg) => b + (rg.bytes.a ?? 0), 0), 0);

describe('scan task splitting', () => {
  it('cuts n × taskBytes into exactly n tasks, each within one row group of even', () => {
    const files = dataset(4, 13);
    const bytes = total(files);
    for (const n of [2, 3, 4, 5, 8]) {
      const split = splitScan(files, schema, ['a'], [], Math.ceil(bytes / n));
      expect(split.inputs).toHaveLength(n);
      expect(split.bytes).toBe(bytes);
      for (const t of split.inputs) expect(Math.abs(t.bytes - bytes / n)).toBeLessThanOrEqual(1300);
      // Every row group once, in file order.
      const seen = split.inputs.flatMap((t) => t.parts.flatMap((p) => p.rowGroups.map((g) => `${p.file}#${g}`)));
      expect(seen).toEqual(files.flatMap((f) => f.rowGroups.map((g) => `${f.url}#${g.index}`)));
    }
  });

  it('never leaves a short remainder task (the straggler of the old "at most" packing)', () => {
    // 52 row groups in 4 tasks: the old packing made 4 full tasks and a fifth of a few groups.
    const files = dataset(4, 13);
    const split = splitScan(files, schema, ['a'], [], Math.ceil(total(files) / 4));
    const sizes = split.inputs.map((t) => t.bytes);
    expect(Math.min(...sizes) / Math.max(...sizes)).toBeGreaterThan(0.85);
  });

  it('keeps one row group per task at taskBytes 1 and one task for an unbounded budget', () => {
    const files = dataset(2, 3);
    expect(splitScan(files, schema, ['a'], [], 1).inputs).toHaveLength(6);
    expect(splitScan(files, schema, ['a'], [], Number.POSITIVE_INFINITY).inputs).toHaveLength(1);
  });
});

describe('scan task sizing', () => {
  it('gives every scan even tasks for every executor (two per AWS executor, one per local one), from its own bytes', () => {
    const MiB = 1 << 20;
    expect(taskBytesFor(100 * MiB, { maxExecutors: 2 })).toBe(25 * MiB);
    expect(taskBytesFor(10 * MiB, { executorSlots: 2 })).toBe(5 * MiB);
    expect(taskBytesFor(10 * MiB, { executorSlots: 1 })).toBe(10 * MiB);
    // Large scans: tasks of at most 64 MiB, all the same size (16 tasks of 62.5 MiB, not 15 + a rest).
    expect(taskBytesFor(1000 * MiB, { maxExecutors: 2 })).toBe(Math.ceil((1000 * MiB) / 16));
    expect(taskBytesFor(1e12, {})).toBeLessThanOrEqual(MAX_TASK_BYTES);
    // Local: as many tasks as a multiple of the executors (SF10 lineitem's 700 MiB in 12 at 2, not 11: 6 against 5).
    expect(taskBytesFor(700 * MiB, { executorSlots: 2 })).toBe(Math.ceil((700 * MiB) / 12));
    expect(taskBytesFor(700 * MiB, { executorSlots: 1 })).toBe(Math.ceil((700 * MiB) / 11));
    // The user's budget is taken as given.
    expect(taskBytesFor(1000 * MiB, { taskBytes: 1 })).toBe(1);
  });
});

describe('shuffle partition count', () => {
  const MiB = 1 << 20;
  it('grows with the bytes the scans read, so a partition stays the same size at every scale', () => {
    // TPC-H Q21 reads ~105 MiB at SF1 and ~1.4 GiB at SF10: 4 and 45 partitions of at most 32 MiB.
    expect(shufflePartitionsFor(105 * MiB, { executorSlots: 1 })).toBe(4);
    expect(shufflePartitionsFor(1429 * MiB, { executorSlots: 1 })).toBe(45);
    expect(1429 / 45).toBeLessThanOrEqual(BYTES_PER_SHUFFLE_PARTITION / MiB);
    expect(shufflePartitionsFor(0, {})).toBe(2);
    expect(shufflePartitionsFor(1e15, { executorSlots: 1 })).toBe(MAX_SHUFFLE_PARTITIONS);
  });
  it('is a multiple of the executor count once there are more partitions than executors', () => {
    expect(shufflePartitionsFor(1429 * MiB, { executorSlots: 2 })).toBe(46);
    expect(shufflePartitionsFor(1000 * MiB, { maxExecutors: 4 })).toBe(32);
    // On AWS the goal's cap (latency: 40) divides 200; a cap of 30 gives 180, the widest multiple within 200.
    expect(shufflePartitionsFor(1e15, {})).toBe(200);
    expect(shufflePartitionsFor(1e15, { maxExecutors: 30 })).toBe(180);
    // Fewer partitions than executors: as many as the bytes ask for.
    expect(shufflePartitionsFor(100 * MiB, {})).toBe(4);
  });
  it("takes the job's width as given", () => {
    expect(shufflePartitionsFor(1e12, { shufflePartitions: 3, executorSlots: 2 })).toBe(3);
  });
});

describe('local executor workers', () => {
  const aggStage = { id: 0, source: { kind: 'scan' }, ops: [{ op: 'HashAggregate' }], schema: [] } as unknown as Stage;
  it('interleaves at most two tasks in a local executor process, unless the job says otherwise', () => {
    // Each interleaved task holds its row groups and buffered shuffle output; a local executor is one thread.
    expect(sizeStage(aggStage, 40, 1e9, { executorSlots: 2 })).toMatchObject({ executors: 2, workers: LOCAL_WORKERS });
    expect(LOCAL_WORKERS).toBe(2);
    expect(sizeStage(aggStage, 40, 1e9, { executorSlots: 2, workers: 8 })).toMatchObject({ workers: 8 });
    // On AWS (no slots) the workload's workers stand: 6 for a cpu-bound stage.
    expect(sizeStage(aggStage, 40, 1e9, {})).toMatchObject({ workers: 6 });
  });
});
