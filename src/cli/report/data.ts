/**
 * What a job report shows, read from the job's record in the store: its submission, state
 * (stages, their metrics), result summary, staged plan, and the executors' task reports
 * (timeline.json, or the summaries of a job that has not succeeded). Derived here: a task
 * timeline by executor, stragglers, totals, and a cost estimate at Lambda list prices.
 */
import { explainStages } from '../../../planner/explain.js';
import type { StagePlan } from '../../../planner/stages.js';
import { readTimeline, type TimelineGroup } from '../../runtime/client.js';
import { jobKeys, type JobState, type JobSubmission, type ResultManifest } from '../../runtime/jobState.js';
import { getJson, type ObjectStore } from '../../storage/store.js';
import type { JobStatus } from '../jobs.js';

/** One task attempt on the timeline (ms from the job's start). */
export interface TaskBar {
  readonly stage: number;
  readonly task: number;
  readonly attempt: number;
  readonly lane: string;
  readonly executor: string;
  readonly start: number;
  readonly end: number;
  readonly millis: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly straggler: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly requests: number;
}

export interface StageRow {
  readonly id: number;
  readonly status: string;
  readonly tasks: number;
  readonly attempts: number;
  readonly wallMillis: number;
  readonly taskMillis: number;
  readonly maxTaskMillis: number;
  readonly medianTaskMillis: number;
  readonly phases: Record<string, number>;
  readonly stats: Record<string, number>;
  readonly retries: number;
}

/** Lambda and S3 list prices used for the estimate (us-east-1, arm64). */
export const PRICES = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  s3Write: 0.005 / 1000,
  s3Read: 0.0004 / 1000,
  stateTransition: 0.025 / 1000,
  executorGb: 10,
  driverGb: 2,
} as const;

export interface CostEstimate {
  readonly executorGbSeconds: number;
  readonly invocations: number;
  readonly s3Writes: number;
  readonly s3Reads: number;
  readonly transitions: number;
  readonly dollars: {
    readonly lambda: number;
    readonly s3: number;
    readonly stepFunctions: number;
    readonly total: number;
  };
}

export interface ReportData {
  readonly status: JobStatus;
  readonly submittedAt?: string;
  readonly wallMillis?: number;
  readonly plan?: string;
  readonly stages: readonly StageRow[];
  readonly bars: readonly TaskBar[];
  readonly totals: Record<string, number>;
  readonly cost: CostEstimate;
  readonly options: Record<string, unknown>;
}

const median = (xs: readonly number[]): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A task is a straggler when it took more than twice its stage's median and at least 0.5 s longer. */
export function isStraggler(millis: number, stageMedian: number): boolean {
  return millis > 2 * stageMedian && millis - stageMedian >= 500;
}

async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  return (await store.head(key)) ? getJson<T>(store, key).catch(() => undefined) : undefined;
}

/**
 * The task attempts of a job's timeline as bars, in ms from the job's start (`jobStartedAt`, else
 * the first task's start), each lane one executor invocation; attempts handed back unrun are left out.
 */
export function taskBars(timeline: readonly TimelineGroup[], jobStartedAt?: number): TaskBar[] {
  const reports = timeline.flatMap((g) => g.reports.map((r) => ({ ...r, round: g.round, group: g.group })));
  const t0 = Math.min(jobStartedAt ?? Number.POSITIVE_INFINITY, ...reports.map((r) => r.startedAt ?? Infinity));
  const medians = new Map<number, number>();
  for (const id of new Set(reports.map((r) => r.stage)))
    medians.set(id, median(reports.filter((r) => r.stage === id && r.ok).map((r) => r.millis)));
  return reports
    .filter((r) => r.startedAt !== undefined && r.error?.code !== 'HANDED_BACK')
    .map((r) => {
      const start = r.startedAt! - t0;
      const st = r.stats ?? {};
      return {
        stage: r.stage,
        task: r.task,
        attempt: r.attempt,
        executor: r.executor ?? '?',
        lane: `${r.executor ?? '?'} · round ${r.round} group ${r.group}`,
        start,
        end: start + r.millis,
        millis: r.millis,
        ok: r.ok,
        ...(r.error ? { error: `${r.error.code}: ${r.error.message}` } : {}),
        straggler: r.ok && isStraggler(r.millis, medians.get(r.stage) ?? 0),
        bytesIn: st.bytesIn ?? 0,
        bytesOut: st.bytesOut ?? 0,
        requests: (st.get ?? 0) + (st.put ?? 0) + (st.list ?? 0) + (st.head ?? 0) + (st.delete ?? 0),
      };
    });
}

export async function reportData(store: ObjectStore, status: JobStatus): Promise<ReportData> {
  const keys = jobKeys(status.jobId);
  const [sub, state, result, stagePlan, timeline] = await Promise.all([
    readJson<JobSubmission>(store, keys.job),
    readJson<JobState>(store, keys.state),
    readJson<ResultManifest>(store, keys.result),
    readJson<StagePlan>(store, keys.stages),
    readTimeline(store, status.jobId),
  ]);
  const bars = taskBars(timeline, state?.startedAt);
  const summary = result?.summary;
  const stages: StageRow[] = (state?.stages ?? []).map((s) => {
    const m = s.metrics;
    return {
      id: s.id,
      status: s.status,
      tasks: s.tasks.length,
      attempts: m?.attempts ?? 0,
      wallMillis: s.startedAt && s.finishedAt ? s.finishedAt - s.startedAt : 0,
      taskMillis: m?.taskMillis ?? 0,
      maxTaskMillis: m?.maxTaskMillis ?? 0,
      medianTaskMillis: median(bars.filter((b) => b.stage === s.id && b.ok).map((b) => b.millis)),
      phases: m?.phases ?? {},
      stats: m?.stats ?? {},
      retries: s.tasks.reduce((a, t) => a + t.failures + (t.recomputes ?? 0), 0),
    };
  });
  const totals: Record<string, number> = {};
  for (const s of stages) for (const [k, v] of Object.entries(s.stats)) totals[k] = (totals[k] ?? 0) + v;
  return {
    status,
    ...(sub ? { submittedAt: sub.submittedAt } : {}),
    ...(summary ? { wallMillis: summary.wallMillis } : {}),
    ...(stagePlan ? { plan: explainStages(stagePlan) } : {}),
    stages,
    bars,
    totals,
    cost: costEstimate(timeline.length, bars, totals, state),
    options: (sub?.options ?? {}) as Record<string, unknown>,
  };
}

/** Executor GB-seconds (each invocation billed for the span of its tasks), S3 requests and state transitions. */
function costEstimate(
  invocations: number,
  bars: readonly TaskBar[],
  totals: Record<string, number>,
  state: JobState | undefined,
): CostEstimate {
  const spans = new Map<string, { start: number; end: number }>();
  for (const b of bars) {
    const s = spans.get(b.lane) ?? { start: b.start, end: b.end };
    spans.set(b.lane, { start: Math.min(s.start, b.start), end: Math.max(s.end, b.end) });
  }
  const seconds = [...spans.values()].reduce((a, s) => a + (s.end - s.start) / 1000, 0);
  const executorGbSeconds = seconds * PRICES.executorGb;
  const s3Writes = (totals.put ?? 0) + (totals.list ?? 0);
  const s3Reads = (totals.get ?? 0) + (totals.head ?? 0);
  const transitions = state?.history?.events ?? 0;
  const lambda = executorGbSeconds * PRICES.lambdaGbSecond + invocations * PRICES.lambdaRequest;
  const s3 = s3Writes * PRICES.s3Write + s3Reads * PRICES.s3Read;
  const stepFunctions = transitions * PRICES.stateTransition;
  return {
    executorGbSeconds,
    invocations,
    s3Writes,
    s3Reads,
    transitions,
    dollars: { lambda, s3, stepFunctions, total: lambda + s3 + stepFunctions },
  };
}
