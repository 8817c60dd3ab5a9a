/**
 * The dataset log: which files make up a dataset Stratus wrote. Under the dataset's root:
 *
 *   _stratus/log/<version, 20 digits>.json   one snapshot per commit: the complete file list
 *   _stratus/commits/<jobId>.json           a commit in progress (commit.ts)
 *
 * The newest snapshot IS the dataset for Stratus readers. A commit creates the next version with
 * one put-if-absent (the commit point: exactly one writer wins each version); files a snapshot
 * names are never modified, and are deleted only once a newer snapshot no longer names them.
 * A directory without a log (written by another tool) is read by listing it; the first Stratus
 * commit there records that listing as version 0 before it changes anything, so a reader that
 * listed the directory and then finds no log knows its listing was not mid-commit.
 *
 * A reader pins the version it planned against: it reads exactly that snapshot's files. Files a
 * newer version drops (overwrite) are not deleted at its commit but RETIRED: the snapshot lists
 * them with the time after which they may go, and they are deleted by a later commit of the path
 * or by `session.gc()` once that time has passed (commit.ts `vacuumDataset`), so a reader still
 * reading an older version finds its files for the whole retention period.
 */
import { StorageError } from '../../planner/errors.js';
import { expandDataset, isGlob } from '../storage/dataset.js';
import { getJson, type ObjectInfo, type ObjectStore } from '../storage/store.js';

export const LOG_DIR = '_stratus/log';
export const COMMITS_DIR = '_stratus/commits';
/** Snapshots kept after a commit (a reader that listed the log still finds the one it chose). */
const KEEP_VERSIONS = 10;
/**
 * How long files a commit drops stay for readers of older versions (ms). Shorter than Delta's
 * vacuum default (7 days): engines that list the directory see them until they go.
 */
export const DEFAULT_FILE_RETENTION_MS = 3600_000;

/** Test hook: called when a reader pins a dataset version (undefined: a directory without a log). */
export const datasetLogHooks: { afterPin?: (url: string, version: number | undefined) => void | Promise<void> } = {};

export interface SnapshotFile {
  /** Key relative to the dataset root, e.g. `k=a/part-00000-<job>-<tag>.parquet`. */
  readonly path: string;
  readonly size: number;
  readonly rows?: number;
}

export interface Snapshot {
  readonly format: 'stratus-dataset/1';
  readonly version: number;
  /** The job that committed it ('adopted' for a listing recorded as version 0). */
  readonly jobId: string;
  /** Tells two writers of one version apart when a store ignores put-if-absent. */
  readonly nonce: string;
  readonly files: readonly SnapshotFile[];
  readonly committedAt: string;
  /** Files earlier versions named that this one does not, kept for their readers until `deleteAfter`. */
  readonly retired?: readonly RetiredFile[];
}

/** A file no longer in the dataset, still there for readers of the versions that named it. */
export interface RetiredFile {
  readonly path: string;
  readonly size: number;
  /** Epoch ms of the commit that dropped it. */
  readonly retiredAt: number;
  /** Epoch ms after which a commit or gc deletes it (retiredAt + the writer's retention). */
  readonly deleteAfter: number;
}

/** `<root>/` or '' for a dataset at the store's root. */
export const under = (root: string, rel: string) => (root ? `${root}/${rel}` : rel);

export const versionKey = (root: string, version: number) =>
  under(root, `${LOG_DIR}/${String(version).padStart(20, '0')}.json`);

/** Versions in the log, oldest first. */
export async function logVersions(store: ObjectStore, root: string): Promise<number[]> {
  const objects = await store.list(under(root, `${LOG_DIR}/`));
  return objects.flatMap((o) => {
    const m = /\/(\d{20})\.json$/.exec(o.key);
    return m ? [Number(m[1])] : [];
  });
}

/** The newest snapshot, or undefined when the directory has no log. */
export async function latestSnapshot(store: ObjectStore, root: string): Promise<Snapshot | undefined> {
  for (let tries = 0; ; tries++) {
    const versions = await logVersions(store, root);
    if (!versions.length) return undefined;
    try {
      return await getJson<Snapshot>(store, versionKey(root, versions.at(-1)!));
    } catch (e) {
      // Pruned between the list and the get (KEEP_VERSIONS commits since): list again.
      if ((e as { code?: string }).code !== 'NOT_FOUND' || tries >= 3) throw e;
    }
  }
}

/** The snapshot of one version, or undefined. */
export async function snapshotAt(store: ObjectStore, root: string, version: number): Promise<Snapshot | undefined> {
  return (await store.head(versionKey(root, version)))
    ? getJson<Snapshot>(store, versionKey(root, version))
    : undefined;
}

/**
 * Create a version: true if this snapshot is now that version, false if another writer's is.
 * The snapshot is read back, so a store that ignores the condition still names one winner
 * unless two writers race within one request's time.
 */
export async function createSnapshot(store: ObjectStore, root: string, snap: Snapshot): Promise<boolean> {
  const key = versionKey(root, snap.version);
  await store.putIfAbsent(key, new TextEncoder().encode(JSON.stringify(snap)));
  const there = await getJson<Snapshot>(store, key);
  return there.jobId === snap.jobId && there.nonce === snap.nonce;
}

/** Delete snapshots older than the newest KEEP_VERSIONS. */
export async function pruneLog(store: ObjectStore, root: string): Promise<void> {
  const versions = await logVersions(store, root);
  const old = versions.slice(0, Math.max(0, versions.length - KEEP_VERSIONS));
  if (old.length) await store.delete(old.map((v) => versionKey(root, v)));
}

/** The data files a directory holds when it has no log (another tool's output), [] if none. */
export async function listedFiles(store: ObjectStore, root: string, url: string): Promise<ObjectInfo[]> {
  try {
    return await expandDataset(store, root, url);
  } catch (e) {
    if ((e as { code?: string }).code === 'NOT_FOUND') return [];
    throw e;
  }
}

const snapshotObjects = (root: string, snap: Snapshot): ObjectInfo[] =>
  snap.files.map((f) => ({ key: under(root, f.path), size: f.size }));

/**
 * The Parquet files of a dataset location as a Stratus reader sees them: a file; a glob's
 * matches; a directory's newest snapshot; or, for a directory without a log, its listing —
 * checked against the log afterwards, since the first commit there creates the log first.
 */
export async function datasetObjects(store: ObjectStore, key: string, url: string): Promise<ObjectInfo[]> {
  if (isGlob(key)) return expandDataset(store, key, url);
  for (let tries = 0; ; tries++) {
    const snap = await latestSnapshot(store, key);
    if (snap) {
      if (!snap.files.length)
        throw new StorageError(
          'NOT_FOUND',
          `dataset '${url}' does not exist (version ${snap.version} of its log holds no files)`,
          { path: url, version: snap.version },
        );
      await datasetLogHooks.afterPin?.(url, snap.version);
      return snapshotObjects(key, snap);
    }
    const listed = await expandDataset(store, key, url);
    if (listed.length === 1 && listed[0]!.key === key) return listed; // a single file
    if ((await logVersions(store, key)).length === 0) {
      await datasetLogHooks.afterPin?.(url, undefined);
      return listed;
    }
    // A commit started while we listed: read its log instead (it names the version we saw).
    if (tries >= 3) throw new StorageError('DATASET_CHANGING', `dataset '${url}' kept changing while read`);
  }
}
