/**
 * Job files: what `stratus run|explain|submit job.ts` load. A job file's default export is a
 * function that takes a session and returns what the job computes — a DataFrame (its rows are
 * the result) or `{ frame, write }` (the rows written as Parquet). An optional `options` export
 * holds the job's options (parameters it reads, shuffle partitions, …).
 *
 * @example
 * // job.ts
 * import type { Session } from 'stratus';
 * import { col, sum } from 'stratus/functions';
 * export const options = { shufflePartitions: 8 };
 * export default (s: Session) =>
 *   s.read.parquet('s3://data/lineitem').groupBy('l_returnflag').agg(sum(col('l_quantity')).alias('qty'));
 * // or, to write: ({ frame: df, write: { path: 's3://out/q', mode: 'overwrite', partitionBy: [] } })
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlanError } from '../../planner/errors.js';
import type { Sink } from '../../planner/plan.js';
import { DataFrame } from '../api/dataframe.js';
import type { Session } from '../api/session.js';
import type { JobOptions } from '../runtime/jobState.js';
import { normalizeDataUrl } from '../storage/url.js';

export type SaveMode = 'errorIfExists' | 'overwrite' | 'append' | 'ignore';

/** The write a job file may ask for instead of returning rows. */
export interface WriteSpec {
  readonly path: string;
  readonly mode?: SaveMode;
  readonly partitionBy?: readonly string[];
}

/** What a job file's default export returns. */
export type JobResult = DataFrame | { readonly frame: DataFrame; readonly write: WriteSpec };

/** A job file's default export. */
export type JobFunction = (s: Session) => JobResult | Promise<JobResult>;

/** A loaded job: its frame, where its rows go, and its options. */
export interface LoadedJob {
  readonly file: string;
  readonly frame: DataFrame;
  readonly sink: Sink;
  readonly options: JobOptions;
}

const MODES: readonly SaveMode[] = ['errorIfExists', 'overwrite', 'append', 'ignore'];

/** Import a job file and build its job against `s`; every mistake names the file and what it should export. */
export async function loadJob(file: string, s: Session, cwd = process.cwd()): Promise<LoadedJob> {
  const abs = path.resolve(cwd, file);
  if (!existsSync(abs)) throw new PlanError('BAD_JOB_FILE', `job file '${abs}' does not exist`, { file: abs });
  let mod: { default?: unknown; options?: unknown };
  try {
    mod = (await import(pathToFileURL(abs).href)) as typeof mod;
  } catch (e) {
    const err = e as Error & { code?: string };
    const hint =
      err.code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? '; this node cannot load TypeScript: install tsx next to stratus (npm i -D tsx), or compile the job to .js'
        : '';
    throw new PlanError('BAD_JOB_FILE', `cannot load job file '${abs}': ${err.message}${hint}`, { file: abs });
  }
  if (typeof mod.default !== 'function')
    throw new PlanError(
      'BAD_JOB_FILE',
      `job file '${abs}' must have a default export: a function (session) => DataFrame | { frame, write }`,
      { file: abs },
    );
  const result = await (mod.default as JobFunction)(s);
  const options = jobOptions(abs, mod.options);
  if (result instanceof DataFrame) return { file: abs, frame: result, sink: { kind: 'collect' }, options };
  if (result && typeof result === 'object' && result.frame instanceof DataFrame && result.write) {
    return { file: abs, frame: result.frame, sink: writeSink(abs, result.write), options };
  }
  throw new PlanError(
    'BAD_JOB_FILE',
    `job file '${abs}': the default export returned ${describe(result)}; return a DataFrame, or { frame: DataFrame, write: { path, mode?, partitionBy? } }`,
    { file: abs },
  );
}

function writeSink(file: string, w: WriteSpec): Sink {
  if (typeof w.path !== 'string' || !w.path)
    throw new PlanError('BAD_JOB_FILE', `job file '${file}': write.path must be a non-empty string`, { file });
  const mode = w.mode ?? 'errorIfExists';
  if (!MODES.includes(mode))
    throw new PlanError('BAD_JOB_FILE', `job file '${file}': unknown write.mode '${mode}'; use ${MODES.join(', ')}`, {
      file,
      mode,
    });
  return {
    kind: 'write',
    path: normalizeDataUrl(w.path),
    format: 'parquet',
    mode,
    partitionBy: [...(w.partitionBy ?? [])],
  };
}

function jobOptions(file: string, options: unknown): JobOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new PlanError('BAD_JOB_FILE', `job file '${file}': the 'options' export must be an object of job options`, {
      file,
    });
  return options as JobOptions;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
