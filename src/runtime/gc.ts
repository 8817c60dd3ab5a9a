/**
 * Housekeeping of a job store: jobs nobody will read or resume are removed. A succeeded job's
 * scratch data goes when it commits (driver) and the rest when its client has read the result;
 * what remains here are jobs whose client never came back, failed jobs kept for `resume`, and
 * jobs whose runner died. Each is removed once `retentionMs` has passed since it was last seen
 * alive (its lease, else its submission) — never while its lease (or its micro-batch parent's)
 * is live. A removed write job's staging directory goes too, and its commit record, if any, is
 * settled (rolled forward or back). Then the files overwrites retired are deleted once no live
 * reader pin holds them (and any extra retention passed), for every dataset the job store lists
 * (commit.ts `vacuumRetired`). Sessions' cached results (`sessions/<id>/`, api/cache.ts) go the
 * same way: the area of a session whose lease is not live and was last renewed more than
 * `retentionMs` ago (a process that died without `stop()`); an area with no lease at all is what
 * an interrupted `stop()` left and goes at once. A live session's area is never touched.
 */
import { getJson, type ObjectStore, type StoreRef } from '../storage/store.js';
import { abortWrite } from './commit.js';
import { settleExpiredCommits } from './commitSettle.js';
import { vacuumRetired } from './retiredFiles.js';
import type { RuntimeEnv } from './env.js';
import { jobKeys, type JobState, type JobSubmission, sessionKeys } from './jobState.js';
import { isLive, type Lease } from './lease.js';

/** Default time a failed or abandoned job is kept for `resume`. */
export const JOB_RETENTION_MS = 24 * 3600_000;

export interface GcOptions {
  /** Keep jobs seen alive within this many ms (default JOB_RETENTION_MS; 0: remove every stale job). */
  readonly retentionMs?: number;
  /**
   * Delete files that overwrites retired (kept for readers of older versions) this long after
   * they were retired; default: the retention each commit recorded (job option `fileRetentionMs`).
   */
  readonly fileRetentionMs?: number;
}

export interface GcReport {
  /** Jobs removed, with the status they had. */
  readonly removed: readonly { readonly jobId: string; readonly status: string }[];
  /** Jobs kept (running, or within the retention time). */
  readonly kept: readonly string[];
  /** Datasets with retired files: how many are gone (deleted now or by an earlier sweep), how many still wait (pinned or retained). */
  readonly datasets: readonly { readonly path: string; readonly deleted: number; readonly pending: number }[];
  /** Sessions' areas of cached results: removed (their session died or stopped), kept (live or within the retention). */
  readonly sessions: { readonly removed: readonly string[]; readonly kept: readonly string[] };
}

interface JobInfo {
  readonly jobId: string;
  readonly sub?: JobSubmission;
  readonly status: string;
  readonly lease?: Lease;
}

async function jobInfo(store: ObjectStore, jobId: string, present: ReadonlySet<string>): Promise<JobInfo> {
  const keys = jobKeys(jobId);
  const read = async <T>(key: string): Promise<T | undefined> =>
    present.has(key) ? getJson<T>(store, key).catch(() => undefined) : undefined;
  const sub = await read<JobSubmission>(keys.job);
  const state = await read<JobState>(keys.state);
  const lease = await read<Lease>(keys.lease);
  // A folder with no submission is no job (the submission is a job's first write): what a runner
  // cancelled or collected mid-write left behind. `list` does not show it; it goes at once.
  const status = !sub ? 'orphaned' : (state?.status ?? (present.has(keys.result) ? 'succeeded' : 'submitted'));
  return { jobId, status, ...(sub ? { sub } : {}), ...(lease ? { lease } : {}) };
}

/** Remove the stale jobs of a job store (see the header). */
export async function collectGarbage(
  store: ObjectStore,
  env: RuntimeEnv,
  storeRef: StoreRef,
  opts: GcOptions = {},
): Promise<GcReport> {
  const retention = opts.retentionMs ?? JOB_RETENTION_MS;
  const now = Date.now();
  const present = new Set((await store.list('jobs/')).map((o) => o.key));
  const ids = [...new Set([...present].map((k) => k.split('/')[1]!))].sort();
  const infos = new Map<string, JobInfo>();
  for (const id of ids) infos.set(id, await jobInfo(store, id, present));
  const removed: { jobId: string; status: string }[] = [];
  const kept: string[] = [];
  for (const info of infos.values()) {
    const parent = /^(.+)-b\d+$/.exec(info.jobId)?.[1];
    const lastSeen = Math.max(info.lease?.until ?? 0, Date.parse(info.sub?.submittedAt ?? '') || 0); // 0: orphaned
    const alive = isLive(info.lease) || (parent !== undefined && isLive(infos.get(parent)?.lease));
    if (alive || now - lastSeen < retention) {
      kept.push(info.jobId);
      continue;
    }
    const sink = info.sub?.plan.sink;
    try {
      if (sink?.kind === 'write') {
        await settleExpiredCommits(sink.path, env, storeRef);
        await abortWrite(sink, info.jobId, env, storeRef);
      }
    } catch {
      kept.push(info.jobId); // its destination is unreachable now: try again next time
      continue;
    }
    await store.deleteTree(jobKeys(info.jobId).base);
    removed.push({ jobId: info.jobId, status: info.status });
  }
  const datasets = await vacuumRetired(env, storeRef, {
    ...(opts.fileRetentionMs !== undefined ? { fileRetentionMs: opts.fileRetentionMs } : {}),
  });
  return { removed, kept, datasets, sessions: await collectSessions(store, retention, now) };
}

/** Remove the cached-result areas of dead sessions (see the header). */
async function collectSessions(
  store: ObjectStore,
  retention: number,
  now: number,
): Promise<{ removed: string[]; kept: string[] }> {
  const present = new Set((await store.list('sessions/')).map((o) => o.key));
  const ids = [...new Set([...present].map((k) => k.split('/')[1]!))].sort();
  const removed: string[] = [];
  const kept: string[] = [];
  for (const id of ids) {
    const keys = sessionKeys(id);
    // A lease that is there but cannot be read now counts as live: only a missing one means none.
    const lease = present.has(keys.lease)
      ? await getJson<Lease>(store, keys.lease).catch((): Lease => ({ owner: '?', until: Number.POSITIVE_INFINITY }))
      : undefined;
    if (isLive(lease, now) || (lease !== undefined && now - lease.until < retention)) {
      kept.push(id);
      continue;
    }
    await store.deleteTree(keys.base);
    removed.push(id);
  }
  return { removed, kept };
}
