/**
 * The session: entry point of the DSL. It reads datasets into DataFrames and executes their
 * plans as jobs — by default in local mode, through the same state machine and handlers that
 * run on AWS, with executors in separate processes and a file-backed store.
 */
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { analyze, schemaOf, type Catalog } from '../../planner/analyzer.js';
import type { PlanDocument, PlanNode, Sink } from '../../planner/plan.js';
import { StorageError } from '../../planner/errors.js';
import { destinationExists } from '../runtime/commit.js';
import { jobKeys, type JobSummary, type ResultManifest, type StreamOptions } from '../runtime/jobState.js';
import { resumeJob } from '../runtime/resume.js';
import { PLAN_VERSION, scan } from '../../planner/plan.js';
import type { Schema } from '../../planner/types.js';
import { LocalRunner } from '../local/runner.js';
import { AwsRunner, type AwsRunnerOptions } from '../aws/runner.js';
import { progressSink, silentProgress } from '../runtime/progress.js';
import type { Runner } from '../runtime/runner.js';
import { loadDatasets } from '../runtime/catalog.js';
import { buildBundle } from '../runtime/bundle.js';
import { registeredFunctions } from '../functions.js';
import { functionNames } from '../../planner/plan.js';
import { deleteJob, newJobId, readResult, submitJob } from '../runtime/client.js';
import { cachedStore, defaultEnv } from '../runtime/env.js';
import type { JobOptions } from '../runtime/jobState.js';
import { normalizeDataUrl, parseStoreUrl } from '../storage/url.js';
import type { StoreRef } from '../storage/store.js';
import { DataFrame } from './dataframe.js';

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
  /** Defaults for every job (shuffle partitions, executors, disabled rules…). */
  readonly job?: JobOptions;
  /** Run on AWS: the deployed state machine (store must be `s3://…`). */
  readonly aws?: AwsRunnerOptions;
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

export interface Analysis {
  readonly plan: PlanNode;
  readonly catalog: Catalog;
  readonly schema: Schema;
  readonly columnBytes: ReadonlyMap<string, Readonly<Record<string, number>>>;
  readonly columnRanges: ReadonlyMap<string, Readonly<Record<string, { min: number; max: number }>>>;
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
    Object.freeze(this.read);
  }

  /** Stores for client-side work (footers, results); the runtime's own instances. */
  readonly env = defaultEnv();
  private aws: AwsRunner | undefined;

  /** The backend that runs jobs: the deployed state machine, or the embedded local runner. */
  get runner(): Runner {
    if (this.options.aws) return (this.aws ??= new AwsRunner(this.options.aws));
    return this.localRunner;
  }

  /** Local: use every executor process; AWS: up to 40, scaled from 1 by the sizing policy. */
  private executorDefaults(): { maxExecutors: number; minExecutors?: number } {
    if (this.options.aws) return { maxExecutors: 40 };
    const n = this.localRunner.pool.opts.size;
    return { maxExecutors: n, minExecutors: n };
  }

  get localRunner(): LocalRunner {
    this.local ??= new LocalRunner({
      store: this.storeRef,
      executors: this.options.executors,
      executorTimeLimitMs: this.options.executorTimeLimitMs,
    });
    return this.local;
  }

  /** Resolve names and types of a plan against its datasets' footers (plan-time errors). */
  async analyze(root: PlanNode, opts: { schemaOnly?: boolean } = {}): Promise<Analysis> {
    const { catalog, columnBytes, columnRanges } = await loadDatasets(root, this.env, this.storeRef, opts);
    const plan = analyze(root, catalog);
    return { plan, catalog, schema: schemaOf(plan, catalog), columnBytes, columnRanges };
  }

  /** Run a plan as a job and return its result as an Arrow table. */
  async execute(root: PlanNode, label = 'job', options: JobOptions = {}): Promise<arrow.Table> {
    return (await this.run(root, { kind: 'collect' }, label, options)).table;
  }

  /**
   * Write a plan's rows as Parquet. The output appears only when the job commits; a failed job
   * leaves nothing visible. Returns the rows and files written.
   */
  async write(root: PlanNode, sink: Extract<Sink, { kind: 'write' }>): Promise<{ rows: number; files: number }> {
    await this.analyze(root, { schemaOnly: true });
    if (sink.mode === 'ignore' || sink.mode === 'errorIfExists') {
      if (await destinationExists(sink, this.env, this.storeRef)) {
        if (sink.mode === 'ignore') return { rows: 0, files: 0 };
        throw new StorageError(
          'PATH_EXISTS',
          `output path '${sink.path}' already exists; use mode 'overwrite', 'append' or 'ignore'`,
          { path: sink.path },
        );
      }
    }
    const { manifest } = await this.run(root, sink, 'write', {}, true);
    return { rows: manifest.rows, files: manifest.files ?? 0 };
  }

  private async run(
    root: PlanNode,
    sink: Sink,
    label: string,
    options: JobOptions = {},
    analyzed = false,
  ): Promise<{ table: arrow.Table; manifest: ResultManifest }> {
    if (!analyzed) await this.analyze(root, { schemaOnly: true });
    const store = cachedStore(this.storeRef);
    const names = functionNames(root);
    const udfs = names.length ? await buildBundle(names, registeredFunctions(), store) : null;
    const doc: PlanDocument = { version: PLAN_VERSION, root, sink, udfs };
    const jobId = newJobId();
    this.lastJobId = jobId;
    await submitJob(store, jobId, {
      plan: doc,
      options: { ...this.executorDefaults(), ...this.options.job, ...options },
      submittedAt: new Date().toISOString(),
    });
    const showProgress = this.options.progress ?? process.env.STRATUS_PROGRESS !== '0';
    const progress = showProgress ? progressSink(process.stderr, `${label} ${jobId}`) : silentProgress;
    const machineError = await this.runner.run({ jobId, store: this.storeRef }, progress);
    const result = await readResult(store, jobId, machineError);
    this.lastJobSummary = result.manifest.summary;
    progress.done(`${result.manifest.rows} rows`);
    if (!this.options.keepJobs) await deleteJob(store, jobId);
    return result;
  }

  /** Resume a failed job from its last completed stage; returns its result. */
  async resume(jobId: string): Promise<arrow.Table> {
    const store = cachedStore(this.storeRef);
    await resumeJob(store, jobId);
    const machineError = await this.runner.run({ jobId, store: this.storeRef });
    const result = await readResult(store, jobId, machineError);
    this.lastJobSummary = result.manifest.summary;
    return result.table;
  }

  /**
   * Run a micro-batch job: poll the DataFrame's input for new Parquet files, process each
   * batch of new files once (appending to `output`), sleep `pollSeconds`, repeat — until
   * `maxBatches`, `idleTimeoutSeconds`, or `stop()`.
   */
  microBatch(df: { plan: PlanNode }, opts: MicroBatchOptions): MicroBatchHandle {
    const store = cachedStore(this.storeRef);
    const jobId = newJobId();
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
    const done = (async () => {
      await submitJob(store, jobId, {
        plan: { version: PLAN_VERSION, root: df.plan, sink },
        options: { ...this.executorDefaults(), ...this.options.job, stream },
        submittedAt: new Date().toISOString(),
      });
      const machineError = await this.runner.run({ jobId, store: this.storeRef });
      const { manifest } = await readResult(store, jobId, machineError);
      return { batches: manifest.batches ?? 0, rows: manifest.rows, files: manifest.files ?? 0 };
    })();
    return { jobId, done, stop: () => store.put(jobKeys(jobId).stop, new Uint8Array(0)) };
  }

  /** Stop the local executor processes. */
  async stop(): Promise<void> {
    await this.local?.close();
    this.local = undefined;
  }
}

export class DataFrameReader {
  constructor(private readonly session: Session) {}
  /** Read Parquet: a file, a directory of files or a glob. @example s.read.parquet('data/lineitem') */
  parquet(p: string): DataFrame {
    return new DataFrame(this.session, scan(normalizeDataUrl(p)));
  }
}

/** Create a session. @example const s = session(); const df = s.read.parquet('lineitem/'); */
export function session(options: SessionOptions = {}): Session {
  return new Session(options);
}
