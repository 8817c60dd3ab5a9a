/**
 * The scheduler of one batch job: folds the executors' reports into task states, completes
 * stages, starts the ready ones, sizes and groups their pending tasks into a round of
 * executors (inline or Distributed Map), and commits the job when its result stage is done.
 */
import { fromErrorData, toErrorData, type ErrorData } from '../../planner/errors.js';
import { deferredStages, inputPartitions, stageAsRun, stageDeps, type StagePlan } from '../../planner/stages.js';
import { pickBoundaries } from '../../operators/rangepart.js';
import { getJson, putJson, type ObjectLocation, type ObjectStore } from '../storage/store.js';
import { removeScratch } from './client.js';
import { releasePins } from './pins.js';
import { abortWrite, commitWrite, settleOwnCommit, SimulatedCrash } from './commit.js';
import type { RuntimeEnv } from './env.js';
import { fitsInHistory, HISTORY_EVENT_CAP } from './history.js';
import {
  historyOf,
  jobKeys,
  mayHoldPins,
  type JobState,
  type JobSubmission,
  type JobSummary,
  type ResultManifest,
  type StageCommit,
  type StageMetrics,
  type StageState,
  type TaskState,
  unionMillis,
} from './jobState.js';
import { newTask, reduceTasks } from './planJob.js';
import { LOST_MAP_OUTPUT, type LostMapOutput } from './shuffleRead.js';
import { mapLimit } from '../util/limit.js';
import { classifyError } from '../util/retry.js';
import { jobProgress } from './progress.js';
import {
  type DriverEvent,
  type DriverOutput,
  failOutput,
  type GroupManifest,
  type GroupRef,
  type GroupSummary,
  type Progress,
  type TaskOutput,
  type TaskReport,
  type TaskSpec,
} from './protocol.js';
import { executorCap, INLINE_MAP_LIMIT, sizeStage } from './sizing.js';

const DEFAULT_MAX_ATTEMPTS = 3;
/** Summaries the driver reads at once. */
const READ_CONCURRENCY = 16;
/** Commit records and manifests the driver writes at once. */
const WRITE_CONCURRENCY = 16;

/**
 * Split tasks into groups of near-equal work: largest first, each to the least-loaded group
 * (by input bytes for scans; reduce partitions count as equal).
 */
function balance(tasks: readonly TaskState[], groups: number): TaskState[][] {
  const out: TaskState[][] = Array.from({ length: groups }, () => []);
  const load = new Float64Array(groups);
  const weight = (t: TaskState) => (t.input.kind === 'scan' ? t.input.bytes : 1);
  for (const t of [...tasks].sort((a, b) => weight(b) - weight(a) || a.task - b.task)) {
    let g = 0;
    for (let k = 1; k < groups; k++) if (load[k]! < load[g]!) g = k;
    out[g]!.push(t);
    load[g]! += weight(t);
  }
  return out.filter((m) => m.length > 0);
}

/** A stage's accounting, started on first use. */
function stageMetrics(s: StageState): StageMetrics {
  s.metrics ??= { attempts: 0, taskMillis: 0, phases: {}, stats: {} };
  return s.metrics;
}

export class Scheduler {
  readonly keys;
  constructor(
    readonly state: JobState,
    readonly plan: StagePlan,
    readonly sub: JobSubmission,
    readonly store: ObjectStore,
    readonly event: DriverEvent,
    readonly env: RuntimeEnv,
  ) {
    this.keys = jobKeys(state.jobId);
  }

  /** Fold executor reports into task states; returns a fatal error if the job must fail. */
  async applyResults(): Promise<ErrorData | undefined> {
    const maxAttempts = this.sub.options.maxTaskAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let fatal: ErrorData | undefined;
    const results = this.event.results.filter((r) => r.group.round === this.state.round);
    // Each group's summary (a crashed invocation's: its manifest) read side by side — one store
    // round trip for the round, not one per group — then applied in the groups' order.
    const read = await mapLimit(
      results,
      READ_CONCURRENCY,
      (r): Promise<GroupSummary | GroupManifest> =>
        r.summary ? getJson<GroupSummary>(this.store, r.summary) : getJson<GroupManifest>(this.store, r.group.manifest),
    );
    for (const [i, r] of results.entries()) {
      if (!r.summary) {
        // The invocation crashed (after the state machine's retries): every task of the group
        // failed an attempt, so a group that keeps crashing fails the job instead of looping.
        const manifest = read[i] as GroupManifest;
        for (const spec of manifest.tasks) {
          const t = this.state.stages[spec.stage]?.tasks[spec.task];
          if (t?.status !== 'running' || t.attempt !== spec.attempt) continue;
          t.failures++;
          t.status = 'pending';
          t.lastError = {
            category: 'execution',
            code: 'EXECUTOR_CRASHED',
            message: `executor invocation crashed: ${r.error ?? 'error'}: ${r.cause ?? ''}`.trim(),
          };
          if (t.failures >= maxAttempts)
            fatal ??= fromErrorData(t.lastError, {
              stage: spec.stage,
              task: spec.task,
              attempt: spec.attempt,
              failures: t.failures,
            }).toData();
        }
        continue;
      }
      const summary = read[i] as GroupSummary;
      const stage = summary.reports[0]?.stage;
      if (stage !== undefined && summary.stats) this.accountStats(stage, summary.stats);
      if (stage !== undefined) this.accountBusy(stage, summary.reports, summary.stats?.cpuMillis);
      for (const rep of summary.reports) {
        this.account(rep);
        const t = this.state.stages[rep.stage]?.tasks[rep.task];
        if (t?.status !== 'running' || t.attempt !== rep.attempt) continue;
        if (rep.ok && rep.output) {
          t.status = 'done';
          t.output = rep.output;
        } else if (rep.error && rep.error.code === 'HANDED_BACK') {
          t.status = 'pending';
        } else if (rep.error?.code === LOST_MAP_OUTPUT) {
          // The task read a map output that is gone or corrupt: no fault of its own. It waits
          // while the task that wrote the output runs again (lineage), then runs again itself.
          t.status = 'pending';
          fatal ??= this.recompute(rep.error, maxAttempts);
        } else {
          t.failures++;
          t.lastError = rep.error;
          t.status = 'pending';
          const err = rep.error ?? {
            category: 'internal' as const,
            code: 'TASK_FAILED',
            message: 'task failed without an error',
          };
          // Only transient failures are retried: corrupt input and user-code errors fail at once.
          if (classifyError(err) === 'fatal' || t.failures >= maxAttempts) {
            fatal ??= fromErrorData(err, {
              stage: rep.stage,
              task: rep.task,
              attempt: rep.attempt,
              failures: t.failures,
            }).toData();
          }
        }
      }
    }
    this.state.appliedRound = this.state.round;
    for (const s of this.state.stages) for (const t of s.tasks) if (t.status === 'running') t.status = 'pending';
    return fatal;
  }

  /**
   * Lost map output: put the task that wrote it back to pending (its stage runs again and
   * rewrites its commit record; stages reading it wait), at most `maxAttempts` times per task.
   * A report about an output already replaced is stale and changes nothing.
   */
  recompute(err: ErrorData, maxAttempts: number): ErrorData | undefined {
    const lost = err.details as unknown as LostMapOutput;
    const s = this.state.stages[lost.mapStage];
    if (s?.status !== 'done' && s?.status !== 'running') return undefined;
    if (lost.mapTask === undefined) {
      // The commit record itself is gone: the job state still holds every output it named.
      if (s.status === 'done') this.lostCommits.add(s.id);
      return undefined;
    }
    const t = s.tasks[lost.mapTask];
    if (t?.status !== 'done' || t.output?.kind !== 'shuffle' || t.output.key !== lost.key) return undefined;
    t.recomputes = (t.recomputes ?? 0) + 1;
    if (t.recomputes > maxAttempts)
      return fromErrorData(err, { stage: s.id, task: t.task, recomputes: t.recomputes - 1 }).toData();
    t.status = 'pending';
    t.lastError = err;
    delete t.output;
    s.status = 'running';
    return undefined;
  }

  /** Stages whose commit record must be written again (it was lost). */
  readonly lostCommits = new Set<number>();

  /** Deferred stage → the adaptive join's small side it waits for. */
  private deferred?: Map<number, number>;

  /** Whether every stage a stage reads is done (its tasks may run); a deferred scan waits for the small side. */
  ready(s: StageState): boolean {
    this.deferred ??= deferredStages(this.plan);
    const small = this.deferred.get(s.id);
    if (small !== undefined && this.state.stages[small]!.status !== 'done') return false;
    const stage = stageAsRun(this.plan.stages[s.id]!, s.adaptive);
    return stageDeps(stage).every((d) => this.state.stages[d]!.status === 'done');
  }

  /**
   * Adaptive joins (physical rule adaptive_broadcast): once the small side's stage is done and
   * its shuffle output is at most the stage's `maxBytes`, the stage runs its broadcast form
   * over the deferred scan's tasks and the deferred stage is never run. Otherwise the deferred
   * stage starts as planned (`ready` lets it go now).
   */
  adapt(): void {
    const written = (st: StageState) =>
      st.tasks.reduce((x, t) => x + (t.output?.kind === 'shuffle' ? t.output.size : 0), 0);
    const skip = (st: StageState) => {
      st.skipped = true;
      st.tasks = [];
      st.status = 'done';
      st.startedAt = st.finishedAt = Date.now();
    };
    for (const plan of this.plan.stages) {
      const a = plan.adaptive;
      const s = this.state.stages[plan.id]!;
      if (!a || s.status !== 'waiting' || s.adaptive) continue;
      if (a.kind === 'sort') {
        // Adaptive sort: once the sort's input is known small, one task sorts all of it.
        const inputs = a.inputStages.map((id) => this.state.stages[id]!);
        const skipped = a.skipped.map((id) => this.state.stages[id]!);
        if (skipped.some((st) => st.status !== 'waiting') || inputs.some((st) => st.status !== 'done')) continue;
        if (inputs.reduce((x, st) => x + written(st), 0) > a.maxBytes) continue;
        const partitions = inputPartitions(this.plan, stageAsRun(plan, true));
        s.adaptive = true;
        s.tasks = [newTask(0, { kind: 'shuffle', partition: 0, partitions })];
        s.status = 'running';
        for (const st of skipped) skip(st);
        continue;
      }
      const small = this.state.stages[a.smallStage]!;
      const deferred = this.state.stages[a.deferredStage]!;
      if (small.status !== 'done' || deferred.status !== 'waiting') continue;
      // A skipped stage wrote nothing: no evidence of a small side.
      if (written(small) > a.maxBytes || small.skipped) continue;
      s.adaptive = true;
      s.status = 'running';
      // A stage deferred on itself (adaptive_semi_join_reduction) keeps its tasks, reduced.
      if (deferred === s) continue;
      s.tasks = deferred.tasks.map((t) => newTask(t.task, t.input));
      skip(deferred);
    }
  }

  /** Add a task report's figures to its stage's accounting. */
  account(rep: TaskReport): void {
    const s = this.state.stages[rep.stage];
    if (!s) return;
    const m = stageMetrics(s);
    m.attempts++;
    m.taskMillis += rep.millis;
    m.maxTaskMillis = Math.max(m.maxTaskMillis ?? 0, rep.millis);
    for (const [k, v] of Object.entries(rep.phases ?? {})) m.phases[k] = (m.phases[k] ?? 0) + v;
    for (const [k, v] of Object.entries(rep.stats ?? {})) m.stats[k] = (m.stats[k] ?? 0) + v;
  }

  /**
   * Add an invocation's busy time to its executor's account in the stage: the union of its task
   * attempts' run intervals (a group's tasks share one stage and one executor instance), and its
   * CPU (the invocation's process CPU, `cpuMillis` of its stats).
   */
  accountBusy(stage: number, reports: readonly TaskReport[], cpuMillis?: number): void {
    const s = this.state.stages[stage];
    const ran = reports.filter((r) => r.startedAt !== undefined && r.executor !== undefined);
    if (!s || !ran.length) return;
    const m = stageMetrics(s);
    const executor = ran[0]!.executor!;
    const busy = unionMillis(ran.map((r) => [r.startedAt!, r.startedAt! + r.millis] as const));
    m.executorMillis = { ...m.executorMillis, [executor]: (m.executorMillis?.[executor] ?? 0) + busy };
    if (cpuMillis !== undefined)
      m.executorCpuMillis = { ...m.executorCpuMillis, [executor]: (m.executorCpuMillis?.[executor] ?? 0) + cpuMillis };
  }

  /** Add an invocation's store requests to its stage (a group's tasks share one stage). */
  accountStats(stage: number, stats: Record<string, number>): void {
    const s = this.state.stages[stage];
    if (!s) return;
    const m = stageMetrics(s);
    for (const [k, v] of Object.entries(stats)) m.stats[k] = (m.stats[k] ?? 0) + v;
  }

  summary(): JobSummary {
    return {
      jobId: this.state.jobId,
      wallMillis: Date.now() - this.state.startedAt,
      rounds: this.state.round,
      prunedRowGroups: this.state.prunedRowGroups ?? 0,
      stages: this.state.stages.map((s) => ({
        id: s.id,
        tasks: s.tasks.length,
        rowGroups: s.tasks.reduce(
          (a, t) => a + (t.input.kind === 'scan' ? t.input.parts.reduce((x, p) => x + p.rowGroups.length, 0) : 0),
          0,
        ),
        wallMillis: (s.finishedAt ?? Date.now()) - (s.startedAt ?? this.state.startedAt),
        ...(s.adaptive ? { adaptive: true } : {}),
        ...(s.skipped ? { skipped: true } : {}),
        ...(s.metrics ?? { attempts: 0, taskMillis: 0, phases: {}, stats: {} }),
      })),
    };
  }

  async fail(err: ErrorData): Promise<DriverOutput> {
    this.state.status = 'failed';
    this.state.error = err;
    if (mayHoldPins(this.state))
      await releasePins(this.env, this.event.job.store, this.state.jobId).catch(() => undefined);
    const sink = this.sub.plan.sink;
    if (sink.kind === 'write')
      await abortWrite(sink, this.state.jobId, this.env, this.event.job.store).catch(() => undefined);
    return failOutput(this.event, err);
  }

  /**
   * Complete finished stages, start ready ones, schedule pending tasks or commit the job. The
   * step's store writes (finished stages' commit records, the round's manifests) are
   * independent of one another: they go out side by side, one round trip for the step on S3,
   * and all have landed before the answer (and the state) is saved.
   */
  async advance(): Promise<DriverOutput> {
    const commits: StageCommit[] = [];
    for (const s of this.state.stages) {
      const finished = s.status === 'running' && s.tasks.every((t) => t.status === 'done');
      if (finished || (s.status === 'done' && this.lostCommits.has(s.id))) {
        // Only a shuffle's outputs are read through a commit record (shuffleRead.ts); a result
        // or write stage's outputs are committed by the job commit, from the state.
        if (this.plan.stages[s.id]!.output.kind === 'shuffle')
          commits.push({ stage: s.id, outputs: s.tasks.map((t) => t.output!) });
        s.status = 'done';
        s.finishedAt = Date.now();
      }
    }
    const committed = mapLimit(commits, WRITE_CONCURRENCY, (c) => putJson(this.store, this.keys.commit(c.stage), c));
    committed.catch(() => undefined); // awaited below, on every path
    const out = await this.schedule();
    await committed;
    return out;
  }

  /** Start the stages now ready and answer: a round of executors, another driver step, or the job commit. */
  private async schedule(): Promise<DriverOutput> {
    this.adapt();
    for (const s of this.state.stages) {
      if (s.status !== 'waiting' || !this.ready(s)) continue;
      const stage = this.plan.stages[s.id]!;
      if (stage.source.kind === 'shuffle') s.tasks = reduceTasks(this.plan, s.id);
      if (stage.output.kind === 'shuffle' && stage.output.partitioning.kind === 'range') {
        const p = stage.output.partitioning;
        const samples = stageDeps(stage).flatMap((d) =>
          this.state.stages[d]!.tasks.flatMap((t) => (t.output?.kind === 'shuffle' ? (t.output.samples ?? []) : [])),
        );
        s.boundaries = pickBoundaries(samples, p.keys, p.n) as StageState['boundaries'];
      }
      s.status = 'running';
    }
    const result = this.state.stages[this.plan.resultStage]!;
    if (result.status === 'done') return this.commitJob();
    const pending = this.state.stages
      .filter((s) => s.status === 'running' && this.ready(s))
      .flatMap((s) => s.tasks.filter((t) => t.status === 'pending').map((t) => ({ s, t })));
    if (!pending.length) {
      // Nothing runnable and not done: a stage with no tasks would hang; go round again.
      return { action: 'run_driver', job: this.event.job, results: [], progress: this.progress() };
    }
    // Size each runnable stage (groups never mix stages), then check the history budget.
    const opts = this.sub.options;
    const byStage = new Map<StageState, TaskState[]>();
    for (const { s, t } of pending) byStage.set(s, [...(byStage.get(s) ?? []), t]);
    const plans = [...byStage].map(([s, tasks]) => {
      const bytes = tasks.reduce((a, t) => a + (t.input.kind === 'scan' ? t.input.bytes : 0), 0);
      return {
        s,
        tasks,
        sizing: sizeStage(stageAsRun(this.plan.stages[s.id]!, s.adaptive), tasks.length, bytes, opts),
      };
    });
    const totalGroups = plans.reduce((a, p) => a + p.sizing.groups, 0);
    const history = historyOf(this.state);
    if (!fitsInHistory(history, totalGroups, opts.historyEventCap ?? HISTORY_EVENT_CAP)) {
      // Carry on in a new execution before this one's history could overflow.
      this.state.history = { execution: history.execution + 1, events: 0 };
      return { action: 'chain', job: this.event.job, results: [], progress: this.progress() };
    }
    this.state.round++;
    const round = this.state.round;
    const groups: GroupRef[] = [];
    const manifests: { key: string; manifest: GroupManifest }[] = [];
    for (const { s, tasks, sizing } of plans) {
      s.startedAt ??= Date.now();
      for (const members of balance(tasks, sizing.groups)) {
        const specs: TaskSpec[] = members.map((t) => {
          t.attempt++;
          t.status = 'running';
          return {
            stage: s.id,
            task: t.task,
            attempt: t.attempt,
            input: t.input,
            ...(s.boundaries ? { boundaries: s.boundaries } : {}),
            ...(s.adaptive ? { adaptive: true } : {}),
          };
        });
        const index = groups.length;
        const manifest: GroupManifest = {
          jobId: this.state.jobId,
          round,
          tasks: specs,
          workers: sizing.workers,
          ...(opts.safetyMarginMs !== undefined ? { safetyMarginMs: opts.safetyMarginMs } : {}),
          ...(opts.progressMillis !== undefined ? { progressMillis: opts.progressMillis } : {}),
        };
        const key = this.keys.manifest(round, index);
        manifests.push({ key, manifest });
        groups.push({ manifest: key, round, index });
      }
    }
    await mapLimit(manifests, WRITE_CONCURRENCY, (m) => putJson(this.store, m.key, m.manifest));
    const concurrency = Math.min(groups.length, executorCap(opts));
    if (groups.length > INLINE_MAP_LIMIT) {
      // More than an inline Map runs at once: hand the Distributed Map a list in the store.
      await putJson(this.store, this.keys.groupList(round), groups);
      return {
        action: 'run_executors',
        job: this.event.job,
        results: [],
        distributed: true,
        // Only the list's location: the Distributed Map reads the groups from the store.
        groupList: this.groupListRef(round),
        concurrency,
        progress: this.progress(),
      };
    }
    return {
      action: 'run_executors',
      job: this.event.job,
      results: [],
      groups,
      concurrency,
      progress: this.progress(),
    };
  }

  /** Where the Distributed Map's ItemReader finds the group list: where the store put it. */
  groupListRef(round: number): ObjectLocation {
    return this.store.locate(this.keys.groupList(round));
  }

  async commitJob(): Promise<DriverOutput> {
    // Every task has read its input: the versions the job pinned are free (a pin this fails to
    // delete expires; files it held go at a later sweep).
    if (mayHoldPins(this.state))
      await releasePins(this.env, this.event.job.store, this.state.jobId).catch(() => undefined);
    const outputs = this.state.stages[this.plan.resultStage]!.tasks.map((t) => t.output!);
    let rows = outputs.reduce((a, o) => a + o.rows, 0);
    const sink = this.sub.plan.sink;
    let files: number | undefined;
    if (sink.kind === 'write') {
      const written = await this.commitOutput(sink, outputs);
      if ('failed' in written) return written.failed;
      ({ files, rows } = written);
    }
    const parts = outputs.flatMap((o) => (o.kind === 'result' && o.rows > 0 ? [o.key] : []));
    const manifest: ResultManifest = {
      schema: this.plan.schema,
      parts,
      rows,
      ...(files !== undefined ? { files } : {}),
      summary: this.summary(),
    };
    await putJson(this.store, this.keys.result, manifest);
    this.state.status = 'succeeded';
    this.state.rowsOut = rows;
    const { keepScratch, deletedByClient } = this.sub.options;
    if (!keepScratch && !deletedByClient) await removeScratch(this.store, this.state.jobId);
    return { action: 'succeed', job: this.event.job, results: [], progress: this.progress() };
  }

  /**
   * The write commit (commit.ts). The state is saved first, so a crash inside the commit leaves
   * a job that resume (or a retried step) brings back here, where the commit settles its record.
   */
  private async commitOutput(
    sink: Extract<JobSubmission['plan']['sink'], { kind: 'write' }>,
    outputs: TaskOutput[],
  ): Promise<{ files: number; rows: number } | { failed: DriverOutput }> {
    delete this.state.lastOutput;
    this.state.lastAction = 'commit';
    await putJson(this.store, this.keys.state, this.state);
    const { jobId } = this.state;
    const storeRef = this.event.job.store;
    try {
      const { commitLeaseMs: leaseMs, fileRetentionMs } = this.sub.options;
      return await commitWrite(sink, jobId, outputs, this.env, storeRef, { leaseMs, fileRetentionMs });
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      // Settle this job's record now: a flip that happened stands; anything else is undone.
      const done = await settleOwnCommit(sink, jobId, this.env, storeRef).catch(() => undefined);
      if (done) return done;
      return { failed: await this.fail(toErrorData(e)) };
    }
  }

  progress(): Progress {
    return jobProgress(this.state);
  }
}
