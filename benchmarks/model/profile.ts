/**
 * Stage profiles, measured: runs the benchmark's TPC-H jobs on a local-mode session with ONE
 * executor process at several scale factors and records, per stage, what `session.lastJobSummary`
 * reports (tasks, task time, store requests, bytes in/out) plus the executor process's CPU-seconds
 * (Linux /proc utime+stime, apportioned to stages by task time) and its peak RSS (VmHWM, reset per
 * job through /proc/<pid>/clear_refs). DuckDB (threads=1) runs the same queries in the same process
 * for the native-engine speed ratio. Writes the raw runs and a linear fit per stage metric against
 * SF (see fit.ts) as JSON, with the task timeline of each job at the largest SF (for the report's
 * measured timeline charts).
 *
 *   npx tsx benchmarks/model/profile.ts [--sf 0.1,0.3,1] [--queries 1,3,5,6,12,18]
 *       [--data-root /work/benchdata] [--out benchmarks/model/stage-profiles.json]
 *
 * Data for SF s is read from <data-root>/sf<s>-snappy (made by benchmarks/datagen; generated there
 * when missing). One timed run per query after one warmup: the machine is shared, so the fit
 * uses CPU-seconds and byte counts, which load does not inflate the way wall time is inflated.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { stageDeps } from '../../planner/stages.js';
import { taskBars } from '../../src/cli/report/data.js';
import { readTimeline } from '../../src/runtime/client.js';
import { cachedStore } from '../../src/runtime/env.js';
import { session } from '../../src/index.js';
import { generateTpch } from '../datagen/index.js';
import { QUERIES, tpchTables } from '../tpch/queries/index.js';
import { TPCH_TABLES, tpchSql } from '../tpch/sql/index.js';
import { fitProfiles, type QueryRun, splitBytesIn, type StageRun } from './fit.js';

const DEFAULT_SF = [0.1, 0.3, 1];
const DEFAULT_QUERIES = [1, 3, 5, 6, 12, 18];
const CLK_TCK = 100; // Linux USER_HZ: /proc times are in 1/100 s on every mainstream kernel

function fail(message: string): never {
  console.error(`profile: ${message}`);
  process.exit(2);
}

function numList(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !(x > 0))) fail(`--${name} must be positive numbers, got ${v}`);
  return xs;
}

/** utime + stime of a process, in seconds (Linux /proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`profile: no VmHWM for process ${pid}`);
  return Number(m[1]) / 1024;
}

/** Resets VmHWM to the current RSS so the next reading is this job's peak. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function ensureData(root: string, sf: number): Promise<string> {
  const dir = path.join(root, `sf${sf}-snappy`);
  if (existsSync(path.join(dir, '.complete')) || existsSync(path.join(dir, 'lineitem'))) return dir;
  console.error(`[profile] generating TPC-H SF ${sf} into ${dir}`);
  await generateTpch({ sf, dir, compression: 'snappy' });
  writeFileSync(path.join(dir, '.complete'), JSON.stringify({ sf }));
  return dir;
}

/** DuckDB (threads=1) per query: wall ms and the process's CPU-seconds over the timed run (load-proof). */
async function duckdbRuns(dataDir: string, queries: number[]): Promise<Record<number, { ms: number; cpuS: number }>> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run('SET threads = 1');
  for (const t of TPCH_TABLES)
    await c.run(
      `create view ${t} as select * from read_parquet('${path.join(dataDir, t).replaceAll("'", "''")}/*.parquet')`,
    );
  const out: Record<number, { ms: number; cpuS: number }> = {};
  for (const q of queries) {
    await c.runAndReadAll(tpchSql(q));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await c.runAndReadAll(tpchSql(q));
    const cpu = process.cpuUsage(cpu0);
    out[q] = { ms: performance.now() - t0, cpuS: (cpu.user + cpu.system) / 1e6 };
  }
  c.closeSync();
  instance.closeSync();
  return out;
}

async function profileSf(
  sf: number,
  dataDir: string,
  queries: number[],
  scratch: string,
  withTimeline: boolean,
): Promise<QueryRun[]> {
  const store = path.join(scratch, `store-sf${sf}`);
  // keepJobs: the job's task reports stay readable after collect() (for the timeline), at the largest SF only.
  const s = session({ store, executors: 1, progress: false, keepJobs: withTimeline });
  const tables = tpchTables(s, dataDir);
  const duck = await duckdbRuns(dataDir, queries);
  const runs: QueryRun[] = [];
  try {
    for (const q of queries) {
      const df = QUERIES[q]!(tables);
      await df.collect(); // warmup (also starts the executor process)
      const [pid] = s.localRunner.pool.pids;
      if (pid === undefined) throw new Error('profile: the local runner has no executor process');
      const planned = await s.plan(df.plan);
      resetPeak(pid);
      const cpu0 = cpuSeconds(pid);
      const self0 = process.cpuUsage();
      const t0 = performance.now();
      await df.collect();
      const millis = performance.now() - t0;
      const executorCpu = cpuSeconds(pid) - cpu0;
      const self = process.cpuUsage(self0);
      const summary = s.lastJobSummary;
      if (!summary) throw new Error(`profile: Q${q} reported no job summary`);
      const peak = peakRssMB(pid);
      const timeline = withTimeline ? taskBars(await readTimeline(cachedStore(s.storeRef), summary.jobId)) : undefined;
      const plan = planned.plan;
      const byId = new Map(summary.stages.map((st) => [st.id, st]));
      const totalTask = summary.stages.reduce((a, st) => a + st.taskMillis, 0) || 1;
      const stages: StageRun[] = plan.stages.map((stage) => {
        const st = byId.get(stage.id);
        if (!st) throw new Error(`profile: Q${q} stage ${stage.id} is missing from the job summary`);
        const stats = st.stats;
        const bytesIn = stats.bytesIn ?? 0;
        const bytesOut = stats.bytesOut ?? 0;
        const isScan = stage.source.kind !== 'shuffle';
        const deps = stageDeps(stage);
        const { parquetBytes, shuffleBytesRead } = splitBytesIn(
          isScan ? 'scan' : 'reduce',
          bytesIn,
          st.tasks,
          deps.reduce((a, d) => a + (byId.get(d)?.stats.bytesOut ?? 0), 0),
        );
        const result = stage.id === plan.resultStage;
        return {
          stage: stage.id,
          kind: isScan ? 'scan' : 'reduce',
          deps,
          tasks: st.tasks,
          taskMillis: st.taskMillis,
          maxTaskMillis: st.maxTaskMillis ?? st.taskMillis,
          cpuSeconds: (executorCpu * st.taskMillis) / totalTask,
          parquetBytes,
          shuffleBytesWritten: result ? 0 : bytesOut,
          shuffleBytesRead,
          resultBytes: result ? bytesOut : 0,
          gets: stats.get ?? 0,
          puts: stats.put ?? 0,
          lists: stats.list ?? 0,
          heads: stats.head ?? 0,
          peakMemoryMB: peak,
        };
      });
      runs.push({
        query: q,
        sf,
        collectMillis: millis,
        jobWallMillis: summary.wallMillis,
        rounds: summary.rounds,
        scanBytesPlanned: planned.scanBytes,
        executorCpuSeconds: executorCpu,
        driverCpuSeconds: (self.user + self.system) / 1e6,
        executorPeakMB: peak,
        duckdbMillis: duck[q]!.ms,
        duckdbCpuSeconds: duck[q]!.cpuS,
        stages,
        ...(timeline ? { timeline } : {}),
      });
      console.error(
        `[profile] SF ${sf} Q${q}: ${millis.toFixed(0)} ms, executor CPU ${executorCpu.toFixed(2)} s, ` +
          `${stages.length} stages, duckdb ${duck[q]!.ms.toFixed(0)} ms (${duck[q]!.cpuS.toFixed(2)} CPU-s), peak ${peak.toFixed(0)} MB`,
      );
    }
  } finally {
    await s.stop();
    rmSync(store, { recursive: true, force: true });
  }
  return runs;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      sf: { type: 'string' },
      queries: { type: 'string' },
      'data-root': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const sfs = numList('sf', v.sf ?? DEFAULT_SF.join(','));
  const queries = numList('queries', v.queries ?? DEFAULT_QUERIES.join(','));
  for (const q of queries) if (!QUERIES[q]) fail(`Stratus has no DSL query ${q}`);
  if (sfs.length < 2) fail('need at least two scale factors to fit growth with SF');
  const root = path.resolve(v['data-root'] ?? '/work/benchdata');
  const out = path.resolve(v.out ?? 'benchmarks/model/stage-profiles.json');
  const scratch = path.join(os.tmpdir(), `stratus-profile-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const load0 = os.loadavg();
  const runs: QueryRun[] = [];
  try {
    const largest = Math.max(...sfs);
    for (const sf of sfs)
      runs.push(...(await profileSf(sf, await ensureData(root, sf), queries, scratch, sf === largest)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const doc = {
    version: 1,
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      loadAverageStart: load0,
      loadAverageEnd: os.loadavg(),
      node: process.version,
    },
    method:
      'local mode, 1 executor process, 1 warmup + 1 timed run per query; CPU from /proc utime+stime of the executor, ' +
      'apportioned to stages by task time; Parquet bytes = bytes in minus the shuffle reads of its deps (splitBytesIn)',
    scaleFactors: sfs,
    queries,
    runs,
    fits: fitProfiles(runs),
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 1)}\n`);
  console.error(`[profile] wrote ${out}`);
}

await main();
