/**
 * Datasets: a data location names a file, a directory or a glob; `expandDataset` lists the
 * Parquet files it covers (hidden and temporary files left out). Where a URL lives is url.ts's
 * business (`locate`).
 */
import { StorageError } from '../../planner/errors.js';
import type { ObjectInfo, ObjectStore } from './store.js';

const GLOB = /[*?[]/;

/** Whether a key is a glob pattern (`*`, `?`, `[`) rather than a file or directory. */
export const isGlob = (key: string): boolean => GLOB.test(key);

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&').replace('[', '[');
  }
  return new RegExp(`^${re}$`);
}

/** Data files only: no hidden (`_x`, `.x`) file or directory below the dataset root, no temp files. */
const isDataFile = (key: string, root: string): boolean => {
  const rel = key.startsWith(root) ? key.slice(root.length) : key.slice(key.lastIndexOf('/') + 1);
  return !rel.split('/').some((seg) => seg.startsWith('_') || seg.startsWith('.')) && !rel.includes('.tmp-');
};

/**
 * Keys in natural order: runs of digits compare as numbers, everything else by code unit, so
 * the files a writer numbered without padding read in the order written (part-2 before
 * part-10) — files sorted by a key then hand scans and builds their keys ascending. Ties (equal
 * numbers spelled with other zeros) fall back to code-unit order.
 * @example ['part-10', 'part-2', 'part-1'].sort(naturalOrder) // ['part-1', 'part-2', 'part-10']
 */
export function naturalOrder(a: string, b: string): number {
  const run = /\d+|\D+/g;
  const xs = a.match(run) ?? [];
  const ys = b.match(run) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    if (isDigit(x) && isDigit(y)) {
      const u = x.replace(/^0+(?=\d)/, '');
      const v = y.replace(/^0+(?=\d)/, '');
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return xs.length !== ys.length ? xs.length - ys.length : a < b ? -1 : a > b ? 1 : 0;
}

const isDigit = (run: string): boolean => run.charCodeAt(0) >= 48 && run.charCodeAt(0) <= 57;

const byKey = (a: ObjectInfo, b: ObjectInfo): number => naturalOrder(a.key, b.key);

/** The Parquet files a dataset location covers, in natural order of their keys (naturalOrder). Missing → a clear error. */
export async function expandDataset(store: ObjectStore, key: string, url: string): Promise<ObjectInfo[]> {
  if (GLOB.test(key)) {
    const firstGlob = key.search(GLOB);
    const dir = key.slice(0, key.lastIndexOf('/', firstGlob) + 1);
    const re = globToRegExp(key);
    const files = (await store.list(dir)).filter((o) => re.test(o.key) && isDataFile(o.key, dir));
    if (!files.length) throw new StorageError('NO_FILES', `no files match '${url}'`, { path: url });
    return files.sort(byKey);
  }
  const file = await store.head(key);
  if (file) return [file];
  const files = (await store.list(key ? `${key}/` : '')).filter(
    (o) => isDataFile(o.key, key ? `${key}/` : '') && o.size > 0,
  );
  if (!files.length)
    throw new StorageError(
      'NOT_FOUND',
      `dataset '${url}' does not exist (no file or directory with Parquet files there)`,
      { path: url },
    );
  return files.sort(byKey);
}
