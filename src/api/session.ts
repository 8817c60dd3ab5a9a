/**
 * The session: entry point of the DSL. It reads datasets into DataFrames and executes their
 * plans as jobs — by default in local mode, through the same state machine and handlers that
 * run on AWS, with executors in separate processes and a file-backed store.
 */
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { analyze, type Catalog, schemaOf } from '../../planner/analyzer.js';
import { PlanError } from '../../planner/errors.js';
import { PLAN_VERSION, type PlanDocument, type PlanNode, type Sink } from '../../planner/plan.js';
import { checkTimeZone } from '../../planner/timezones.js';
import type { Schema } from '../../planner/types.js';
import { AwsRunner, type AwsRunnerOptions } from '../aws/runner.js';
import { assertAwsSafe } from '../aws/safety.js';
import { IdleDeleter } from '../local/deleter.js';
import { LocalRunner } from '../local/runner.js';
import { progressSink, silentProgress } from '../runtime/progress.js';
import type { Runner } from '../runtime/runner.js';
import { type Datasets, handOverDatasets, loadDatasets } from '../runtime/catalog.js';
import type { PinHolder } from '../runtime/datasetLog.js';
import { deleteJob, newJobId, planDocument, readResult, submitJob } from '../runtime/client.js';
import { destinationExists, pathExists } from '../runtime/commit.js';
import { collectGarbage, type GcOptions, type GcReport } from '../runtime/gc.js';
import { cachedStore, defaultEnv } from '../runtime/env.js';
import {
  type JobOptions,
  type JobSummary,
  jobKeys,
  type ResultManifest,
  type StreamOptions,
} from '../runtime/jobState.js';
import { planQuery, type QueryPlan } from '../runtime/planJob.js';
import { resumeJob } from '../runtime/resume.js';
import { normalizeDataUrl, parseStoreUrl } from '../storage/url.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
import type { DataFrame } from './dataframe.js';
import { sqlToDataFrame } from '../sql/query.js';
import { type PendingCache, SessionCache, type StorageLevel } from './cache.js';
import { DataFrameReader } from './reader.js';

export interface SessionOptions {
  /** Where job state and shuffle files live: a local directory (default `.stratus`) or `s3://bucket/prefix`. */
  readonly store?: string;
  /** Endpoint of an S3-compatible server (for `s3://` stores and data). */
  readonly endpoint?: string;
  /** Local executor processes (default: the machine's cores). */
  readonly executors?: number;
  /** Show job progress on stderr (default true; STRATUS_PROGRESS=0 turns it off). */
  readonly progress?: boolean;
  /** Simulated Lambda time limit per executor invocation in local mode. */
  readonly executorTimeLimitMs?: number;
  /** Keep each job's scratch objects after it finishes (default false). */
  readonly keepJobs?: boolean;
  /** How long failed and abandoned jobs are kept for `resume` before `gc()` removes them (ms, default 24 h). */
  readonly jobRetentionMs?: number;
  /** Lease of a running job (ms, default 30 s): a job whose process died can be resumed once it expires. */
  readonly leaseMs?: number;
  /** Defaults for every job (shuffle partitions, executors, disabled rules…). */
  readonly job?: JobOptions;
  /** Run on AWS: the deployed state machine (store must be `s3://…`). */
  readonly aws?: AwsRunnerOptions;
  /**
   * Session time zone (Spark's spark.sql.session.timeZone), UTC by default: instants are shown
   * in it and zone-dependent functions (hour, date_trunc, to_date, date_format…) compute in it.
   */
  readonly timeZone?: string;
}

export interface MicroBatchOptions {
  /** Where each batch's rows are appended as Parquet. */
  readonly output: string;
  readonly partitionBy?: readonly string[];
  readonly pollSeconds?: number;
  readonly maxBatches?: number;
  readonly idleTimeoutSeconds?: number;
}

export interface MicroBatchHandle {
  readonly jobId: string;
  /** Resolves when the job stops: batches run, rows written, input files processed. */
  readonly done: Promise<{ batches: number; rows: number; files: number }>;
  /** Ask the job to stop after the batch in flight. */
  stop(): Promise<void>;
}

/** A plan with its names and types resolved against its datasets' schemas. */
export interface Analysis {
  readonly plan: PlanNode;
  readonly catalog: Catalog;
  readonly schema: Schema;
}

export class Session {
  readonly storeRef: StoreRef;
  readonly read: DataFrameReader;
  private local: LocalRunner | undefined;
  /** Id of the last job run (for inspection). */
  lastJobId: string | undefined;
  /** Per-stage accounting of the last job: requests, bytes, time by phase. */
  lastJobSummary: JobSummary | undefined;

  constructor(readonly options: SessionOptions = {}) {
    this.storeRef = parseStoreUrl(options.store ?? path.resolve('.stratus'), { endpoint: options.endpoint });
    this.read = new DataFrameReader(this);
    this.persisted = new SessionCache(this.storeRef, cachedStore(this.storeRef), newJobId(), options.leaseMs);
    Object.freeze(this.read);
    checkTimeZone(this.timeZone);
  }

  /** The session time zone: the option, else the jobs' default, else UTC. */
  get timeZone(): string {
    return this.options.timeZone ?? this.options.job?.timeZone ?? 'UTC';
  }

  /** Stores for client-side work (footers, results); the runtime's own instances. */
  readonly env = defaultEnv();
  /** Results kept by `df.cache()` / `persist()`, under `sessions/<id>/cache/` in the store. */
  private readonly persisted: SessionCache;
  private aws: AwsRunner | undefined;

  /** The backend that runs jobs: the deployed state machine, or the embedded local runner. */
  get runner(): Runner {
    if (this.options.aws) {
      this.aws ??= new AwsRunner(this.options.aws);
      return this.aws;
    }
    return this.localRunner;
  }

  get localRunner(): LocalRunner {
    this.local ??= new LocalRunner({
      store: this.storeRef,
      executors: this.options.executors,
      executorTimeLimitMs: this.options.executorTimeLimitMs,
      leaseMs: this.options.leaseMs,
    });
    return this.local;
  }

  /**
   * The options a job of this session runs with: the call's over the session's defaults, over
   * what the runner has (locally, its warm executor processes). The executor cap itself is the
   * sizing policy's (`executorCap`): the user's maxExecutors if given, else the goal's.
   */
  jobOptions(options: JobOptions = {}): JobOptions {
    const runner: JobOptions = this.options.aws ? {} : { executorSlots: this.localRunner.pool.opts.size };
    const keep: JobOptions = this.options.keepJobs ? { keepScratch: true } : {};
    return { ...runner, ...keep, ...this.options.job, timeZone: this.timeZone, ...options };
  }

  /**
   * Resolve names and types of a plan against its datasets' schemas (one footer per dataset):
   * unknown columns and type errors fail here, before anything runs.
   */
  async analyze(root: PlanNode): Promise<Analysis> {
    root = await this.persisted.substitute(root, null);
    const { catalog } = await loadDatasets(root, this.env, this.storeRef, { schemaOnly: true });
    const plan = analyze(root, catalog, { timeZone: this.timeZone, now: Date.now() });
    return { plan, catalog, schema: schemaOf(plan, catalog) };
  }

  /**
   * The plan the driver would run for `root` — through the driver's own planning function, over
   * the same footers and with the same options: what `explain()` shows.
   */
  async plan(root: PlanNode, sink: Sink = { kind: 'collect' }, options: JobOptions = {}): Promise<QueryPlan> {
    root = await this.persisted.substitute(root, null);
    const datasets = await loadDatasets(root, this.env, this.storeRef);
    const doc: PlanDocument = { version: PLAN_VERSION, root, sink, udfs: null };
    return planQuery(doc, datasets, this.jobOptions(options), this.storeRef);
  }

  /** Run a plan as a job and return its result as an Arrow table. */
  async execute(root: PlanNode, label = 'job', options: JobOptions = {}): Promise<arrow.Table> {
    const jobId = await this.submit(
      root,
      { kind: 'collect' },
      { ...this.deletedByClient, ...options },
      { runHere: true },
    );
    return (await this.follow(jobId!, label)).table;
  }

  /**
   * Write a plan's rows as Parquet, CSV or NDJSON (the sink's format). The output appears only
   * when the job commits; a failed job leaves nothing visible. Returns the rows and files written.
   */
  async write(
    root: PlanNode,
    sink: Extract<Sink, { kind: 'write' }>,
    cached = true,
  ): Promise<{ rows: number; files: number }> {
    const jobId = await this.submit(root, sink, this.deletedByClient, { cached, runHere: true });
    if (jobId === null) return { rows: 0, files: 0 };
    const { manifest } = await this.follow(jobId, 'write');
    return { rows: manifest.rows, files: manifest.files ?? 0 };
  }

  /**
   * Jobs that `follow` deletes once their result is read (collect, write): their driver leaves
   * the scratch objects to that deletion (JobOptions.deletedByClient).
   */
  private get deletedByClient(): JobOptions {
    return this.options.keepJobs ? {} : { deletedByClient: true };
  }

  /**
   * The one submission path (collect, write, micro-batch): check the plan against its inputs'
   * schemas (plan-time errors, before anything runs) and a write against its destination, bundle
   * the user functions the plan calls, and store the job with the session's options. Returns the
   * job's id, or null when there is nothing to run (mode 'ignore' over an existing output).
   * `cached`: use the session's cached results (default true); `runHere`: the caller runs the job
   * in this session at once (collect, write).
   */
  private async submit(
    root: PlanNode,
    sink: Sink,
    options: JobOptions,
    {
      jobId = newJobId(),
      cached = true,
      runHere = false,
    }: { jobId?: string; cached?: boolean; runHere?: boolean } = {},
  ): Promise<string | null> {
    // Cached results the plan uses are written first (once), then read in place of their plans.
    if (cached)
      root = await this.persisted.substitute(root, {
        write: (r, s) => this.write(r, s, false),
        schema: async (r) => (await this.analyze(r)).schema,
      });
    if (this.options.aws && !this.options.aws.emulated) assertAwsSafe(root, sink, this.storeRef);
    // A batch job this session runs itself: the datasets its analysis loads go to its first step.
    const { stream, onlyFiles, footersPerCall } = this.jobOptions(options);
    const handOver = runHere && !this.options.aws && !stream && !onlyFiles && !footersPerCall;
    const datasets = handOver ? await this.analyzeWhole(root) : undefined;
    if (!datasets) await this.analyzeForSubmit(root, options.stream !== undefined);
    if (sink.kind === 'write' && (sink.mode === 'ignore' || sink.mode === 'errorIfExists')) {
      if (await destinationExists(sink, this.env, this.storeRef)) {
        if (sink.mode === 'ignore') return null;
        throw pathExists(sink);
      }
    }
    const store = cachedStore(this.storeRef);
    this.lastJobId = jobId;
    await submitJob(store, jobId, {
      plan: await planDocument(root, sink, store),
      options: this.jobOptions(options),
      submittedAt: new Date().toISOString(),
    });
    if (datasets) handOverDatasets(jobId, datasets);
    return jobId;
  }

  /**
   * The analysis before submitting a batch job this session runs itself (local mode): its
   * datasets loaded whole — every file's footer, as the driver's planning reads them — so that
   * the job's first step can plan over them (catalog.ts handOverDatasets): one listing and one
   * footer check per file for the job, not two. Undefined when they cannot be handed over (a
   * dataset with a log, whose version the job's planning pins: its load stops there, before its
   * footers; a cached subtree; a load that fails): the usual analysis runs then, and what it and
   * the driver read and report is unchanged.
   */
  private async analyzeWhole(root: PlanNode): Promise<Datasets | undefined> {
    if ((await this.persisted.substitute(root, null)) !== root) return undefined;
    // A dataset with a log stops the load at its version's pin (before its footers are read).
    const versioned = new Error('versioned');
    const probe: PinHolder = {
      pin: () => Promise.reject(versioned),
      unpin: async () => {},
    };
    let datasets: Datasets;
    try {
      datasets = await loadDatasets(root, this.env, this.storeRef, { pins: probe });
    } catch {
      return undefined;
    }
    analyze(root, datasets.catalog, { timeZone: this.timeZone, now: Date.now() });
    return datasets;
  }

  /**
   * Analyse before submitting. A micro-batch job may start before its input has any file: its
   * batches are analysed by the driver as files arrive.
   */
  private async analyzeForSubmit(root: PlanNode, stream: boolean): Promise<void> {
    try {
      await this.analyze(root);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (!(stream && (code === 'NO_FILES' || code === 'NOT_FOUND'))) throw e;
    }
  }

  /**
   * Store a job without running it (the one submission path): `runStored` runs it, here or in
   * another process (`stratus submit` runs it in the background, or starts it on AWS). Returns
   * its id, or null when there is nothing to run (mode 'ignore' over an existing output).
   */
  async enqueue(root: PlanNode, sink: Sink = { kind: 'collect' }, options: JobOptions = {}): Promise<string | null> {
    return this.submit(root, sink, options);
  }

  /** Run a stored job to its end and read its result, keeping the job's record (for status and report). Aborting `signal` stops it. */
  async runStored(
    jobId: string,
    opts: { label?: string; signal?: AbortSignal } = {},
  ): Promise<{ table: arrow.Table; manifest: ResultManifest }> {
    return this.follow(jobId, opts.label ?? 'job', true, opts.signal);
  }

  /**
   * Run a stored job (new or resumed) to its end and read its committed result; then remove the
   * job unless the session keeps it (a micro-batch job's objects are its checkpoint). The removal
   * runs in the background, off the caller's time: the result is already read and a succeeded
   * job's output committed, so nothing waits on it but `stop()`; should the process die first,
   * `gc` removes the job once `jobRetentionMs` has passed.
   */
  private async follow(
    jobId: string,
    label: string,
    keep = this.options.keepJobs ?? false,
    signal?: AbortSignal,
  ): Promise<{ table: arrow.Table; manifest: ResultManifest }> {
    const store = cachedStore(this.storeRef);
    const showProgress = this.options.progress ?? process.env.STRATUS_PROGRESS !== '0';
    const progress = showProgress ? progressSink(process.stderr, `${label} ${jobId}`) : silentProgress;
    const machineError = await this.runner.run({ jobId, store: this.storeRef }, progress, signal);
    this.startGc();
    const result = await readResult(store, jobId, machineError);
    this.lastJobSummary = result.manifest.summary;
    progress.done(`${result.manifest.rows} rows`);
    // A kept job's record is complete when this returns (the runner's last writes have landed).
    if (!keep) this.deleteInBackground(store, jobId);
    else await this.runner.finished?.(jobId);
    return result;
  }

  /** Job removals still running (`stop()` waits for them). */
  private readonly deletions = new Set<Promise<void>>();

  private deleteInBackground(store: ObjectStore, jobId: string): void {
    // A removal that fails leaves the job to gc, as a process that died would. It starts once
    // the runner's last writes for the job have landed (none is left behind it).
    const finished = this.runner.finished?.(jobId) ?? Promise.resolve();
    const run: Promise<void> = finished
      .then(() => deleteJob(store, jobId, this.treeRemover(store)))
      .catch(() => undefined)
      .finally(() => this.deletions.delete(run));
    this.deletions.add(run);
  }

  /** Removes finished jobs' folders of a local store on idle CPU (local/deleter.ts), started with the first. */
  private deleter: IdleDeleter | undefined;

  /**
   * How a finished job's folders go: in a local store, by the idle-priority deletion thread (its
   * file-system path, from the store's `locate`) while its backlog has room, else by the store.
   */
  private treeRemover(store: ObjectStore): ((prefix: string) => Promise<void>) | undefined {
    if (this.storeRef.kind !== 'local') return undefined;
    this.deleter ??= new IdleDeleter();
    const deleter = this.deleter;
    return (prefix) => (deleter.hasRoom ? deleter.remove(`/${store.locate(prefix).key}`) : store.deleteTree(prefix));
  }

  private gcRun: Promise<unknown> | undefined;

  /** Once per session, after its first job: remove stale jobs in the background (stop() waits for it). */
  private startGc(): void {
    this.gcRun ??= this.gc().catch(() => undefined);
  }

  /**
   * Remove what is stale in the job store: jobs whose client never read their result, failed
   * jobs and jobs whose process died, once `jobRetentionMs` has passed (their staging
   * directories too; their unfinished commits are settled). Running jobs are never touched.
   * Files that overwrites retired are deleted once no live reader pin holds them and their extra
   * retention (job option `fileRetentionMs`, default 0; or `opts.fileRetentionMs`) has passed.
   */
  async gc(opts: GcOptions = {}): Promise<GcReport> {
    // This session's own finished jobs are being removed: let that end first (not reported as gc's).
    await Promise.all([...this.deletions]);
    const retentionMs = opts.retentionMs ?? this.options.jobRetentionMs;
    return collectGarbage(cachedStore(this.storeRef), this.env, this.storeRef, {
      ...(retentionMs !== undefined ? { retentionMs } : {}),
      ...(opts.fileRetentionMs !== undefined ? { fileRetentionMs: opts.fileRetentionMs } : {}),
    });
  }

  /** Resume a failed job from its last completed stage; returns its result. */
  async resume(jobId: string): Promise<arrow.Table> {
    await resumeJob(cachedStore(this.storeRef), jobId);
    this.lastJobId = jobId;
    return (await this.follow(jobId, 'resume')).table;
  }

  /**
   * Run a micro-batch job: poll the DataFrame's input for new Parquet files, process each
   * batch of new files once (appending to `output`), sleep `pollSeconds`, repeat — until
   * `maxBatches`, `idleTimeoutSeconds`, or `stop()`.
   */
  microBatch(df: { plan: PlanNode }, opts: MicroBatchOptions): MicroBatchHandle {
    const sink: Sink = {
      kind: 'write',
      path: normalizeDataUrl(opts.output),
      format: 'parquet',
      mode: 'append',
      partitionBy: opts.partitionBy ?? [],
    };
    const stream: StreamOptions = {
      pollSeconds: opts.pollSeconds ?? 5,
      ...(opts.maxBatches !== undefined ? { maxBatches: opts.maxBatches } : {}),
      ...(opts.idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds: opts.idleTimeoutSeconds } : {}),
    };
    const jobId = newJobId();
    const done = (async () => {
      await this.submit(df.plan, sink, { stream }, { jobId });
      const { manifest } = await this.follow(jobId, 'microBatch', true);
      return { batches: manifest.batches ?? 0, rows: manifest.rows, files: manifest.files ?? 0 };
    })();
    const stop = () => cachedStore(this.storeRef).put(jobKeys(jobId).stop, new Uint8Array(0));
    return { jobId, done, stop };
  }

  /** Keep a plan's result once computed (`df.persist(level)`). */
  persist(root: PlanNode, level: StorageLevel): void {
    this.persisted.persist(root, level);
  }
  /** Drop a plan's kept result (`df.unpersist()`); its files are deleted in the background (`stop()` waits). */
  unpersist(root: PlanNode): void {
    this.persisted.unpersist(root);
  }
  /** The level a plan's result is kept at, or 'NONE'. */
  storageLevel(root: PlanNode): StorageLevel | 'NONE' {
    return this.persisted.level(root);
  }
  /** Cached relations in a plan that no job has written yet (explain shows them). */
  pendingCaches(root: PlanNode): PendingCache[] {
    return this.persisted.pending(root);
  }

  private readonly views = new Map<string, DataFrame>();

  /** Register (or replace) a session-scoped view for `sql()`; names match case-insensitively. */
  registerView(name: string, df: DataFrame): void {
    if (typeof name !== 'string' || !/^[A-Za-z_][\w$]*$/.test(name))
      throw new PlanError('BAD_ARGUMENT', `view name must be an identifier, got ${JSON.stringify(name)}`, {
        view: name,
      });
    this.views.set(name.toLowerCase(), df);
  }

  /** Remove a view; returns whether it existed (Spark's dropTempView). */
  dropTempView(name: string): boolean {
    return this.views.delete(String(name).toLowerCase());
  }

  /**
   * A DataFrame from a SQL SELECT over the views registered with `createOrReplaceTempView`:
   * translated to the same plan the DSL builds. Unsupported constructs, unknown tables and
   * columns fail here, naming the thing and its position.
   * @example lineitem.createOrReplaceTempView('lineitem'); const df = await s.sql('select count(*) from lineitem')
   */
  async sql(text: string): Promise<DataFrame> {
    return sqlToDataFrame(text, {
      view: (name) => this.views.get(name.toLowerCase()),
      viewNames: () => [...this.views.keys()],
      columnsOf: async (df) => (await df.schema()).map((f) => f.name),
    });
  }

  /**
   * Stop the runners: the local executor processes, the AWS client the session created (a script
   * that ends without it still exits); first wait for the background work (gc, removals of
   * finished jobs).
   */
  async stop(): Promise<void> {
    await Promise.all([this.gcRun, ...this.deletions]);
    await this.deleter?.close();
    this.deleter = undefined;
    await this.persisted.close();
    await Promise.all([this.local?.close(), this.aws?.close()]);
    this.local = undefined;
    this.aws = undefined;
  }
}

/** Create a session. @example const s = session(); const df = s.read.parquet('lineitem/'); */
export function session(options: SessionOptions = {}): Session {
  return new Session(options);
}
