/**
 * Straggler mitigation by hedged requests: when a request runs past k× its expected time
 * (expected = latency + bytes / bandwidth, never below a floor), a duplicate is started on a
 * fresh connection; the first success wins and the other one is aborted. Only idempotent
 * requests are hedged (GET, range GET, PUT of the same key and body, multipart part uploads).
 *
 * PUTs are hedged only where a PUT is atomic. AWS S3 never exposes a partial object: a PUT
 * aborted mid-body fails and leaves the key as it was, so aborting the losing copy is safe.
 * An S3-compatible server need not be: s3rver opens (truncates) the object file when a PUT
 * starts streaming, so the aborted losing copy of a hedged PUT leaves the key empty or
 * half-written — after the winner succeeded. S3Store therefore hedges PUTs by default only
 * without a custom endpoint (see `puts`).
 */

/** When to duplicate a slow request. */
export interface StragglerPolicy {
  /** false: never duplicate. */
  readonly enabled: boolean;
  /** Expected time to first byte, in ms. */
  readonly latencyMs: number;
  /** Expected transfer rate, in bytes per second. */
  readonly bytesPerSecond: number;
  /** Duplicate after `factor` × expected time... */
  readonly factor: number;
  /** ...but never before this many ms. */
  readonly floorMs: number;
  /**
   * Also hedge PUTs and multipart part uploads. Default (when absent): true on AWS S3, whose
   * PUTs are atomic; false with a custom endpoint, whose server may expose a half-written
   * object when the losing copy is aborted.
   */
  readonly puts?: boolean;
  /**
   * Budget: duplicates stay below `duplicateBurst` + this fraction of the store's requests.
   * When everything is slow — a saturated server, or a client whose requests queue for
   * sockets (the deadline runs from the call, queueing included) — duplicating every request
   * doubles the load and makes it worse; the budget keeps hedging for the real stragglers.
   */
  readonly maxDuplicateFraction: number;
  /** Duplicates allowed on top of the fraction (so a young store can hedge at all). */
  readonly duplicateBurst: number;
}

export const DEFAULT_STRAGGLER: StragglerPolicy = {
  enabled: true,
  latencyMs: 30,
  bytesPerSecond: 100e6,
  factor: 3,
  floorMs: 150,
  maxDuplicateFraction: 0.1,
  duplicateBurst: 8,
};

/** Ms after which a request moving `bytes` counts as a straggler. */
export function stragglerDeadlineMs(policy: StragglerPolicy, bytes: number): number {
  const expected = policy.latencyMs + (bytes / policy.bytesPerSecond) * 1000;
  return Math.max(policy.floorMs, policy.factor * expected);
}

/** What one copy of a hedged request is given. */
export interface HedgeLane {
  /** 0 for the original request, 1 for the duplicate (use a different connection pool). */
  readonly lane: 0 | 1;
  /** Aborted when the other copy won. */
  readonly signal: AbortSignal;
  /** Report the size once known (e.g. from response headers): re-arms the straggler deadline. */
  expectBytes(bytes: number): void;
}

/**
 * Run `request` and, if it is still running at its straggler deadline, a duplicate of it.
 * Resolves with the first success; rejects (with the original's error) only when every
 * started copy failed. `onDuplicate` is called when the duplicate starts; `mayDuplicate`
 * (a duplicate budget) is asked at the deadline, and a `false` lets the original run alone.
 *
 * @example
 * const bytes = await hedged((h) => getObject(clients[h.lane], key, h.signal), policy, size, () => stats.duplicates++);
 */
export function hedged<T>(
  request: (lane: HedgeLane) => Promise<T>,
  policy: StragglerPolicy,
  knownBytes: number,
  onDuplicate: () => void = () => {},
  mayDuplicate: () => boolean = () => true,
): Promise<T> {
  const controllers = [new AbortController(), new AbortController()] as const;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let running = 0;
  let duplicated = false;
  let firstError: { error: unknown } | undefined;

  return new Promise<T>((resolve, reject) => {
    const arm = (bytes: number): void => {
      if (!policy.enabled || settled || duplicated) return;
      clearTimeout(timer);
      const wait = Math.max(0, stragglerDeadlineMs(policy, bytes) - (Date.now() - started));
      timer = setTimeout(() => {
        if (settled || duplicated) return;
        duplicated = true;
        if (!mayDuplicate()) return;
        onDuplicate();
        launch(1);
      }, wait);
      timer.unref?.();
    };
    const launch = (lane: 0 | 1): void => {
      running++;
      const h: HedgeLane = {
        lane,
        signal: controllers[lane].signal,
        expectBytes: (bytes) => {
          if (lane === 0) arm(bytes);
        },
      };
      let p: Promise<T>;
      try {
        p = request(h);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          controllers[lane === 0 ? 1 : 0].abort();
          resolve(value);
        },
        (error) => {
          running--;
          if (settled) return;
          if (lane === 0 || !firstError) firstError = { error };
          // The other copy is still running: wait for it. Otherwise every copy failed.
          if (running > 0) return;
          settled = true;
          clearTimeout(timer);
          reject(firstError.error);
        },
      );
    };
    launch(0);
    arm(knownBytes);
  });
}
