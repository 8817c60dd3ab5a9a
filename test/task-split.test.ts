/**
 * Scan task splitting and sizing: every scan is cut into even tasks from its own bytes, so two
 * executors get the same work (no short remainder task, no small scan left to one executor).
 */
import { describe, expect, it } from 'vitest';
import { splitScan, type SplitFile } from '../planner/tasks.js';
import type { Stage } from '../planner/stages.js';
import { LOCAL_WORKERS, MAX_TASK_BYTES, sizeStage, taskBytesFor } from '../src/runtime/sizing.js';
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
  it('gives every scan at least two even tasks per executor, from its own bytes', () => {
    const MiB = 1 << 20;
    expect(taskBytesFor(100 * MiB, { maxExecutors: 2 })).toBe(25 * MiB);
    expect(taskBytesFor(10 * MiB, { executorSlots: 2 })).toBe(Math.ceil((10 * MiB) / 4));
    // Large scans: tasks of at most 64 MiB, all the same size (16 tasks of 62.5 MiB, not 15 + a rest).
    expect(taskBytesFor(1000 * MiB, { maxExecutors: 2 })).toBe(Math.ceil((1000 * MiB) / 16));
    expect(taskBytesFor(1e12, {})).toBeLessThanOrEqual(MAX_TASK_BYTES);
    // The user's budget is taken as given.
    expect(taskBytesFor(1000 * MiB, { taskBytes: 1 })).toBe(1);
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
