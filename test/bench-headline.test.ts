/**
 * The orchestration figure of the bench (issue 12): a stage's critical path is its busiest
 * executor's busy time (tasks it interleaved count once, tasks it ran one after another add
 * up), which the scheduler accounts per executor from the task reports, and the orchestration
 * share is job wall − the stages' critical paths, plus the time outside the job (per query, the
 * median over its runs).
 */
import { describe, expect, it } from 'vitest';
import { orchestrationShare } from '../benchmarks/headline.js';
import type { QueryOutcome } from '../benchmarks/peers/protocol.js';
import { type JobState, stageCriticalMillis, unionMillis } from '../src/runtime/jobState.js';
import type { TaskReport } from '../src/runtime/protocol.js';
import { Scheduler } from '../src/runtime/scheduler.js';

const outcome = (runMs: number, breakdown: unknown): QueryOutcome => ({
  query: 1,
  status: 'ok',
  warmupMs: [],
  runsMs: [runMs],
  breakdown,
});

describe('stage critical path', () => {
  it('merges overlapping intervals and adds disjoint ones', () => {
    expect(unionMillis([])).toBe(0);
    expect(
      unionMillis([
        [0, 100],
        [50, 120],
        [200, 260],
      ]),
    ).toBe(180);
    expect(
      unionMillis([
        [200, 260],
        [0, 100],
        [10, 20],
      ]),
    ).toBe(160);
  });

  it('is the busiest executor, else the longest task', () => {
    expect(stageCriticalMillis({ executorMillis: { a: 300, b: 200 }, maxTaskMillis: 150 })).toBe(300);
    expect(stageCriticalMillis({ maxTaskMillis: 150 })).toBe(150);
    expect(stageCriticalMillis({})).toBe(0);
  });

  it('is accounted per executor from each invocation’s reports', () => {
    const state = { stages: [{ id: 0, status: 'running', tasks: [] }] } as unknown as JobState;
    const s = new Scheduler(
      state,
      ...([undefined, undefined, undefined, undefined, undefined] as unknown as [never, never, never, never, never]),
    );
    const rep = (task: number, startedAt: number, millis: number, executor: string): TaskReport => ({
      stage: 0,
      task,
      attempt: 1,
      ok: true,
      millis,
      startedAt,
      executor,
    });
    // Executor a interleaves tasks 0 and 1 (one span of 120 ms), then runs task 2 in a later
    // invocation (100 ms more); executor b runs task 3. A task handed back never ran.
    s.accountBusy(0, [rep(0, 1000, 100, 'a'), rep(1, 1020, 100, 'a')]);
    s.accountBusy(0, [rep(2, 2000, 100, 'a'), { stage: 0, task: 4, attempt: 1, ok: false, millis: 0 }]);
    s.accountBusy(0, [rep(3, 1000, 150, 'b')], 90);
    s.accountBusy(0, [rep(5, 3000, 10, 'b')], 7);
    expect(state.stages[0]!.metrics?.executorMillis).toEqual({ a: 220, b: 160 });
    // Each invocation's CPU, added up per executor (the invocations of a above reported none).
    expect(state.stages[0]!.metrics?.executorCpuMillis).toEqual({ b: 97 });
    expect(stageCriticalMillis(state.stages[0]!.metrics!)).toBe(220);
  });
});

describe('orchestration share', () => {
  it('counts tasks an executor runs one after another as work, not orchestration', () => {
    // One stage: executor a ran two 100 ms tasks in a row, b one; the longest task is 100 ms.
    const job = {
      wallMillis: 250,
      stages: [{ wallMillis: 240, maxTaskMillis: 100, executorMillis: { a: 200, b: 100 } }],
    };
    // (250 − 200) in the job + (300 − 250) outside it, of 300 ms collected.
    expect(orchestrationShare([outcome(300, job)])).toBeCloseTo(100 / 300, 9);
  });

  it('falls back to the longest task for summaries without executor times', () => {
    const job = { wallMillis: 250, stages: [{ wallMillis: 240, maxTaskMillis: 100 }] };
    expect(orchestrationShare([outcome(300, job)])).toBeCloseTo(200 / 300, 9);
  });

  it('takes per query the median over its runs, so one stalled run among five does not move it', () => {
    // Five runs of 300 ms with 100 ms of orchestration each; the fourth stalled 370 ms between stages.
    const run = (wall: number) => ({ wallMillis: wall, stages: [{ executorMillis: { a: 200, b: 100 } }] });
    const runsMs = [300, 300, 300, 670, 300];
    const o: QueryOutcome = {
      ...outcome(300, run(250)),
      runsMs,
      runBreakdowns: [run(250), run(250), run(250), run(620), run(250)],
    };
    expect(orchestrationShare([o])).toBeCloseTo(100 / 300, 9);
    // Only the last run counted before: had it been the stalled one, 470 of 670 ms.
    const lastStalled = { ...o, runsMs: [300, 300, 300, 300, 670], breakdown: run(620) };
    expect(orchestrationShare([{ ...lastStalled, runBreakdowns: undefined }])).toBeCloseTo(470 / 670, 9);
    expect(
      orchestrationShare([{ ...lastStalled, runBreakdowns: [run(250), run(250), run(250), run(250), run(620)] }]),
    ).toBeCloseTo(100 / 300, 9);
  });

  it('sums the medians over queries; per-run figures that do not match the runs fall back to the last run', () => {
    const a: QueryOutcome = {
      ...outcome(100, undefined),
      runsMs: [100, 120, 110],
      runBreakdowns: [100, 120, 110].map((w) => ({ wallMillis: w - 10, stages: [{ executorMillis: { x: 60 } }] })),
    };
    // a: runs of 40, 60, 50 ms orchestration: medians 50 of 110; b: two per-run figures for three runs, its last run: 30 of 200.
    const b: QueryOutcome = {
      ...outcome(200, { wallMillis: 190, stages: [{ maxTaskMillis: 170 }] }),
      runsMs: [150, 160, 200],
      runBreakdowns: [
        { wallMillis: 1, stages: [] },
        { wallMillis: 1, stages: [] },
      ],
    };
    expect(orchestrationShare([a, b])).toBeCloseTo((50 + 30) / (110 + 200), 9);
  });

  it('adds up over queries and skips those without a summary', () => {
    const a = { wallMillis: 100, stages: [{ executorMillis: { x: 100 } }] };
    const b = { wallMillis: 200, stages: [{ executorMillis: { x: 50, y: 150 } }] };
    expect(orchestrationShare([outcome(100, a), outcome(200, b), outcome(700, undefined)])).toBeCloseTo(50 / 300, 9);
    expect(orchestrationShare([outcome(100, undefined)])).toBeUndefined();
  });
});
