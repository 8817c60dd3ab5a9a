/**
 * Reader pins of a job (datasetLog.ts): the dataset versions its planning read, pinned so that an
 * overwrite committing meanwhile keeps the files of those versions until the job is done. The
 * job store lists them (`jobs/<id>/pins.json`: path, version, lifetime) so that whoever keeps the
 * job alive renews them — the local runner with its job lease, and every driver step — and the
 * job's end (success or failure, or its runner's end) releases them: the pin objects go, and each
 * pinned dataset's retired files are swept at once (commit.ts `vacuumDataset`, the one sweep).
 * A reader that dies stops renewing: its pins expire after their lifetime and hold nothing.
 */
import { getJson, putJson, type ObjectStore, type StoreRef } from '../storage/store.js';
import { locate } from '../storage/url.js';
import { vacuumDataset } from './retiredFiles.js';
import { pinKey, type Pin, type PinHolder } from './datasetLog.js';
import type { RuntimeEnv } from './env.js';
import { jobKeys } from './jobState.js';
import { leaseOwner } from './lease.js';

/** Default lifetime of a reader pin from each renewal (job option `readPinMs`). */
export const DEFAULT_READ_PIN_MS = 10 * 60_000;

/** One pinned version, as the job store lists it. */
interface PinEntry {
  readonly path: string;
  readonly version: number;
  readonly ttlMs: number;
}

const pinsKey = (jobId: string) => `${jobKeys(jobId).base}/pins.json`;

async function entries(jobs: ObjectStore, jobId: string): Promise<PinEntry[]> {
  const key = pinsKey(jobId);
  return (await jobs.head(key)) ? getJson<PinEntry[]>(jobs, key).catch(() => []) : [];
}

const pinOf = (jobId: string, ttlMs: number): Pin => ({ jobId, owner: leaseOwner(), until: Date.now() + ttlMs, ttlMs });

/**
 * The pin holder of job `jobId`'s planning: lists each pin in the job store, then writes it.
 * `pinned` tells whether it was asked to pin anything (the job state records it: a job that
 * pinned nothing has nothing to renew or release).
 */
export function readerPins(
  env: RuntimeEnv,
  storeRef: StoreRef,
  jobId: string,
  ttlMs = DEFAULT_READ_PIN_MS,
): PinHolder & { readonly pinned: boolean } {
  const jobs = env.store(storeRef);
  let pinned = false;
  return {
    get pinned() {
      return pinned;
    },
    async pin(store, root, path, version) {
      pinned = true;
      const listed = await entries(jobs, jobId);
      if (!listed.some((e) => e.path === path && e.version === version))
        await putJson(jobs, pinsKey(jobId), [...listed, { path, version, ttlMs }]);
      await putJson(store, pinKey(root, version, jobId), pinOf(jobId, ttlMs));
    },
    async unpin(store, root, version) {
      await store.delete([pinKey(root, version, jobId)]);
    },
  };
}

/**
 * Extend every pin of a job by its lifetime, once a third of it has passed. A pin released meanwhile stays released: release
 * deletes the job's list first, and a renewal that finds the list gone afterwards deletes the
 * pin it may have written back.
 */
export async function renewPins(env: RuntimeEnv, storeRef: StoreRef, jobId: string): Promise<void> {
  const jobs = env.store(storeRef);
  for (const e of await entries(jobs, jobId)) {
    const loc = locate(e.path, storeRef);
    const store = env.store(loc.ref);
    const key = pinKey(loc.key, e.version, jobId);
    const pin = (await store.head(key)) ? await getJson<Pin>(store, key).catch(() => undefined) : undefined;
    if (!pin) continue; // unpinned (not the newest version), or released
    if (pin.until - Date.now() > (2 * e.ttlMs) / 3) continue; // renewed recently enough
    await putJson(store, key, pinOf(jobId, e.ttlMs));
    if (!(await jobs.head(pinsKey(jobId)))) await store.delete([key]);
  }
}

/**
 * The job is done reading: delete its pins and sweep the retired files of each dataset it
 * pinned (those only its pins held go now). Idempotent.
 */
export async function releasePins(env: RuntimeEnv, storeRef: StoreRef, jobId: string): Promise<void> {
  const jobs = env.store(storeRef);
  const listed = await entries(jobs, jobId);
  if (!listed.length) return;
  await jobs.delete([pinsKey(jobId)]); // first: a renewal in flight then undoes its own write
  for (const e of listed) {
    const loc = locate(e.path, storeRef);
    await env.store(loc.ref).delete([pinKey(loc.key, e.version, jobId)]);
  }
  for (const path of new Set(listed.map((e) => e.path))) await vacuumDataset(path, env, storeRef);
}
