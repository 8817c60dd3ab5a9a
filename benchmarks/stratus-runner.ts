/**
 * Stratus runner process: a local-mode session with `executors: threads` executor processes and
 * its store in the harness' scratch directory, running the DSL queries of benchmarks/tpch/queries. The timed part is
 * `collect()` (plan analysis, the job through the local state machine, reading the result).
 * Reports the executors' peak RSS (Linux /proc VmHWM) and the last job's summary
 * (`session.lastJobSummary`) verbatim as the time breakdown.
 */
import { readFileSync } from 'node:fs';
import type { Table } from 'apache-arrow';
import { session } from '../src/index.js';
import { QUERIES, tpchTables } from './tpch/queries/index.js';
import { rowsFromArrow } from './compare.js';
import { serveRunner, type EngineAdapter, type RunnerArgs } from './peers/protocol.js';

async function open(args: RunnerArgs): Promise<EngineAdapter<Table>> {
  const s = session({ store: args.scratchDir, executors: args.threads, progress: false });
  const tables = tpchTables(s, args.dataDir);
  return {
    supports: (q) => QUERIES[q] !== undefined,
    run: (q) => QUERIES[q]!(tables).collect(),
    rows: rowsFromArrow,
    breakdown: () => s.lastJobSummary,
    helperPeakRssMB: () => s.localRunner.pool.pids.map(peakRssMB).filter((mb): mb is number => mb !== undefined),
    close: () => s.stop(),
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

await serveRunner('stratus', open);
