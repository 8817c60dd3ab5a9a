/**
 * The client side of a job: its plan document (with the user-code bundle), submitting it to the
 * store, and after the state machine finishes, reading its committed result (or its failure)
 * back. Shared by the local runner and the AWS backend.
 */
import { randomBytes } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import { batchesToArrow, decodeIpc } from '../../operators/arrow.js';
import { fromErrorData, InternalError, StorageError, type StratusError } from '../../planner/errors.js';
import type { Batch } from '../../operators/vector.js';
import { functionNames, PLAN_VERSION, type PlanDocument, type PlanNode, type Sink } from '../../planner/plan.js';
import { getJson, putJson, type ObjectStore } from '../storage/store.js';
import { buildBundle } from './bundle.js';
import { jobKeys, type JobState, type JobSubmission, type ResultManifest } from './jobState.js';
import type { GroupSummary, TaskReport } from './protocol.js';
import { registeredFunctions } from './userFunctions.js';

export function newJobId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${t}-${randomBytes(4).toString('hex')}`;
}

/**
 * The job's plan document: the plan, its sink, and — when it calls user functions — the bundle
 * of the modules that register them (built and stored once per content hash).
 */
export async function planDocument(root: PlanNode, sink: Sink, store: ObjectStore): Promise<PlanDocument> {
  const names = functionNames(root);
  const udfs = names.length ? await buildBundle(names, registeredFunctions(), store) : null;
  return { version: PLAN_VERSION, root, sink, udfs };
}

export async function submitJob(store: ObjectStore, jobId: string, sub: JobSubmission): Promise<void> {
  await putJson(store, jobKeys(jobId).job, sub);
}

/** The job's failure as a typed error, or an internal error if it neither failed nor succeeded. */
async function jobFailure(store: ObjectStore, jobId: string, machineError?: Error): Promise<StratusError> {
  const keys = jobKeys(jobId);
  const state = (await store.head(keys.state)) ? await getJson<JobState>(store, keys.state) : undefined;
  if (state?.error) return fromErrorData(state.error, { jobId });
  const why = machineError
    ? `: the state machine stopped with ${machineError.name}: ${machineError.message}${machineError.cause ? ` (${String((machineError.cause as Error).message ?? machineError.cause)})` : ''}`
    : '';
  return new InternalError(
    'JOB_INCOMPLETE',
    `job ${jobId} ended without a result (state: ${state?.status ?? 'none'})${why}`,
    { jobId },
  );
}

export async function readResult(
  store: ObjectStore,
  jobId: string,
  machineError?: Error,
): Promise<{ table: arrow.Table; manifest: ResultManifest }> {
  const keys = jobKeys(jobId);
  // One request: a job without a result manifest failed, or stopped before it committed.
  const manifest = await getJson<ResultManifest>(store, keys.result).catch(async (e: unknown) => {
    if ((e as { code?: string }).code !== 'NOT_FOUND') throw e;
    throw await jobFailure(store, jobId, machineError);
  });
  const batches: Batch[] = [];
  for (const part of manifest.parts) batches.push(...decodeIpc(await store.get(part), manifest.schema));
  const rows = batches.reduce((a, b) => a + b.length, 0);
  if (manifest.parts.length && rows !== manifest.rows) {
    throw new StorageError(
      'SHORT_RESULT',
      `job ${jobId}: the result parts hold ${rows} rows but the job committed ${manifest.rows}; a result object is damaged`,
      { jobId },
    );
  }
  return { table: batchesToArrow(manifest.schema, batches), manifest };
}

/**
 * Remove a job's objects: its folder, and the folders of its micro-batch jobs (`<id>-b<n>`),
 * each with `removeTree` (default the store's `deleteTree`; a local session's runs on idle CPU).
 */
export async function deleteJob(
  store: ObjectStore,
  jobId: string,
  removeTree: (prefix: string) => Promise<void> = (prefix) => store.deleteTree(prefix),
): Promise<void> {
  const base = jobKeys(jobId).base;
  const batches = new Set((await store.list(`${base}-b`)).map((o) => o.key.split('/')[1]!));
  for (const id of [jobId, ...batches]) await removeTree(jobKeys(id).base);
}

/** What a job no longer needs once it succeeded: shuffle data, manifests, summaries, footers. */
const SCRATCH = ['shuffle', 'manifests', 'summaries', 'footers', 'stages', 'progress'] as const;

/**
 * Remove a succeeded job's scratch data; its submission, state and result stay for the client,
 * and its executors' task reports, condensed (no outputs), as `timeline.json` for `stratus report`.
 */
export async function removeScratch(store: ObjectStore, jobId: string): Promise<void> {
  const base = jobKeys(jobId).base;
  await putJson(store, jobKeys(jobId).timeline, await readTimeline(store, jobId));
  for (const dir of SCRATCH) await store.deleteTree(`${base}/${dir}`);
}

/** One executor invocation's task reports (outputs left out), as `timeline.json` keeps them. */
export interface TimelineGroup {
  readonly round: number;
  readonly group: number;
  readonly reports: readonly Omit<TaskReport, 'output'>[];
}

/** The task reports of every executor invocation of a job: its condensed timeline, else its summaries. */
export async function readTimeline(store: ObjectStore, jobId: string): Promise<TimelineGroup[]> {
  const keys = jobKeys(jobId);
  if (await store.head(keys.timeline)) return getJson<TimelineGroup[]>(store, keys.timeline);
  const out: TimelineGroup[] = [];
  for (const o of await store.list(`${keys.base}/summaries/`)) {
    // summaries/<round>.<group>.<nonce>.json (a job of an earlier version: <round>/<group>.<nonce>.json)
    const m = /summaries\/(\d+)[./](\d+)\.[^/]+\.json$/.exec(o.key);
    if (!m) continue;
    const summary = await getJson<GroupSummary>(store, o.key).catch(() => undefined);
    if (!summary) continue;
    const reports = summary.reports.map(({ output: _output, ...r }) => r);
    out.push({ round: Number(m[1]), group: Number(m[2]), reports });
  }
  return out.sort((a, b) => a.round - b.round || a.group - b.group);
}
