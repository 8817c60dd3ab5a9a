/**
 * The benchmark's headline (issue 12): per scale factor and thread count the geometric means of
 * Stratus/DuckDB and Stratus/Polars over the six classic queries (1 3 5 6 12 18) and over all 22,
 * Stratus's own 1→2 thread speed-up, the orchestration share of its time, SF growth per engine
 * when two scale factors ran, and the targets with the measured value and met / missed
 * (or "not measured" when the run lacks what a target needs). Pure functions over summaries.
 */
import { stageCriticalMillis } from '../src/runtime/jobState.js';
import type { EngineName, QueryOutcome } from './peers/protocol.js';
import { isFailure, type RunnerRecord } from './peers/spawn.js';
import type { ThreadsSummary } from './report.js';

export const SIX = [1, 3, 5, 6, 12, 18] as const;
export const ALL22 = Array.from({ length: 22 }, (_, i) => i + 1);

/** One scale factor's results: `sf` null when the data came from --data without an SF. */
export interface ScaleResult {
  readonly sf: number | null;
  readonly summaries: readonly ThreadsSummary[];
  readonly records: readonly RunnerRecord[];
}

export interface Figure {
  readonly value: number | undefined;
  /** How many queries the figure covers (a geo mean over fewer than asked says so). */
  readonly of: number;
  readonly wanted: number;
}

export interface Target {
  readonly name: string;
  readonly limit: string;
  readonly measured: string;
  readonly status: 'met' | 'missed' | 'not measured';
}

export interface Headline {
  readonly lines: readonly string[];
  readonly targets: readonly Target[];
  /** Figures by name (`sf1 t1 six stratus/duckdb`…), for the JSON. */
  readonly figures: Readonly<Record<string, Figure>>;
}

export function geomean(xs: readonly number[]): number | undefined {
  return xs.length === 0 ? undefined : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/** The geo mean of a ratio over a query set, with how many of the queries had it. */
export function ratioGeomean(s: ThreadsSummary | undefined, ratio: string, queries: readonly number[]): Figure {
  const xs = (s?.rows ?? []).flatMap((r) =>
    queries.includes(r.query) && r.ratios[ratio] !== undefined ? [r.ratios[ratio]!] : [],
  );
  return { value: geomean(xs), of: xs.length, wanted: queries.length };
}

/** Stratus t1 median ÷ t2 median, geo mean over the queries that have both. */
export function speedup(scale: ScaleResult, engine: EngineName, queries: readonly number[]): Figure {
  const t1 = scale.summaries.find((s) => s.threads === 1);
  const t2 = scale.summaries.find((s) => s.threads === 2);
  const xs = queries.flatMap((q) => {
    const a = t1?.rows.find((r) => r.query === q)?.medianMs[engine];
    const b = t2?.rows.find((r) => r.query === q)?.medianMs[engine];
    return a !== undefined && b !== undefined && b > 0 ? [a / b] : [];
  });
  return { value: geomean(xs), of: xs.length, wanted: queries.length };
}

interface JobSummaryLike {
  wallMillis: number;
  stages: { wallMillis?: number; maxTaskMillis?: number; executorMillis?: Record<string, number> }[];
}

const isJobSummary = (b: unknown): b is JobSummaryLike =>
  typeof b === 'object' && b !== null && typeof (b as JobSummaryLike).wallMillis === 'number';

/** One run's orchestration (ms): its job's wall time minus its stages' critical paths, plus the time outside the job. */
function runOrchestration(b: JobSummaryLike, runMs: number): number {
  const critical = b.stages.reduce((a, st) => a + stageCriticalMillis(st), 0);
  return Math.max(0, b.wallMillis - critical) + Math.max(0, runMs - b.wallMillis);
}

/**
 * Orchestration share of Stratus's collect time over a run's queries. A run's orchestration is
 * its job's wall time minus its stages' critical paths (`stageCriticalMillis`: the busiest
 * executor's busy time, so tasks an executor runs one after another count as work, not as
 * orchestration), plus the time outside the job (analysis, submission, reading the result).
 * What remains is rounds, the driver, the state machine, process hops, store round trips and
 * executors left idle while another finishes its share.
 *
 * Per query, the median over its timed runs (`runBreakdowns`), beside the median of its run
 * times — as the bench's times are medians, so one stalled run among five (a page-cache flush,
 * another process) moves neither; the share is their sums over the queries. A query recorded
 * without per-run figures (an older JSON) counts its last run, from `breakdown`.
 */
export function orchestrationShare(queries: readonly QueryOutcome[]): number | undefined {
  let orchestration = 0;
  let total = 0;
  for (const o of queries) {
    const perRun = o.runBreakdowns;
    if (perRun?.length && perRun.length === o.runsMs.length && perRun.every(isJobSummary)) {
      orchestration += median(perRun.map((b, i) => runOrchestration(b, o.runsMs[i]!)))!;
      total += median(o.runsMs)!;
      continue;
    }
    const last = o.runsMs.at(-1);
    if (!isJobSummary(o.breakdown) || last === undefined) continue;
    orchestration += runOrchestration(o.breakdown, last);
    total += last;
  }
  return total > 0 ? orchestration / total : undefined;
}

const x = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(2)}x`);
const of = (f: Figure) => (f.of < f.wanted ? ` (${f.of} of ${f.wanted} queries)` : '');
const sfName = (sf: number | null) => (sf === null ? 'data' : `SF${sf}`);

function target(name: string, limit: string, value: number | undefined, ok: boolean, measured: string): Target {
  return {
    name,
    limit,
    measured: value === undefined ? 'n/a' : measured,
    status: value === undefined ? 'not measured' : ok ? 'met' : 'missed',
  };
}

/** Per-query time growth from one scale to another, per engine (same threads). */
export function growth(
  from: ScaleResult,
  to: ScaleResult,
  engine: EngineName,
  threads: number,
): { query: number; ratio: number }[] {
  const a = from.summaries.find((s) => s.threads === threads);
  const b = to.summaries.find((s) => s.threads === threads);
  return (a?.rows ?? []).flatMap((r) => {
    const t0 = r.medianMs[engine];
    const t1 = b?.rows.find((y) => y.query === r.query)?.medianMs[engine];
    return t0 !== undefined && t1 !== undefined && t0 > 0 ? [{ query: r.query, ratio: t1 / t0 }] : [];
  });
}

/** Executors' peak RSS (MB, the largest of any executor) of Stratus runs at a scale. */
function executorPeakMB(scale: ScaleResult | undefined): number | undefined {
  const xs = (scale?.records ?? []).flatMap((r) =>
    !isFailure(r) && r.engine === 'stratus' ? (r.helperPeakRssMB ?? []) : [],
  );
  return xs.length ? Math.max(...xs) : undefined;
}

/** The printed summary and the targets of issue 12, from every scale that ran. */
export function headline(scales: readonly ScaleResult[], engines: readonly EngineName[]): Headline {
  const lines: string[] = [];
  const figures: Record<string, Figure> = {};
  const peers = engines.filter((e) => e !== 'stratus');
  const hasStratus = engines.includes('stratus');
  for (const scale of scales) {
    for (const s of scale.summaries) {
      for (const peer of hasStratus ? peers : []) {
        const r = `stratus/${peer}`;
        const six = ratioGeomean(s, r, SIX);
        const all = ratioGeomean(s, r, ALL22);
        figures[`${sfName(scale.sf)} t${s.threads} six ${r}`] = six;
        figures[`${sfName(scale.sf)} t${s.threads} all22 ${r}`] = all;
        lines.push(
          `${sfName(scale.sf)} threads=${s.threads} ${r}: six-query geo mean ${x(six.value)}${of(six)}, 22-query geo mean ${x(all.value)}${of(all)}`,
        );
      }
    }
    if (hasStratus) {
      const six = speedup(scale, 'stratus', SIX);
      const all = speedup(scale, 'stratus', ALL22);
      figures[`${sfName(scale.sf)} stratus speedup six`] = six;
      figures[`${sfName(scale.sf)} stratus speedup all22`] = all;
      if (six.value !== undefined || all.value !== undefined)
        lines.push(
          `${sfName(scale.sf)} Stratus 1→2 threads speed-up: six-query ${x(six.value)}${of(six)}, 22-query ${x(all.value)}${of(all)}`,
        );
      for (const rec of scale.records.filter((r) => r.engine === 'stratus')) {
        const share = isFailure(rec) ? undefined : orchestrationShare(rec.queries);
        if (share !== undefined)
          lines.push(
            `${sfName(scale.sf)} threads=${rec.threads} Stratus orchestration: ${(100 * share).toFixed(1)}% of collect time`,
          );
      }
    }
  }
  for (let i = 1; i < scales.length; i++) {
    const [a, b] = [scales[0]!, scales[i]!];
    for (const threads of a.summaries.map((s) => s.threads))
      for (const e of engines) {
        const g = growth(a, b, e, threads);
        if (!g.length) continue;
        const worst = g.reduce((m, y) => (y.ratio > m.ratio ? y : m));
        lines.push(
          `${sfName(b.sf)}/${sfName(a.sf)} threads=${threads} ${e}: geo mean growth ${x(geomean(g.map((y) => y.ratio)))}, largest Q${worst.query} ${x(worst.ratio)}`,
        );
      }
  }
  return { lines, targets: hasStratus ? targets(scales, peers) : [], figures };
}

function targets(scales: readonly ScaleResult[], peers: readonly EngineName[]): Target[] {
  const sf1 = scales.find((s) => s.sf === 1) ?? (scales.length === 1 ? scales[0] : undefined);
  const sf10 = scales.find((s) => s.sf === 10);
  const at = (threads: number) => sf1?.summaries.find((s) => s.threads === threads);
  const out: Target[] = [];
  for (const threads of [1, 2])
    if (peers.includes('duckdb')) {
      const f = ratioGeomean(at(threads), 'stratus/duckdb', SIX);
      out.push(
        target(
          `six queries SF1, ${threads} thread(s): Stratus/DuckDB geo mean`,
          '≤ 2.5',
          f.value,
          (f.value ?? 0) <= 2.5,
          `${x(f.value)}${of(f)}`,
        ),
      );
    }
  for (const threads of [1, 2])
    if (peers.includes('polars')) {
      const f = ratioGeomean(at(threads), 'stratus/polars', SIX);
      out.push(
        target(
          `six queries SF1, ${threads} thread(s): Stratus/Polars geo mean`,
          '≤ 1.5',
          f.value,
          (f.value ?? 0) <= 1.5,
          `${x(f.value)}${of(f)}`,
        ),
      );
    }
  if (peers.includes('duckdb')) {
    const f = ratioGeomean(at(1), 'stratus/duckdb', ALL22);
    const full = f.of === 22 ? f.value : undefined;
    out.push(
      target('all 22 SF1, 1 thread: Stratus/DuckDB geo mean', '≤ 3.0', full, (full ?? 0) <= 3, `${x(f.value)}${of(f)}`),
    );
    const rows = (at(1)?.rows ?? []).filter((r) => r.ratios['stratus/duckdb'] !== undefined);
    const worst =
      rows.length === 22
        ? rows.reduce((m, r) => (r.ratios['stratus/duckdb']! > m.ratios['stratus/duckdb']! ? r : m))
        : undefined;
    const w = worst?.ratios['stratus/duckdb'];
    out.push(
      target('all 22 SF1, 1 thread: worst query Stratus/DuckDB', '≤ 6', w, (w ?? 0) <= 6, `Q${worst?.query} ${x(w)}`),
    );
  }
  const sp = sf1 ? speedup(sf1, 'stratus', SIX) : undefined;
  out.push(
    target(
      'Stratus 1→2 threads speed-up, six-query geo mean',
      '≥ 1.7',
      sp?.value,
      (sp?.value ?? 0) >= 1.7,
      `${x(sp?.value)}${sp ? of(sp) : ''}`,
    ),
  );
  const g = sf1 && sf10 ? growth(sf1, sf10, 'stratus', 1) : [];
  const worstGrowth = g.length ? g.reduce((m, y) => (y.ratio > m.ratio ? y : m)) : undefined;
  out.push(
    target(
      'SF10/SF1 time, every query (Stratus, 1 thread)',
      '≤ 11×',
      worstGrowth?.ratio,
      (worstGrowth?.ratio ?? 0) <= 11,
      `largest Q${worstGrowth?.query} ${x(worstGrowth?.ratio)}`,
    ),
  );
  const rss = executorPeakMB(sf10);
  out.push(
    target('executor peak RSS at SF10', '≤ 1.5 GB', rss, (rss ?? 0) <= 1536, `${((rss ?? 0) / 1024).toFixed(2)} GB`),
  );
  const shares = (sf1?.records ?? [])
    .filter((r) => r.engine === 'stratus')
    .map((r) => (isFailure(r) ? undefined : orchestrationShare(r.queries)));
  const share = shares.some((v) => v === undefined) || !shares.length ? undefined : Math.max(...(shares as number[]));
  out.push(
    target(
      'orchestration share of Stratus time (worst thread count)',
      '≤ 10%',
      share,
      (share ?? 0) <= 0.1,
      `${(100 * (share ?? 0)).toFixed(1)}%`,
    ),
  );
  return out;
}

/** The printed block: the summary lines, then one line per target. */
export function formatHeadline(h: Headline): string {
  const out = ['\nsummary', ...h.lines.map((l) => `  ${l}`)];
  if (h.targets.length) {
    out.push('targets (issue 12)');
    const w = Math.max(...h.targets.map((t) => t.name.length));
    for (const t of h.targets)
      out.push(`  ${t.name.padEnd(w)}  ${t.limit.padEnd(8)} measured ${t.measured.padEnd(24)} ${t.status}`);
  }
  return out.join('\n');
}
