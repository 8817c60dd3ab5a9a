/**
 * Settling commit records. A record found after its commit stopped (a crash, a retried step, an
 * expired lease) is rolled forward when its version is in the dataset log (the flip happened)
 * and back when it is not. `finish`, the steps after the flip, also ends every commit that flips.
 */
import { StorageError } from '../../planner/errors.js';
import { getJson, putJson, type StoreRef } from '../storage/store.js';
import { latestSnapshot, pruneLog, snapshotAt, under, versionKey, COMMITS_DIR } from './datasetLog.js';
import {
  deleteKeys,
  destination,
  recordKey,
  stagingDir,
  step,
  successKey,
  type CommitRecord,
  type CommitResult,
  type Dest,
  type WriteSink,
} from './commitRecord.js';
import type { RuntimeEnv } from './env.js';
import { retiredEntry, sweepRetired } from './retiredFiles.js';

/** How long a commit waits for another live commit of the same path before giving up. */
const WAIT_FOR_OTHERS_MS = 10 * 60_000;

/**
 * After the flip: sweep the retired files (and list the path for gc if some remain), mark, clean
 * up, forget the record.
 */
export async function finish(d: Dest, record: CommitRecord, hooks: boolean): Promise<void> {
  const latest = await latestSnapshot(d.store, d.root);
  const files = latest?.files ?? [];
  const { kept } = await sweepRetired(d, latest?.retired ?? [], files);
  if (kept.length) await putJson(d.jobs, retiredEntry(d.url), { path: d.url });
  if (hooks) await step(d, 'remove');
  const marker = {
    committer: 'stratus',
    jobId: record.jobId,
    version: record.version,
    files: files.length,
    // Files older versions named, still in the directory for their readers (pins, retention).
    ...(kept.length
      ? {
          retired: kept.length,
          retiredUntil: new Date(Math.max(...kept.map((r) => r.deleteAfter))).toISOString(),
        }
      : {}),
  };
  await putJson(d.store, successKey(d), marker);
  if (hooks) await step(d, 'mark');
  await d.store.deleteTree(under(d.root, stagingDir(record.jobId)));
  await pruneLog(d.store, d.root);
  if (hooks) await step(d, 'cleanup');
  await d.store.delete([recordKey(d, record.jobId)]);
  if (hooks) await step(d, 'done');
}

/** Undo a commit that did not flip: its copies go, the old `_SUCCESS` and log come back. */
export async function rollBack(d: Dest, record: CommitRecord): Promise<void> {
  await deleteKeys(
    d,
    record.files.map((f) => under(d.root, f.path)),
  );
  const latest = await latestSnapshot(d.store, d.root);
  if (record.adopted && latest?.version === 0 && latest.files.length === 0) {
    // The log this commit created for an empty path: the path goes back to not existing.
    await d.store.delete([versionKey(d.root, 0)]);
  } else if (record.hadSuccess && latest?.version === record.base) {
    await putJson(d.store, successKey(d), { committer: 'stratus', version: record.base, files: latest.files.length });
  }
  await d.store.delete([recordKey(d, record.jobId)]);
}

/** Roll one record forward (its version is in the log) or back; reports which. */
async function settle(d: Dest, record: CommitRecord): Promise<'forward' | 'back'> {
  const snap = await snapshotAt(d.store, d.root, record.version);
  if (snap?.jobId === record.jobId) {
    await finish(d, record, false);
    return 'forward';
  }
  await rollBack(d, record);
  return 'back';
}

async function records(d: Dest): Promise<CommitRecord[]> {
  const objects = await d.store.list(under(d.root, `${COMMITS_DIR}/`));
  const out: CommitRecord[] = [];
  for (const o of objects) {
    try {
      out.push(await getJson<CommitRecord>(d.store, o.key));
    } catch (e) {
      if ((e as { code?: string }).code !== 'NOT_FOUND') throw e; // settled meanwhile
    }
  }
  return out;
}

/**
 * Before committing: settle every commit record of the path. Another job's live commit is
 * waited for; an expired one is rolled forward or back. This job's own record (a crash or a
 * retry) is taken over: rolled forward — the job's commit is then done — or back.
 */
export async function settleRecords(d: Dest, jobId: string): Promise<{ committed?: CommitResult } | undefined> {
  const deadline = Date.now() + WAIT_FOR_OTHERS_MS;
  let own: { committed?: CommitResult } | undefined;
  for (;;) {
    const live: CommitRecord[] = [];
    for (const r of await records(d)) {
      if (r.jobId !== jobId && r.leaseUntil > Date.now()) {
        live.push(r);
        continue;
      }
      const how = await settle(d, r);
      if (r.jobId === jobId)
        own =
          how === 'forward'
            ? {
                committed: { files: r.files.length, rows: r.files.reduce((a, f) => a + f.rows, 0), version: r.version },
              }
            : {};
    }
    if (!live.length) return own;
    if (Date.now() > deadline)
      throw new StorageError(
        'PATH_BUSY',
        `output path '${d.url}' is being committed by job ${live[0]!.jobId} (${live[0]!.owner}); gave up waiting`,
        { path: d.url, jobId: live[0]!.jobId },
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * After a failed commit attempt of this job: settle its record. `committed` when the flip had
 * happened (the output is the new version; only clean-up was left), otherwise rolled back.
 */
export async function settleOwnCommit(
  sink: WriteSink,
  jobId: string,
  env: RuntimeEnv,
  storeRef: StoreRef,
): Promise<CommitResult | undefined> {
  const d = destination(sink.path, env, storeRef);
  const key = recordKey(d, jobId);
  if (!(await d.store.head(key))) return undefined;
  const record = await getJson<CommitRecord>(d.store, key);
  if ((await settle(d, record)) === 'back') return undefined;
  return { files: record.files.length, rows: record.files.reduce((a, f) => a + f.rows, 0), version: record.version };
}

/**
 * Settle the commit records of a path whose leases expired (gc, and any caller that wants a
 * tidy directory); live commits are left alone. Returns the records settled.
 */
export async function settleExpiredCommits(
  path: string,
  env: RuntimeEnv,
  storeRef: StoreRef,
): Promise<{ jobId: string; how: 'forward' | 'back' }[]> {
  const d = destination(path, env, storeRef);
  const out: { jobId: string; how: 'forward' | 'back' }[] = [];
  for (const r of await records(d))
    if (r.leaseUntil <= Date.now()) out.push({ jobId: r.jobId, how: await settle(d, r) });
  return out;
}
