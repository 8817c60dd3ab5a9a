/**
 * The job commit for writes (docs/commit-protocol.md). Tasks stage Parquet files under
 * `<path>/_temporary/<job>/`; the commit makes them the dataset's next version in enumerated
 * steps (COMMIT_STEPS). Stratus readers follow the dataset log (datasetLog.ts), which changes
 * at exactly one step, `flip`: one put-if-absent of the next snapshot. Before it, readers see
 * the old version; after it, the new one. A commit record written before the first visible
 * change (`intent`) names everything the commit adds and removes, with a lease: whoever finds
 * it afterwards — the same job retried or resumed, the next writer of the path, `session.gc()`
 * — rolls it forward if the flip happened and back if it did not.
 *
 * An overwrite lists the files it replaces as retired in the new snapshot, and right after the
 * flip one sweep (`sweepRetired`) deletes every retired file that no live reader pin holds
 * (datasetLog.ts) and whose extra retention (`fileRetentionMs`, default 0) has passed. Files a
 * pin holds go at a later sweep: the reader's pin release, a later commit of the path, or
 * `session.gc()` through the job store's list of datasets with retired files (`vacuumDataset`).
 * A reader that pinned the old version reads it whole meanwhile.
 *
 * Nothing here catches its own errors: a failure at any step leaves the record, exactly as a
 * killed process would. The driver settles its own commit after an error (`settleOwnCommit`).
 *
 * Here: the commit itself. The record, keys, steps and hooks are in commitRecord.ts; settling
 * records (forward or back) in commitSettle.ts; the retired-file sweep in retiredFiles.ts.
 */
import { randomBytes } from 'node:crypto';
import { StorageError } from '../../planner/errors.js';
import { putJson, type StoreRef } from '../storage/store.js';
import {
  createSnapshot,
  DEFAULT_FILE_RETENTION_MS,
  latestSnapshot,
  listedFiles,
  logVersions,
  snapshotAt,
  under,
  type Snapshot,
  type SnapshotFile,
} from './datasetLog.js';
import {
  commitHooks,
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
import { finish, rollBack, settleRecords } from './commitSettle.js';
import type { RuntimeEnv } from './env.js';
import { heartbeat, leaseOwner } from './lease.js';
import type { TaskOutput } from './protocol.js';
import { sweepRetired } from './retiredFiles.js';

// The driver's commit calls (scheduler.ts), all from this module.
export { SimulatedCrash } from './commitRecord.js';
export { settleOwnCommit } from './commitSettle.js';

export const DEFAULT_COMMIT_LEASE_MS = 60_000;
const LOST_RACES = 3;

/** A staged name (`part-00003.2.<nonce>.parquet`, `.csv`, `.json`, `.arrow`) made final: job id in, attempt out of sight. */
function finalPath(relative: string, jobId: string): string {
  const m = /^(.*?)part-(\d+)\.(\d+)\.([0-9a-f]+)\.(parquet|csv|json|arrow)$/.exec(relative);
  if (!m) throw new StorageError('BAD_STAGED_FILE', `unexpected staged file name '${relative}'`, { relative });
  return `${m[1]}part-${m[2]}-${jobId}-${m[3]}${m[4]}.${m[5]}`;
}

/** The destination now: its newest snapshot, or its listing when it has no log. */
async function current(d: Dest): Promise<{ snapshot?: Snapshot; files: readonly SnapshotFile[] }> {
  const snapshot = await latestSnapshot(d.store, d.root);
  if (snapshot) return { snapshot, files: snapshot.files };
  if (d.root && (await d.store.head(d.root)))
    throw new StorageError('PATH_IS_FILE', `output path '${d.url}' is a file; write to a directory`, { path: d.url });
  const prefix = d.root ? `${d.root}/` : '';
  const listed = await listedFiles(d.store, d.root, d.url);
  return { files: listed.map((o) => ({ path: o.key.slice(prefix.length), size: o.size })) };
}

/** Whether a write's destination already holds data (a save mode's question). */
export async function destinationExists(sink: WriteSink, env: RuntimeEnv, storeRef: StoreRef): Promise<boolean> {
  const d = destination(sink.path, env, storeRef);
  if (d.root && (await d.store.head(d.root))) return true;
  return (await current(d)).files.length > 0;
}

/** A write's destination holds data and its mode is errorIfExists. */
export const pathExists = (sink: WriteSink) =>
  new StorageError(
    'PATH_EXISTS',
    `output path '${sink.path}' already exists; use mode 'overwrite', 'append' or 'ignore'`,
    { path: sink.path },
  );

/** The files a job staged, chosen for the commit: a 0-row job keeps its schema-only file. */
function stagedFiles(outputs: readonly TaskOutput[]): { relative: string; rows: number; size: number }[] {
  const all = outputs.flatMap((o) => (o.kind === 'write' ? o.files : []));
  const data = all.filter((f) => f.rows > 0);
  return data.length ? data : all.slice(0, 1);
}

/**
 * Commit a write job's staged files as the destination's next version (see the header).
 * Re-running it for the same job (a retried driver step, a resumed job) continues or redoes
 * that job's own commit.
 */
export async function commitWrite(
  sink: WriteSink,
  jobId: string,
  outputs: readonly TaskOutput[],
  env: RuntimeEnv,
  storeRef: StoreRef,
  opts: { leaseMs?: number; fileRetentionMs?: number } = {},
): Promise<CommitResult> {
  const d = destination(sink.path, env, storeRef);
  const leaseMs = opts.leaseMs ?? DEFAULT_COMMIT_LEASE_MS;
  const retention = opts.fileRetentionMs ?? DEFAULT_FILE_RETENTION_MS;
  if (!(retention >= 0))
    throw new StorageError('BAD_OPTION', `fileRetentionMs must be a number >= 0, got ${retention}`, { retention });
  const own = await settleRecords(d, jobId);
  if (own?.committed) return own.committed;
  const staged = stagedFiles(outputs);
  const rows = staged.reduce((a, f) => a + f.rows, 0);
  if (staged.length && !(await d.store.head(under(d.root, `${stagingDir(jobId)}/${staged[0]!.relative}`)))) {
    // Staging already cleaned up: this job committed before its state recorded it.
    const earlier = await committedBy(d, jobId);
    if (earlier) return earlier;
    throw new StorageError(
      'STAGED_FILES_MISSING',
      `job ${jobId}'s staged files under '${d.url}/${stagingDir(jobId)}' are gone and the dataset log has no commit by it`,
      { path: d.url, jobId },
    );
  }
  for (let race = 0; race < LOST_RACES; race++) {
    const base = await current(d);
    const exists = base.files.length > 0;
    if (exists && sink.mode === 'errorIfExists') throw pathExists(sink);
    if (exists && sink.mode === 'ignore') {
      await abortWrite(sink, jobId, env, storeRef);
      return { files: 0, rows: 0 };
    }
    // An empty append to existing data adds nothing (not even a schema-only file).
    const adding = sink.mode === 'append' && exists && rows === 0 ? [] : staged;
    let version = base.snapshot?.version ?? 0;
    if (!base.snapshot) {
      // The directory's listing becomes version 0 before anything in it changes.
      const adopted: Snapshot = {
        format: 'stratus-dataset/1',
        version: 0,
        jobId: 'adopted',
        nonce: randomBytes(8).toString('hex'),
        files: base.files,
        committedAt: new Date().toISOString(),
      };
      if (!(await createSnapshot(d.store, d.root, adopted))) continue; // another writer adopted it first
      await step(d, 'adopt');
    }
    // The base's retired files no pin holds any more go now (no reader of the base needs them).
    const prior = (await sweepRetired(d, base.snapshot?.retired ?? [], base.files)).kept;
    const now = Date.now();
    const dropped = sink.mode === 'overwrite' ? base.files : [];
    const record: CommitRecord = {
      format: 'stratus-commit/1',
      jobId,
      owner: leaseOwner(),
      leaseUntil: Date.now() + leaseMs,
      mode: sink.mode,
      base: version,
      version: ++version,
      adopted: !base.snapshot,
      hadSuccess: (await d.store.head(successKey(d))) !== undefined,
      files: adding.map((f) => ({
        staged: `${stagingDir(jobId)}/${f.relative}`,
        path: finalPath(f.relative, jobId),
        size: f.size,
        rows: f.rows,
      })),
      retired: [
        ...prior,
        ...dropped.map((f) => ({ path: f.path, size: f.size, retiredAt: now, deleteAfter: now + retention })),
      ],
    };
    await commitHooks.beforeIntent?.(jobId, d.url, record.version);
    const won = await runCommit(d, record, base.files, leaseMs);
    if (won) return { files: record.files.length, rows, version: record.version };
  }
  throw new StorageError(
    'COMMIT_CONFLICT',
    `could not commit to '${sink.path}': other writers committed first ${LOST_RACES} times`,
    { path: sink.path, jobId },
  );
}

/** The commit of a job found in the kept log versions (newest first), if any. */
async function committedBy(d: Dest, jobId: string): Promise<CommitResult | undefined> {
  for (const v of (await logVersions(d.store, d.root)).reverse()) {
    const snap = await snapshotAt(d.store, d.root, v);
    if (snap?.jobId !== jobId) continue;
    const mine = snap.files.filter((f) => f.path.includes(`-${jobId}-`));
    return { files: mine.length, rows: mine.reduce((a, f) => a + (f.rows ?? 0), 0), version: v };
  }
  return undefined;
}

/** intent … done for one record; false when another writer took the version first (rolled back). */
async function runCommit(
  d: Dest,
  record: CommitRecord,
  baseFiles: readonly SnapshotFile[],
  leaseMs: number,
): Promise<boolean> {
  const key = recordKey(d, record.jobId);
  await putJson(d.store, key, record);
  await step(d, 'intent');
  const beat = heartbeat(() => putJson(d.store, key, { ...record, leaseUntil: Date.now() + leaseMs }), leaseMs / 3);
  try {
    await d.store.delete([successKey(d)]);
    await step(d, 'unmark');
    for (const [i, f] of record.files.entries()) {
      await d.store.copy(under(d.root, f.staged), under(d.root, f.path));
      await step(d, `copy:${i}`);
    }
    // Fencing: a writer that found this commit's lease expired may have rolled it back.
    if (!(await d.store.head(key))) {
      await d.store.delete(record.files.map((f) => under(d.root, f.path)));
      throw new StorageError('COMMIT_TAKEN_OVER', commitTakenOver(d, record), { path: d.url, jobId: record.jobId });
    }
    const kept = record.mode === 'append' ? baseFiles : [];
    const snapshot: Snapshot = {
      format: 'stratus-dataset/1',
      version: record.version,
      jobId: record.jobId,
      nonce: randomBytes(8).toString('hex'),
      files: [...kept, ...record.files.map(({ path, size, rows }) => ({ path, size, rows }))],
      committedAt: new Date().toISOString(),
      ...(record.retired.length ? { retired: record.retired } : {}),
    };
    if (!(await createSnapshot(d.store, d.root, snapshot))) {
      await beat.stop();
      await rollBack(d, record);
      return false;
    }
    await step(d, 'flip');
  } finally {
    await beat.stop();
  }
  await finish(d, record, true);
  return true;
}

const commitTakenOver = (d: Dest, r: CommitRecord) =>
  `the commit of job ${r.jobId} to '${d.url}' was rolled back by another writer after its lease expired`;

/** Delete a job's staging directory (after commit, or when the job fails). */
export async function abortWrite(sink: WriteSink, jobId: string, env: RuntimeEnv, storeRef: StoreRef): Promise<void> {
  const d = destination(sink.path, env, storeRef);
  await d.store.deleteTree(under(d.root, stagingDir(jobId)));
}
