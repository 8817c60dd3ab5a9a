/**
 * Retired files: those an overwrite dropped, which the new snapshot lists until a sweep deletes
 * them (retention passed, no live reader pin holds them). A commit sweeps right after its flip;
 * `vacuumDataset` (a pin's release) and `vacuumRetired` (gc, over the job store's list of
 * datasets with retired files) sweep later.
 */
import { createHash } from 'node:crypto';
import { getJson, putJson, type StoreRef } from '../storage/store.js';
import { latestSnapshot, pinnedFiles, under, type RetiredFile, type SnapshotFile } from './datasetLog.js';
import { deleteKeys, destination, type Dest } from './commitRecord.js';
import type { RuntimeEnv } from './env.js';

/** The job store's entry for a dataset with retired files (`{ path }`), read by gc. */
const RETIRED_DIR = 'datasets/';
export const retiredEntry = (url: string) =>
  `${RETIRED_DIR}${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`;

/**
 * The retired-file sweep (the one way retired files are deleted): delete those not in `live`
 * whose retention has passed (`fileRetentionMs`, when given, replaces the one each commit
 * recorded, measured from the retirement) and that no live reader pin holds. Returns how many
 * went and the retired files still kept.
 */
export async function sweepRetired(
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
  await deleteKeys(
    d,
    gone.map((r) => under(d.root, r.path)),
  );
  return { deleted: gone.length, kept: candidates.filter((r) => !due(r)) };
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
