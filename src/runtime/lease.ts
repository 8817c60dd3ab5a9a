/**
 * Leases: proof of life with an expiry, instead of a status that stays "running" forever when
 * its process dies. The holder renews on a timer that never keeps the process alive (unref);
 * anyone may treat an expired lease as a dead holder. A job's lease (`jobs/<id>/lease.json`) is
 * held by whoever runs its state machine; a session's (`sessions/<id>/lease.json`) by the session
 * while it keeps cached results (cache.ts), so `gc` can tell a crashed session's copies from a
 * live one's; a commit record carries its own (commit.ts).
 */
import * as os from 'node:os';
import { getJson, putJson, type ObjectStore } from '../storage/store.js';
import { jobKeys } from './jobState.js';

export interface Lease {
  /** Who holds it: `host:pid`. */
  readonly owner: string;
  /** Epoch ms after which the holder counts as dead. */
  readonly until: number;
  /** The holder ended its work and let go (a crashed holder never does). */
  readonly released?: boolean;
}

/** Default lease of a job's runner: renewed every third of it. */
export const JOB_LEASE_MS = 30_000;

export const leaseOwner = (): string => `${os.hostname()}:${process.pid}`;

export const isLive = (lease: Lease | undefined, now = Date.now()): boolean =>
  lease !== undefined && !lease.released && lease.until > now;

/**
 * Call `renew` every `everyMs` until stopped, one call at a time, on a timer that does not hold
 * the event loop. `stop` waits for a renewal in flight, so nothing is written after it resolves.
 */
export function heartbeat(renew: () => Promise<void>, everyMs: number): { stop(): Promise<void> } {
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(
    () => {
      if (stopped) return;
      inFlight = inFlight.then(() => (stopped ? undefined : renew().catch(() => undefined)));
    },
    Math.max(20, everyMs),
  );
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

export async function readJobLease(store: ObjectStore, jobId: string): Promise<Lease | undefined> {
  const key = jobKeys(jobId).lease;
  return (await store.head(key)) ? getJson<Lease>(store, key) : undefined;
}

/**
 * Hold a job's lease while its state machine runs: written now, renewed every third of `ttlMs`,
 * released (marked, with the time) when the run ends.
 */
export function holdJobLease(
  store: ObjectStore,
  jobId: string,
  ttlMs = JOB_LEASE_MS,
): Promise<{ release(): Promise<void> }> {
  return holdLease(store, jobKeys(jobId).lease, ttlMs);
}

/** Hold the lease at `key`: written now, renewed every third of `ttlMs`, marked released by `release()`. */
export async function holdLease(
  store: ObjectStore,
  key: string,
  ttlMs = JOB_LEASE_MS,
): Promise<{ release(): Promise<void> }> {
  const owner = leaseOwner();
  const write = () => putJson(store, key, { owner, until: Date.now() + ttlMs } satisfies Lease);
  await write();
  const beat = heartbeat(write, ttlMs / 3);
  return {
    async release() {
      await beat.stop();
      await putJson(store, key, { owner, until: Date.now(), released: true } satisfies Lease);
    },
  };
}
