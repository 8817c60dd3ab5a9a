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
 */
import { createHash, randomBytes } from 'node:crypto';
import { StorageError } from '../../planner/errors.js';
import type { Sink } from '../../planner/plan.js';
import { getJson, putJson, type ObjectStore, type StoreRef } from '../storage/store.js';
import { locate, type Location } from '../storage/url.js';
import { mapLimit } from '../util/limit.js';
import {
  COMMITS_DIR,
  createSnapshot,
  DEFAULT_FILE_RETENTION_MS,
  latestSnapshot,
  listedFiles,
  logVersions,
  pinnedFiles,
  pruneLog,
  snapshotAt,
  under,
  versionKey,
  type RetiredFile,
  type Snapshot,
  type SnapshotFile,
} from './datasetLog.js';
import type { RuntimeEnv } from './env.js';
import { heartbeat, leaseOwner } from './lease.js';
import type { TaskOutput } from './protocol.js';

type WriteSink = Extract<Sink, { kind: 'write' }>;

/**
 * The steps of a commit, in order; `copy:<i>` repeats once per new file. The fault-injection
 * suite crashes after each of them (commitHooks).
 */
export const COMMIT_STEPS = ['adopt', 'intent', 'unmark', 'copy:<i>', 'flip', 'remove', 'mark', 'cleanup', 'done'];

/**
 * Test hooks (await-ed): `afterStep` after every step of every commit in this process;
 * `beforeIntent` when a commit has chosen the version it will create, before its record exists
 * (two writers held there race for the same version at `flip`).
 */
export const commitHooks: {
  afterStep?: (step: string, path: string) => void | Promise<void>;
  beforeIntent?: (jobId: string, path: string, version: number) => void | Promise<void>;
} = {};

/**
 * Thrown by a fault-injection hook to stop a commit as a killed process would: the driver lets
 * it through untouched, and its name ends the state machine execution at once, with no retry.
 */
export class SimulatedCrash extends Error {
  constructor(step: string) {
    super(`simulated crash after commit step '${step}'`);
    this.name = 'States.Runtime';
  }
}

export const DEFAULT_COMMIT_LEASE_MS = 60_000;
/** How long a commit waits for another live commit of the same path before giving up. */
const WAIT_FOR_OTHERS_MS = 10 * 60_000;
const LOST_RACES = 3;

/** A commit in progress, as stored at `<path>/_stratus/commits/<job>.json`. */
export interface CommitRecord {
  readonly format: 'stratus-commit/1';
  readonly jobId: string;
  readonly owner: string;
  readonly leaseUntil: number;
  readonly mode: WriteSink['mode'];
  /** The version this commit started from, and the one it creates. */
  readonly base: number;
  readonly version: number;
  /** This commit created the base (version 0) for a directory that had no log. */
  readonly adopted: boolean;
  /** `_SUCCESS` was there before (restored on roll-back). */
  readonly hadSuccess: boolean;
  /** New files: staged key and final key (both relative to the dataset root). */
  readonly files: readonly (SnapshotFile & { readonly staged: string; readonly rows: number })[];
  /** Retired files the new version lists: the base's still held, and those it drops now (swept after the flip). */
  readonly retired: readonly RetiredFile[];
}

export interface CommitResult {
  readonly files: number;
  readonly rows: number;
  /** The dataset version written (undefined when `ignore` found the path taken). */
  readonly version?: number;
}

interface Dest {
  readonly store: ObjectStore;
  readonly root: string;
  readonly url: string;
  /** The job store: its `datasets/` lists the destinations with retired files, for gc. */
  readonly jobs: ObjectStore;
}

function destination(path: string, env: RuntimeEnv, storeRef: StoreRef): Dest {
  const loc = locate(path, storeRef);
  return { store: env.store(loc.ref), root: loc.key, url: path, jobs: env.store(storeRef) };
}

/** The job store's entry for a dataset with retired files (`{ path }`), read by gc. */
const RETIRED_DIR = 'datasets/';
const retiredEntry = (url: string) =>
  `${RETIRED_DIR}${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`;

/** Where a job stages its files, relative to the dataset root. */
export const stagingDir = (jobId: string) => `_temporary/${jobId}`;
const recordKey = (d: Dest, jobId: string) => under(d.root, `${COMMITS_DIR}/${jobId}.json`);
const successKey = (d: Dest) => under(d.root, '_SUCCESS');
const step = async (d: Dest, name: string) => commitHooks.afterStep?.(name, d.url);

/** The key a task stages a file at: `<root>/_temporary/<job>/<relative>`. */
export function stagedKey(path: string, jobId: string, relative: string, storeRef: StoreRef): Location {
  const loc = locate(path, storeRef);
  return { ref: loc.ref, key: under(loc.key, `${stagingDir(jobId)}/${relative}`) };
}

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

const pathExists = (sink: WriteSink) =>
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

/**
 * The retired-file sweep (the one way retired files are deleted): delete those not in `live`
 * whose retention has passed (`fileRetentionMs`, when given, replaces the one each commit
 * recorded, measured from the retirement) and that no live reader pin holds. Returns how many
 * went and the retired files still kept.
 */
async function sweepRetired(
  d: Dest,
  retired: readonly RetiredFile[],
  live: readonly SnapshotFile[],
  fileRetentionMs?: number,
): Promise<{ deleted: number; kept: RetiredFile[] }> {
  const current = new Set(live.map((f) => f.path));
  const candidates = retired.filter((r) => !current.has(r.path));
  if (!candidates.length) return { deleted: 0, kept: [] };
  const now = Date.now();
  const held = await pinnedFiles(d.store, d.root, now);
  const due = (r: RetiredFile) =>
    (fileRetentionMs !== undefined ? r.retiredAt + fileRetentionMs : r.deleteAfter) <= now &&
    held !== 'all' &&
    !held.has(r.path);
  const gone = candidates.filter(due);
  await mapLimit(chunks(gone.map((r) => under(d.root, r.path))), 4, (keys) => d.store.delete(keys));
  return { deleted: gone.length, kept: candidates.filter((r) => !due(r)) };
}

/**
 * After the flip: sweep the retired files (and list the path for gc if some remain), mark, clean
 * up, forget the record.
 */
async function finish(d: Dest, record: CommitRecord, hooks: boolean): Promise<void> {
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
async function rollBack(d: Dest, record: CommitRecord): Promise<void> {
  await mapLimit(chunks(record.files.map((f) => under(d.root, f.path))), 4, (keys) => d.store.delete(keys));
  const latest = await latestSnapshot(d.store, d.root);
  if (record.adopted && latest?.version === 0 && latest.files.length === 0) {
    // The log this commit created for an empty path: the path goes back to not existing.
    await d.store.delete([versionKey(d.root, 0)]);
  } else if (record.hadSuccess && latest?.version === record.base) {
    await putJson(d.store, successKey(d), { committer: 'stratus', version: record.base, files: latest.files.length });
  }
  await d.store.delete([recordKey(d, record.jobId)]);
}

function chunks<T>(xs: readonly T[], n = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
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
async function settleRecords(d: Dest, jobId: string): Promise<{ committed?: CommitResult } | undefined> {
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

/** Delete a job's staging directory (after commit, or when the job fails). */
export async function abortWrite(sink: WriteSink, jobId: string, env: RuntimeEnv, storeRef: StoreRef): Promise<void> {
  const d = destination(sink.path, env, storeRef);
  await d.store.deleteTree(under(d.root, stagingDir(jobId)));
}

/**
 * Sweep a dataset's retired files (`sweepRetired`: retention passed, no live pin holds them).
 * Files the newest version names are never deleted. Returns how many went and how many still wait.
 */
export async function vacuumDataset(
  path: string,
  env: RuntimeEnv,
  storeRef: StoreRef,
  opts: { fileRetentionMs?: number } = {},
): Promise<{ deleted: number; pending: number }> {
  const d = destination(path, env, storeRef);
  const latest = await latestSnapshot(d.store, d.root);
  const { deleted, kept } = await sweepRetired(d, latest?.retired ?? [], latest?.files ?? [], opts.fileRetentionMs);
  return { deleted, pending: kept.length };
}

/**
 * gc's pass over the datasets with retired files (listed in the job store by their commits):
 * vacuum each, and forget those with nothing left waiting.
 */
export async function vacuumRetired(
  env: RuntimeEnv,
  storeRef: StoreRef,
  opts: { fileRetentionMs?: number } = {},
): Promise<{ path: string; deleted: number; pending: number }[]> {
  const jobs = env.store(storeRef);
  const out: { path: string; deleted: number; pending: number }[] = [];
  for (const o of await jobs.list(RETIRED_DIR)) {
    const entry = await getJson<{ path: string }>(jobs, o.key).catch(() => undefined);
    if (!entry) continue; // removed meanwhile
    const r = await vacuumDataset(entry.path, env, storeRef, opts).catch(() => undefined);
    if (!r) continue; // its store is unreachable now: next time
    if (r.pending === 0) {
      await jobs.delete([o.key]);
      // A commit that retired files just now may have written the entry again before the delete.
      if ((await vacuumDataset(entry.path, env, storeRef, opts)).pending > 0) await putJson(jobs, o.key, entry);
    }
    out.push({ path: entry.path, ...r });
  }
  return out;
}
