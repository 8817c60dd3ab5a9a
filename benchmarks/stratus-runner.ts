/**
 * Stratus runner process: a local-mode session with `executors: threads` executor processes and
 * its store in the harness' scratch directory, running the DSL queries of benchmarks/tpch/queries. The timed part is
 * `collect()` (plan analysis, the job through the local state machine, reading the result).
 * Reports the executors' peak RSS (Linux /proc VmHWM), over the whole run and per query (the
 * peak is restarted before each query through /proc/<pid>/clear_refs), the last job's summary
 * (`session.lastJobSummary`) verbatim as the time breakdown, and of every timed run the job's
 * wall time and its stages' critical-path figures (the orchestration share's inputs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { session } from '../src/index.js';
import type { JobSummary } from '../src/runtime/jobState.js';
import { QUERIES, tpchTables } from './tpch/queries/index.js';
import { rowsFromArrow } from './compare.js';
import { serveRunner, type EngineAdapter, type RunnerArgs } from './peers/protocol.js';

async function open(args: RunnerArgs): Promise<EngineAdapter<Table>> {
  const s = session({ store: args.scratchDir, executors: args.threads, progress: false });
  const tables = tpchTables(s, args.dataDir);
  const pids = () => s.localRunner.pool.pids;
  // Each executor's peak over the whole run: folded in before every reset of its VmHWM.
  const runPeak = new Map<number, number>();
  const runPeaks = () =>
    pids().flatMap((pid) => {
      const mb = Math.max(runPeak.get(pid) ?? 0, peakRssMB(pid) ?? 0);
      runPeak.set(pid, mb);
      return mb > 0 ? [mb] : [];
    });
  return {
    supports: (q) => QUERIES[q] !== undefined,
    run: (q) => QUERIES[q]!(tables).collect(),
    rows: rowsFromArrow,
    breakdown: () => s.lastJobSummary,
    runBreakdown: () => runFigures(s.lastJobSummary),
    helperPeakRssMB: runPeaks,
    resetHelperPeaks: () => {
      runPeaks();
      for (const pid of pids()) resetPeakRss(pid);
    },
    helperPeakSinceResetMB: () => {
      const mbs = pids().flatMap((pid) => peakRssMB(pid) ?? []);
      return mbs.length ? Math.max(...mbs) : undefined;
    },
    close: () => s.stop(),
  };
}

/** What the orchestration share needs of one run's job summary (headline.ts `orchestrationShare`). */
function runFigures(summary: JobSummary | undefined) {
  if (!summary) return undefined;
  return {
    wallMillis: summary.wallMillis,
    stages: summary.stages.map((st) => ({
      ...(st.maxTaskMillis !== undefined ? { maxTaskMillis: st.maxTaskMillis } : {}),
      ...(st.executorMillis ? { executorMillis: st.executorMillis } : {}),
    })),
  };
}

/** Peak resident set of a process from /proc (Linux), in MB. */
function peakRssMB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Restarts a process's peak RSS (VmHWM) from its current RSS (Linux ≥ 4.0); ignored where not possible. */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not permitted: the peak then covers the run so far.
  }
}

await serveRunner('stratus', open);
