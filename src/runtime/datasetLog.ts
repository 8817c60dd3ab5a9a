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
 * A reader reads exactly the snapshot it planned against, and a job's reader PINS that version:
 *
 *   _stratus/pins/<version, 20 digits>/<jobId>.json   { jobId, owner, until, ttlMs }
 *
 * written before it reads any file and checked against the log afterwards (a version that is no
 * longer the newest once pinned is unpinned and the newest taken instead), renewed while the job
 * runs and deleted when it ends (pins.ts). Files a newer version drops (overwrite) are listed
 * by its snapshot as RETIRED and deleted right after its commit point by the one retired-file
 * sweep (commit.ts `sweepRetired`) unless a live pin is on a version that names them (or the
 * writer asked for extra retention, `fileRetentionMs`); held files go at the next sweep after
 * the pin is released or expired: the reader's release, the next commit of the path, or gc.
 * Since a commit sweeps after its flip and a reader checks the log after pinning, either the
 * sweep sees the pin or the reader sees the new version.
 */
import { StorageError } from '../../planner/errors.js';
import { expandDataset, isGlob } from '../storage/dataset.js';
import { getJson, type ObjectInfo, type ObjectStore } from '../storage/store.js';

export const LOG_DIR = '_stratus/log';
export const COMMITS_DIR = '_stratus/commits';
export const PINS_DIR = '_stratus/pins';
/** Snapshots kept after a commit (a reader that listed the log still finds the one it chose). */
const KEEP_VERSIONS = 10;
/**
 * How long files a commit drops stay beyond what pinned readers need (ms). 0: engines that list
 * the directory see old files only while a Stratus reader is reading the old version.
 */
export const DEFAULT_FILE_RETENTION_MS = 0;

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

/** A reader's pin on one version (`_stratus/pins/<version>/<jobId>.json`). */
export interface Pin {
  readonly jobId: string;
  /** Who holds it: `host:pid`. */
  readonly owner: string;
  /** Epoch ms after which the pin no longer holds files (a reader that died). */
  readonly until: number;
  /** The pin's lifetime from each renewal (ms). */
  readonly ttlMs: number;
}

/** How a job's planning pins the versions it reads (pins.ts `readerPins`). */
export interface PinHolder {
  /** Pin `version` of the dataset at `root` (recording it for renewal and release first). */
  pin(store: ObjectStore, root: string, url: string, version: number): Promise<void>;
  /** Drop a pin taken on a version that turned out not to be the newest. */
  unpin(store: ObjectStore, root: string, version: number): Promise<void>;
}

export const pinKey = (root: string, version: number, jobId: string) =>
  under(root, `${PINS_DIR}/${String(version).padStart(20, '0')}/${jobId}.json`);

/**
 * The files live pins hold: those of every version a live pin is on ('all' when such a version's
 * snapshot is no longer kept). Expired pins are deleted on the way.
 */
export async function pinnedFiles(store: ObjectStore, root: string, now = Date.now()): Promise<Set<string> | 'all'> {
  const held = new Set<string>();
  const expired: string[] = [];
  const versions = new Set<number>();
  for (const o of await store.list(under(root, `${PINS_DIR}/`))) {
    const m = /\/(\d{20})\/[^/]+\.json$/.exec(o.key);
    if (!m) continue;
    const pin = await getJson<Pin>(store, o.key).catch(() => undefined);
    if (!pin) continue; // released meanwhile
    if (pin.until > now) versions.add(Number(m[1]));
    else expired.push(o.key);
  }
  if (expired.length) await store.delete(expired);
  for (const v of versions) {
    const snap = await snapshotAt(store, root, v).catch(() => undefined);
    if (!snap) return 'all';
    for (const f of snap.files) held.add(f.path);
  }
  return held;
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
export async function datasetObjects(
  store: ObjectStore,
  key: string,
  url: string,
  pins?: PinHolder,
): Promise<ObjectInfo[]> {
  if (isGlob(key)) return expandDataset(store, key, url);
  for (let tries = 0; ; tries++) {
    if (tries > 5)
      throw new StorageError('DATASET_CHANGING', `dataset '${url}' kept changing while read`, { path: url });
    const snap = await latestSnapshot(store, key);
    if (snap) {
      if (!snap.files.length)
        throw new StorageError(
          'NOT_FOUND',
          `dataset '${url}' does not exist (version ${snap.version} of its log holds no files)`,
          { path: url, version: snap.version },
        );
      if (pins) {
        await pins.pin(store, key, url, snap.version);
        // A commit that flipped before the pin was written may not have seen it: take the newest.
        if ((await logVersions(store, key)).at(-1) !== snap.version) {
          await pins.unpin(store, key, snap.version);
          continue;
        }
      }
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
  }
}
