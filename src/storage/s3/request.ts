/**
 * The one request path of an S3Store: each attempt (and each straggler duplicate) counted in the
 * store's stats, retried with jittered backoff (src/util/retry.ts), hedged against stragglers
 * within a duplicate budget where asked (straggler.ts), run in a socket slot of its lane
 * (client.ts), and a final failure raised as a StorageError naming the store, bucket, operation
 * and key (errors.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { StoreStats } from '../store.js';
import { withRetry, type RetryPolicy } from '../../util/retry.js';
import { socketSlots } from './client.js';
import { toStorageError } from './errors.js';
import { hedged, type HedgeLane, type StragglerPolicy } from './straggler.js';

/** The request counters of StoreStats. */
export type Counter = 'get' | 'put' | 'list' | 'head' | 'delete';

/** What the request path works with: the store's stats, clients (one per lane) and policies. */
export interface RequestContext {
  readonly stats: StoreStats;
  readonly clients: readonly [S3Client, S3Client];
  readonly retry: RetryPolicy;
  readonly straggler: StragglerPolicy;
  /** Named in errors. */
  readonly url: string;
  readonly endpoint: string;
  readonly bucket: string;
}

export type S3Requester = ReturnType<typeof s3Requester>;

/** The lane of a request that is not hedged (a fresh signal: the SDK adds a listener per request). */
const unhedged = (): HedgeLane => ({ lane: 0, signal: new AbortController().signal, expectBytes: () => {} });

/**
 * The request function of a store, the one request path: each attempt (and each straggler
 * duplicate) counts as one `op` request; `bytes` (a PUT body) count as bytes out when the attempt
 * succeeds.
 */
export function s3Requester(c: RequestContext) {
  /** Straggler duplicates stay a small share of the requests (see StragglerPolicy). */
  const withinDuplicateBudget = (): boolean =>
    c.stats.duplicates < c.straggler.duplicateBurst + c.straggler.maxDuplicateFraction * (c.stats.get + c.stats.put);
  return async function request<T>(
    op: Counter,
    operation: string,
    key: string | undefined,
    s3Key: string | undefined,
    opts: { hedge: boolean; bytes: number },
    send: (client: S3Client, lane: HedgeLane) => Promise<T>,
  ): Promise<T> {
    const once = async (h: HedgeLane): Promise<T> => {
      c.stats[op]++;
      if (h.lane === 1) c.stats.duplicates++;
      const out = await send(c.clients[h.lane], h);
      if (op === 'put') c.stats.bytesOut += opts.bytes;
      return out;
    };
    // A request holds a socket slot of its lane from send to the end of its body (see
    // socketSlots): the original's slot is taken before the straggler clock starts, and a
    // duplicate that is no longer needed gives up its wait for a slot.
    const inSlot = async <R>(lane: 0 | 1, signal: AbortSignal | undefined, f: () => Promise<R>): Promise<R> => {
      const release = await socketSlots(c.clients[lane]).acquire(signal);
      try {
        return await f();
      } finally {
        release();
      }
    };
    const attempt = (): Promise<T> =>
      opts.hedge && c.straggler.enabled
        ? inSlot(0, undefined, () =>
            hedged(
              (h) => (h.lane === 0 ? once(h) : inSlot(1, h.signal, () => once(h))),
              c.straggler,
              opts.bytes,
              undefined,
              withinDuplicateBudget,
            ),
          )
        : inSlot(0, undefined, () => once(unhedged()));
    try {
      return await withRetry(attempt, {
        ...c.retry,
        onRetry: () => {
          c.stats.retries++;
          if (op === 'get') c.stats.retriedGets++;
          else if (op === 'put') c.stats.retriedPuts++;
        },
      });
    } catch (e) {
      throw toStorageError(e, { store: c.url, endpoint: c.endpoint, bucket: c.bucket, operation, key, s3Key });
    }
  };
}
