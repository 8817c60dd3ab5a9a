/**
 * The bench drives its runner processes interleaved (benchmarks/peers/schedule.ts, drive.ts):
 * per query, round by round, every process runs it once, in an order that rotates between
 * rounds, so ratios across processes come from the same minutes of a drifting host. Checked on
 * the pure schedule, and end to end through fake runner processes, with a runner that reports
 * an error, one that hangs and one that crashes: each gets a failure naming the query and run
 * it was in, the others carry on, and no runner is left running.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { driveRunners } from '../benchmarks/peers/drive.js';
import { interleave, type Step } from '../benchmarks/peers/schedule.js';
import type { EngineName, RunnerResult } from '../benchmarks/peers/protocol.js';
import { isFailure, type RunnerFailure, type RunnerSpec } from '../benchmarks/peers/spawn.js';

type Run = Extract<Step, { op: 'run' }>;
const runsOf = (steps: readonly Step[], query: number) =>
  steps.filter((s): s is Run => s.op === 'run' && s.query === query);

/**
 * Whether every round of a query runs it once in every process (so no process runs it twice
 * before all others ran it once) and the first process differs between consecutive rounds.
 */
function interleaved(steps: readonly Step[], processes: number, queries: readonly number[]): boolean {
  return queries.every((q) => {
    const runs = runsOf(steps, q);
    const rounds = Array.from({ length: runs.length / processes }, (_, r) =>
      runs.slice(r * processes, (r + 1) * processes).map((s) => s.proc),
    );
    const each = rounds.every((round) => new Set(round).size === processes);
    const rotates = rounds.every((round, r) => r === 0 || round[0] !== rounds[r - 1]![0]);
    return runs.length % processes === 0 && each && rotates;
  });
}

/** The order the bench had before: each process ran all its queries, one process after another. */
function sequential(processes: number, queries: readonly number[], warmup: number, runs: number): Step[] {
  return Array.from({ length: processes }, (_, proc) =>
    queries.flatMap((query): Step[] => [
      { op: 'begin', query, proc },
      ...Array.from({ length: warmup + runs }, (_, i): Step => {
        const timed = i >= warmup;
        return { op: 'run', query, proc, timed, nth: timed ? i - warmup + 1 : i + 1 };
      }),
      { op: 'finish', query, proc },
    ]),
  ).flat();
}

describe('interleave: the order of the bench', () => {
  it('runs each query round by round in every process, the order rotating between rounds', () => {
    const steps = interleave(3, [1, 18], 1, 3);
    expect(interleaved(steps, 3, [1, 18])).toBe(true);
    expect(interleaved(sequential(3, [1, 18], 1, 3), 3, [1, 18])).toBe(false);
    const q1 = runsOf(steps, 1).map((s) => `${s.proc}${s.timed ? 't' : 'w'}${s.nth}`);
    expect(q1).toEqual(['0w1', '1w1', '2w1', '1t1', '2t1', '0t1', '2t2', '0t2', '1t2', '0t3', '1t3', '2t3']);
    // Every process goes first in some round and last in another.
    const rounds = (q: number) => [0, 1, 2, 3].map((r) => runsOf(steps, q).slice(3 * r, 3 * r + 3));
    expect(new Set(rounds(18).map((r) => r[0]!.proc)).size).toBe(3);
    expect(new Set(rounds(18).map((r) => r[2]!.proc)).size).toBe(3);
  });

  it('begins a query in every process before its runs, finishes it after, and takes queries in turn', () => {
    const steps = interleave(2, [6, 1], 2, 2);
    const at = (op: Step['op'], query: number) =>
      steps.flatMap((s, i) => (s.op === op && s.query === query ? [i] : []));
    for (const q of [6, 1]) {
      expect(at('begin', q)).toHaveLength(2);
      expect(Math.max(...at('begin', q))).toBeLessThan(Math.min(...at('run', q)));
      expect(Math.min(...at('finish', q))).toBeGreaterThan(Math.max(...at('run', q)));
    }
    expect(Math.max(...at('finish', 6))).toBeLessThan(Math.min(...at('begin', 1)));
    expect(runsOf(steps, 6).filter((s) => s.proc === 1 && s.timed)).toHaveLength(2);
  });
});

describe('driveRunners: runner processes, interleaved', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-drive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = fileURLToPath(new URL('./support/bench-fake-runner.ts', import.meta.url));
  const log = path.join(dir, 'log');
  const spec = (engine: EngineName, threads: number, fault = 'none', at = 0): RunnerSpec => ({
    args: { engine, threads, dataDir: `${log}|${fault}|${at}`, scratchDir: dir },
    label: `${engine} threads=${threads}`,
    module: fake,
  });

  it('takes each run in turn across processes; an error, a hang and a crash fail only their own', async () => {
    const specs = [spec('duckdb', 1), spec('stratus', 1, 'error', 2), spec('polars', 1, 'hang', 2)];
    specs.push(spec('stratus', 2, 'crash', 2));
    const records = await driveRunners(specs, { queries: [1, 2, 99], warmup: 1, runs: 2, timeoutMs: 8000 });
    const lines = readFileSync(log, 'utf8').trim().split('\n');

    // Q1 ran round by round in the four processes, in the rotating order of interleave().
    const expected = runsOf(interleave(4, [1, 2, 99], 1, 2), 1).map(
      (s) => `run ${['duckdb1', 'stratus1', 'polars1', 'stratus2'][s.proc]} Q1`,
    );
    expect(lines.filter((l) => l.endsWith(' Q1'))).toEqual(expected);

    const [ok, error, hang, crash] = records as [RunnerResult, RunnerResult, RunnerFailure, RunnerFailure];
    expect(ok.queries.map((o) => `${o.query} ${o.status} ${o.runsMs.length} ${o.warmupMs.length}`)).toEqual([
      '1 ok 2 1',
      '2 ok 2 1',
      '99 missing 0 0',
    ]);
    expect(ok.queries[1]!.result).toEqual({ columns: ['q'], rows: [[2]] });
    expect(error.queries.map((o) => `${o.query} ${o.status}`)).toEqual(['1 ok', '2 error', '99 missing']);
    expect(error.queries[1]!.error).toMatch(/fake error in Q2/);
    expect(isFailure(hang) && hang.failure).toMatch(/^timed out after 8 s \(--timeout\) in Q2 warmup 1\/1$/);
    expect(isFailure(crash) && crash.failure).toMatch(/^runner exited with code 3 in Q2 warmup 1\/1$/);

    // No runner is left: every pid the fake runners logged is gone.
    const pids = lines.filter((l) => l.startsWith('open ')).map((l) => Number(l.split(' ')[2]));
    expect(pids).toHaveLength(4);
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
  }, 120_000);
});
