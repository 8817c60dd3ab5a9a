/**
 * Bounded parallelism for batches of store requests.
 */

/**
 * Run `fn` over `items` with at most `limit` calls in flight; results in input order.
 * The first failure rejects, and no new call starts after it (calls already running finish).
 *
 * @example
 * const sizes = await mapLimit(keys, 8, async (k) => (await store.head(k))?.size);
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
