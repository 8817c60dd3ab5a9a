/**
 * The benchmark harness end to end on tiny data: `benchmarks/run.ts` as a child process over a
 * freshly generated TPC-H SF 0.01, all three engines, Q1 and Q6, one warmup and one run; the
 * JSON must hold medians for every engine and no mismatch. Plus the answer check itself, which
 * must flag real differences (otherwise "no mismatch" would mean nothing).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTpch } from '../benchmarks/datagen/index.js';
import type { ResultSet } from '../benchmarks/compare.js';
import type { RunnerResult } from '../benchmarks/peers/protocol.js';
import { checkAnswers, type AnswerCheck, type ThreadsSummary } from '../benchmarks/report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENGINES = ['duckdb', 'polars', 'stratus'] as const;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  await generateTpch({ sf: 0.01, dir: path.join(dir, 'data'), compression: 'snappy' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'benchmarks/run.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run bench', () => {
  it('runs stratus, duckdb and polars on SF 0.01 and writes medians with matching answers', async () => {
    const out = path.join(dir, 'results.json');
    const args = [
      '--data',
      path.join(dir, 'data'),
      '--queries',
      '1,6',
      '--runs',
      '1',
      '--warmup',
      '1',
      '--threads',
      '1',
      '--engines',
      ENGINES.join(','),
      '--out',
      out,
    ];
    const { code, stdout, stderr } = await runBench(args);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr.slice(-3000)}`).toBe(0);
    expect(stdout).toMatch(/stratus\/duckdb/);
    // Interleaved: every engine runs Q1 before any runs Q6 (one process after another, Stratus ran both first).
    const progress = stderr.split('\n').filter((l) => / Q[16] (warmup|run) /.test(l));
    const lastQ1 = progress.findLastIndex((l) => l.includes(' Q1 '));
    expect(progress.slice(0, lastQ1 + 1).filter((l) => l.includes(' Q1 run '))).toHaveLength(ENGINES.length);
    expect(progress.findIndex((l) => l.includes(' Q6 '))).toBe(lastQ1 + 1);
    // The summary: geo means over the six and the 22 queries (two of them ran here), the
    // orchestration share, and every target of issue 12 with met / missed / not measured.
    expect(stdout).toMatch(
      /threads=1 stratus\/duckdb: six-query geo mean \d+\.\d+x \(2 of 6 queries\), 22-query geo mean \d+\.\d+x \(2 of 22 queries\)/,
    );
    expect(stdout).toMatch(/threads=1 Stratus orchestration: \d+\.\d% of collect time/);
    expect(stdout).toMatch(/targets \(issue 12\)/);
    expect(stdout).toMatch(
      /six queries SF1, 1 thread\(s\): Stratus\/DuckDB geo mean +≤ 2\.5 +measured \S+ \(2 of 6 queries\) +(met|missed)/,
    );
    expect(stdout).toMatch(/Stratus 1→2 threads speed-up, six-query geo mean +≥ 1\.7 +measured n\/a +not measured/);
    expect(stdout).toMatch(/executor peak RSS at SF10 +≤ 1\.5 GB +measured n\/a +not measured/);

    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      headline: { targets: { name: string; status: string }[] };
      summaries: ThreadsSummary[];
      checks: AnswerCheck[];
      mismatches: number;
      runs: RunnerResult[];
    };
    expect(json.mismatches).toBe(0);
    expect(json.headline.targets.length).toBe(10);
    expect(json.summaries.map((s) => s.threads)).toEqual([1]);
    for (const q of [1, 6]) {
      const row = json.summaries[0]!.rows.find((r) => r.query === q)!;
      for (const e of ENGINES) expect(row.medianMs[e], `Q${q} ${e}`).toBeGreaterThan(0);
      expect(row.ratios['stratus/duckdb']).toBeGreaterThan(0);
    }
    expect(json.checks.map((c) => `${c.engine} Q${c.query} ${c.status}`).sort()).toEqual([
      'polars Q1 match',
      'polars Q6 match',
      'stratus Q1 match',
      'stratus Q6 match',
    ]);
    const q1 = json.runs.find((r) => r.engine === 'duckdb')!.queries.find((o) => o.query === 1)!;
    expect(q1.result?.rows).toHaveLength(4);
    // Every timed Stratus run's job figures, for the orchestration share (median over runs).
    for (const o of json.runs.find((r) => r.engine === 'stratus')!.queries) {
      expect(o.runBreakdowns, `Q${o.query}`).toHaveLength(o.runsMs.length);
      expect((o.runBreakdowns![0] as { wallMillis: number }).wallMillis).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('answer check', () => {
  const reference: ResultSet = {
    columns: ['flag', 'revenue'],
    rows: [
      ['A', 1000],
      ['B', 2000],
    ],
  };
  const record = (engine: 'duckdb' | 'polars', result: ResultSet): RunnerResult => ({
    engine,
    threads: 1,
    openMs: 0,
    peakRssMB: 0,
    notes: [],
    queries: [{ query: 1, status: 'ok', warmupMs: [], runsMs: [1], result }],
  });
  const check = (other: ResultSet, ordered = true) =>
    checkAnswers([record('duckdb', reference), record('polars', other)], () => ordered)[0]!.status;

  it('accepts differences within 1e-6 relative and column names in another case', () => {
    expect(
      check({
        columns: ['FLAG', 'Revenue'],
        rows: [
          ['A', 1000.0000001],
          ['B', 2000],
        ],
      }),
    ).toBe('match');
  });
  it('flags numbers off by more than 1e-6, missing rows and wrong order of an ordered query', () => {
    expect(
      check({
        columns: ['flag', 'revenue'],
        rows: [
          ['A', 1000.01],
          ['B', 2000],
        ],
      }),
    ).toBe('mismatch');
    expect(check({ columns: ['flag', 'revenue'], rows: [['A', 1000]] })).toBe('mismatch');
    expect(
      check({
        columns: ['flag', 'revenue'],
        rows: [
          ['B', 2000],
          ['A', 1000],
        ],
      }),
    ).toBe('mismatch');
    expect(
      check(
        {
          columns: ['flag', 'revenue'],
          rows: [
            ['B', 2000],
            ['A', 1000],
          ],
        },
        false,
      ),
    ).toBe('match');
  });
});
