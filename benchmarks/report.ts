/**
 * Turning runner records into results: answer checks against a reference engine, medians,
 * ratios of Stratus (or, without it, the first engine) to each other engine, their geometric
 * means, and the text tables printed by run.ts. Pure functions; run.ts does the I/O.
 *
 * @example
 * const checks = checkAnswers(records, (q) => ORDERED[q] ?? true);
 * console.log(formatReport(summarize(records, engines, queries, threads), checks, records));
 */
import { compareResults } from './compare.js';
import { geomean, median, orchestrationShare } from './headline.js';
import { stageCriticalMillis } from '../src/runtime/jobState.js';
import type { EngineName, QueryOutcome } from './peers/protocol.js';
import { isFailure, type RunnerRecord } from './peers/spawn.js';

export const REL_TOL = 1e-6;

export interface AnswerCheck {
  readonly threads: number;
  readonly query: number;
  readonly engine: EngineName;
  readonly reference: EngineName;
  readonly status: 'match' | 'mismatch';
  readonly diffs: string[];
}

export interface QueryRow {
  readonly query: number;
  /** Median run time in ms per engine; absent when the engine had no result. */
  readonly medianMs: Partial<Record<EngineName, number>>;
  /** 'ok' | 'missing' (not implemented) | 'error' | 'failed' (runner process died). */
  readonly status: Partial<Record<EngineName, string>>;
  /** `stratus/${other}` → ratio of medians (> 1: Stratus is slower). */
  readonly ratios: Record<string, number | undefined>;
  /** Stratus's largest executor peak RSS (MB) during this query's runs, when measured. */
  readonly executorPeakMB?: number;
}

export interface ThreadsSummary {
  readonly threads: number;
  readonly rows: QueryRow[];
  readonly geomeans: Record<string, number | undefined>;
}

function outcome(
  records: readonly RunnerRecord[],
  engine: EngineName,
  threads: number,
  query: number,
): QueryOutcome | 'failed' | undefined {
  const r = records.find((x) => x.engine === engine && x.threads === threads);
  if (!r) return undefined;
  return isFailure(r) ? 'failed' : r.queries.find((o) => o.query === query);
}

/** Compares every engine's last result with the reference's (DuckDB if it ran, else the first with a result). */
export function checkAnswers(records: readonly RunnerRecord[], ordered: (q: number) => boolean): AnswerCheck[] {
  const checks: AnswerCheck[] = [];
  const keys = new Set(records.flatMap((r) => (isFailure(r) ? [] : r.queries.map((o) => `${r.threads}:${o.query}`))));
  for (const key of keys) {
    const [threads, query] = key.split(':').map(Number) as [number, number];
    const results = records.flatMap((r) => {
      const o = isFailure(r) || r.threads !== threads ? undefined : r.queries.find((x) => x.query === query);
      return o?.result ? [{ engine: r.engine, result: o.result }] : [];
    });
    const ref = results.find((r) => r.engine === 'duckdb') ?? results[0];
    for (const r of results) {
      if (!ref || r === ref) continue;
      const diffs = compareResults(r.result, ref.result, { ordered: ordered(query), relTol: REL_TOL });
      checks.push({
        threads,
        query,
        engine: r.engine,
        reference: ref.engine,
        status: diffs.length ? 'mismatch' : 'match',
        diffs: diffs.slice(0, 20),
      });
    }
  }
  return checks;
}

export function summarize(
  records: readonly RunnerRecord[],
  engines: readonly EngineName[],
  queries: readonly number[],
  threadsList: readonly number[],
): ThreadsSummary[] {
  const first = engines.includes('stratus') ? 'stratus' : engines[0];
  const others = engines.filter((e) => e !== first);
  return threadsList.map((threads) => {
    const rows = queries.map((query): QueryRow => {
      const medianMs: Partial<Record<EngineName, number>> = {};
      const status: Partial<Record<EngineName, string>> = {};
      for (const e of engines) {
        const o = outcome(records, e, threads, query);
        status[e] = o === undefined ? 'missing' : typeof o === 'string' ? o : o.status;
        const m = typeof o === 'object' && o.status === 'ok' ? median(o.runsMs) : undefined;
        if (m !== undefined) medianMs[e] = m;
      }
      const ratios: Record<string, number | undefined> = {};
      for (const o of others) {
        const a = first ? medianMs[first] : undefined;
        const b = medianMs[o];
        ratios[`${first}/${o}`] = a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
      }
      const st = outcome(records, 'stratus', threads, query);
      const peak = typeof st === 'object' ? st.helperPeakRssMB : undefined;
      return { query, medianMs, status, ratios, ...(peak !== undefined ? { executorPeakMB: peak } : {}) };
    });
    const geomeans: Record<string, number | undefined> = {};
    for (const o of others) {
      const name = `${first}/${o}`;
      geomeans[name] = geomean(rows.flatMap((r) => (r.ratios[name] !== undefined ? [r.ratios[name]!] : [])));
    }
    return { threads, rows, geomeans };
  });
}

const ms = (x: number | undefined) => (x === undefined ? '' : x < 100 ? x.toFixed(1) : x.toFixed(0));
const mb = (x: number | undefined) => (x === undefined ? '' : x.toFixed(0));
const ratio = (x: number | undefined) => (x === undefined ? 'n/a' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)}x`);

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

/** The printed report: one table per threads setting, geo means, peak RSS, checks and notes. */
export function formatReport(
  summaries: readonly ThreadsSummary[],
  checks: readonly AnswerCheck[],
  records: readonly RunnerRecord[],
  engines: readonly EngineName[],
): string {
  const out: string[] = [];
  for (const s of summaries) {
    const ratioNames = Object.keys(s.geomeans);
    const peaks = s.rows.some((r) => r.executorPeakMB !== undefined);
    const body = s.rows.map((r) => {
      const mine = checks.filter((c) => c.threads === s.threads && c.query === r.query);
      const bad = mine.filter((c) => c.status === 'mismatch').map((c) => c.engine);
      const cells = engines.map((e) =>
        r.medianMs[e] !== undefined ? ms(r.medianMs[e]) : r.status[e] === 'ok' ? '' : r.status[e]!.toUpperCase(),
      );
      return [
        `Q${r.query}`,
        ...cells,
        ...ratioNames.map((n) => ratio(r.ratios[n])),
        ...(peaks ? [mb(r.executorPeakMB)] : []),
        bad.length ? `MISMATCH: ${bad.join(', ')}` : mine.length ? 'ok' : 'unchecked',
      ];
    });
    const maxPeak = Math.max(...s.rows.map((r) => r.executorPeakMB ?? 0));
    body.push([
      'geo mean',
      ...engines.map(() => ''),
      ...ratioNames.map((n) => ratio(s.geomeans[n])),
      ...(peaks ? [`max ${mb(maxPeak)}`] : []),
      '',
    ]);
    out.push(`\nthreads = ${s.threads} (median ms)`);
    const peakHeader = peaks ? ['executor peak MB'] : [];
    out.push(table(['query', ...engines.map((e) => `${e} ms`), ...ratioNames, ...peakHeader, 'answers'], body));
    out.push(`peak RSS: ${engines.map((e) => rssText(records, e, s.threads)).join('; ')}`);
    out.push(...notesFor(records.filter((r) => r.threads === s.threads)));
  }
  for (const c of checks.filter((x) => x.status === 'mismatch')) {
    out.push(
      `\n*** MISMATCH *** Q${c.query} threads=${c.threads}: ${c.engine} vs ${c.reference}\n  ${c.diffs.slice(0, 8).join('\n  ')}`,
    );
  }
  return out.join('\n');
}

/** Failures, runner notes (e.g. Stratus' missing breakdown) and engine-reported breakdowns, verbatim. */
function notesFor(records: readonly RunnerRecord[]): string[] {
  return records.flatMap((r) => {
    if (isFailure(r)) return [`${r.engine} FAILED: ${r.failure}`];
    const errors = r.queries
      .filter((o) => o.status === 'error')
      .map((o) => `${r.engine} Q${o.query} ERROR: ${o.error}`);
    return [...errors, ...breakdownTable(r.engine, r.queries), ...r.notes.map((n) => `${r.engine} ${n}`)];
  });
}

function rssText(records: readonly RunnerRecord[], engine: EngineName, threads: number): string {
  const r = records.find((x) => x.engine === engine && x.threads === threads);
  if (!r || isFailure(r)) return `${engine} n/a`;
  const helpers = r.helperPeakRssMB?.length
    ? ` (+ executors ${r.helperPeakRssMB.map((m) => m.toFixed(0)).join(', ')} MB)`
    : '';
  return `${engine} ${r.peakRssMB.toFixed(0)} MB${helpers}`;
}

/** The shape of Stratus' `session.lastJobSummary`, checked at run time (older builds have none). */
interface JobSummaryLike {
  wallMillis: number;
  rounds: number;
  stages: {
    id: number;
    tasks: number;
    wallMillis: number;
    taskMillis: number;
    maxTaskMillis?: number;
    executorMillis?: Record<string, number>;
    phases: Record<string, number>;
    stats: Record<string, number>;
  }[];
}

function isJobSummary(b: unknown): b is JobSummaryLike {
  const j = b as Partial<JobSummaryLike> | null;
  return typeof j === 'object' && j !== null && typeof j.wallMillis === 'number' && Array.isArray(j.stages);
}

/**
 * One line per query from the engine's job summary of its last run: figures as reported, summed
 * over stages, plus 'outside job' = the timed collect − the job's wall time (analysis,
 * submission, reading the result). Phases may overlap, so they need not add up to task ms.
 */
function breakdownTable(engine: string, queries: readonly QueryOutcome[]): string[] {
  const withSummary = queries.filter((o) => o.breakdown !== undefined);
  if (!withSummary.length) return [];
  const phases = ['decode', 'shuffleRead', 'shuffleWrite', 'write'];
  const body = withSummary.map((o) => {
    const b = o.breakdown;
    if (!isJobSummary(b)) return [`Q${o.query}`, JSON.stringify(b).slice(0, 200)];
    const sum = (f: (st: JobSummaryLike['stages'][number]) => number) => b.stages.reduce((a, st) => a + f(st), 0);
    const taskMs = sum((st) => st.taskMillis);
    const phaseMs = phases.map((p) => sum((st) => st.phases[p] ?? 0));
    const requests = sum((st) => ['get', 'put', 'list', 'head', 'delete'].reduce((a, k) => a + (st.stats[k] ?? 0), 0));
    const last = o.runsMs.at(-1);
    return [
      `Q${o.query}`,
      ms(last),
      ms(b.wallMillis),
      ms(last === undefined ? undefined : last - b.wallMillis),
      String(b.rounds),
      String(b.stages.length),
      ms(taskMs),
      ms(sum((st) => st.stats.cpuMillis ?? 0) || undefined),
      ...phaseMs.map(ms),
      String(requests),
      (sum((st) => st.stats.bytesIn ?? 0) / 1e6).toFixed(1),
    ];
  });
  const header = [
    'query',
    'collect ms',
    'job wall',
    'outside job',
    'rounds',
    'stages',
    'task ms',
    'executor CPU ms',
    ...phases,
    'store reqs',
    'MB in',
  ];
  // Per stage: wall, the longest task, the critical path inside executors (the busiest
  // executor's busy time, stageCriticalMillis), the mean executor's (their gap: imbalance),
  // decode / compute / shuffle summed over its tasks, and orchestration = stage wall − critical
  // path (rounds, the driver, the state machine, process hops, store round trips).
  const stageHeader = [
    'query',
    'stage',
    'tasks',
    'wall',
    'longest task',
    'critical',
    'mean executor',
    'decode',
    'compute',
    'shuffle w+r',
    'orchestration',
  ];
  const stageRows: string[][] = [];
  for (const o of withSummary) {
    const b = o.breakdown;
    if (!isJobSummary(b)) continue;
    for (const st of b.stages) {
      const p = (k: string) => st.phases[k] ?? 0;
      const critical = stageCriticalMillis(st);
      const busy = Object.values(st.executorMillis ?? {});
      const orch = Math.max(0, st.wallMillis - critical);
      stageRows.push([
        `Q${o.query}`,
        String(st.id),
        String(st.tasks),
        ms(st.wallMillis),
        ms(st.maxTaskMillis),
        ms(critical),
        ms(busy.length ? busy.reduce((a, x) => a + x, 0) / busy.length : undefined),
        ms(p('decode')),
        ms(Math.max(0, st.taskMillis - p('decode') - p('shuffleRead') - p('shuffleWrite') - p('write'))),
        ms(p('shuffleRead') + p('shuffleWrite')),
        ms(orch),
      ]);
    }
  }
  const orchestration = orchestrationShare(queries);
  const share =
    orchestration !== undefined
      ? ` — orchestration ≈ ${(100 * orchestration).toFixed(1)}% of collect time (per query, the median over its runs of job wall − the stages' critical paths, plus outside the job)`
      : '';
  return [
    `${engine} breakdown of the last run (ms; task figures summed over tasks and stages, from session.lastJobSummary):`,
    table(header, body),
    `${engine} per stage (ms)${share}:`,
    table(stageHeader, stageRows),
  ];
}

/**
 * Time per scale factor, one row per query and threads: each engine's median at every SF and
 * its growth from the first SF to each later one (SF10/SF1 ≈ 10 means linear scaling).
 */
export function formatScaleTable(
  scales: readonly { sf: number | null; summaries: readonly ThreadsSummary[] }[],
  engines: readonly EngineName[],
): string {
  const label = (sf: number | null) => (sf === null ? 'data' : `SF${sf}`);
  const [base, ...later] = scales;
  if (!base) return '';
  const stratus = engines.includes('stratus');
  const header = [
    'query',
    'threads',
    ...engines.flatMap((e) => [
      ...scales.map((sc) => `${e} ${label(sc.sf)} ms`),
      ...later.map((sc) => `${e} ${label(sc.sf)}/${label(base.sf)}`),
    ]),
    ...(stratus ? scales.map((sc) => `executor peak MB ${label(sc.sf)}`) : []),
  ];
  const body: string[][] = [];
  for (const s of base.summaries)
    for (const r of s.rows) {
      const row = (sc: (typeof scales)[number]) =>
        sc.summaries.find((y) => y.threads === s.threads)?.rows.find((y) => y.query === r.query);
      const at = (sc: (typeof scales)[number], e: EngineName) => row(sc)?.medianMs[e];
      body.push([
        `Q${r.query}`,
        String(s.threads),
        ...engines.flatMap((e) => {
          const t0 = at(base, e);
          return [
            ...scales.map((sc) => ms(at(sc, e))),
            ...later.map((sc) => {
              const t = at(sc, e);
              return t0 !== undefined && t !== undefined && t0 > 0 ? ratio(t / t0) : 'n/a';
            }),
          ];
        }),
        ...(stratus ? scales.map((sc) => mb(row(sc)?.executorPeakMB)) : []),
      ]);
    }
  return `\ntime per scale factor (median ms) and growth\n${table(header, body)}`;
}
