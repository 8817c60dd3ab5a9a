/**
 * Datasets of a plan: expands every scan path into its Parquet files (a dataset Stratus wrote:
 * the files of its newest committed version, datasetLog.ts) and reads their footers (bounded
 * parallelism), giving the analyzer its catalog and the driver its row groups.
 */
import type { Catalog } from '../../planner/analyzer.js';
import { PlanError } from '../../planner/errors.js';
import type { PlanNode, PlanOf } from '../../planner/plan.js';
import { collectScans } from '../../planner/plan.js';
import { datasetSchema } from '../../planner/schemaMerge.js';
import type { Schema } from '../../planner/types.js';
import { FooterCache, readFooter, type FileFooter } from '../../operators/parquet.js';
import { locate, urlOf } from '../storage/url.js';
import { mapLimit } from '../util/limit.js';
import { rangeReader } from './files.js';
import { datasetObjects, type PinHolder } from './datasetLog.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
import type { RuntimeEnv } from './env.js';
import { partitionFields, partitionValuesOf, type PartitionValues } from './partitions.js';
import { checkTextFiles, textFooter, textSchema } from './textCatalog.js';
import { arrowFooter } from '../../operators/arrowScan.js';

type Scan = PlanOf<'Scan'>;

/** Bytes a footer read fetches from a file's end at once (hyparquet's initial fetch). */
const FOOTER_FETCH = 512 * 1024;
/** Footers kept per instance (a driver or client planning many jobs over the same files). */
const footerCache = new FooterCache<FileFooter>(1024);

/**
 * A Parquet file's footer, parsed once per instance while its bytes stay the same. A file of the
 * cached size is checked by reading just its cached footer's bytes (footer, length, magic) from its
 * end — one small read instead of FOOTER_FETCH — and comparing them: equal bytes are the same
 * footer, so a file rewritten in place (another footer, or the same size with other statistics)
 * is read and parsed again.
 */
async function footerOf(store: ObjectStore, key: string, size: number, url: string): Promise<FileFooter> {
  const r = rangeReader(store, key, size, url);
  if (size < 12) return readFooter(r);
  const hit = await footerCache.get(r);
  if (hit) return hit;
  const from = Math.max(0, size - FOOTER_FETCH);
  const end = await r.read(from, size);
  // Parsed from the bytes just read (a footer longer than them reads the rest).
  const footer = await readFooter({
    ...r,
    read: (a, b) => (a >= from && b <= size ? Promise.resolve(end.subarray(a - from, b - from)) : r.read(a, b)),
  });
  footerCache.set(r, end, footer);
  return footer;
}

export interface DatasetFile {
  readonly url: string;
  readonly size: number;
  readonly footer: FileFooter;
  /** Hive-style partition values from the file's directories (empty when not partitioned). */
  readonly partitionValues: PartitionValues;
}

export interface Datasets {
  readonly catalog: Catalog;
  readonly files: ReadonlyMap<string, readonly DatasetFile[]>;
  /** Compressed bytes per column over all files of each dataset. */
  readonly columnBytes: ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** Numeric min/max per column over all row groups (from footer statistics). */
  readonly columnRanges: ReadonlyMap<string, Readonly<Record<string, { min: number; max: number }>>>;
}

/** A footer read on an earlier driver call (planning large inputs over several calls). */
export interface KnownFooter {
  readonly url: string;
  readonly size: number;
  readonly footer: FileFooter;
}

export interface LoadOptions {
  /** Footers already read, by file URL. */
  readonly known?: ReadonlyMap<string, KnownFooter>;
  /** Read at most this many new footers; then stop and report what was read. */
  readonly budget?: number;
  /** Restrict datasets to these file URLs. */
  readonly onlyFiles?: readonly string[];
  /** Read only the first footer of each dataset (enough for names and types). */
  readonly schemaOnly?: boolean;
  /** Pin the dataset versions read (a job's planning: pins.ts `readerPins`). */
  readonly pins?: PinHolder;
}

/** Thrown when the footer budget runs out: carries the footers read so far. */
export class PlanningIncomplete extends Error {
  constructor(readonly footers: KnownFooter[]) {
    super(`planning needs more driver calls (${footers.length} footers read in this one)`);
  }
}

export async function loadDatasets(
  root: PlanNode,
  env: RuntimeEnv,
  storeRef?: StoreRef,
  opts: LoadOptions = {},
): Promise<Datasets> {
  const fresh: KnownFooter[] = [];
  let budget = opts.budget ?? Infinity;
  const merging = new Map<string, string>();
  const scans: Scan[] = [];
  for (const scan of collectScans(root)) {
    const merge = scan.mergeSchema === true;
    const how = JSON.stringify({ merge, format: scan.format, text: scan.text ?? null });
    if (merging.has(scan.path) && merging.get(scan.path) !== how)
      throw new PlanError(
        'CONFLICTING_READ_OPTIONS',
        `'${scan.path}' is read with different formats or options in one job (${merging.get(scan.path)} and ${how}); read it one way`,
        { path: scan.path },
      );
    if (!merging.has(scan.path)) scans.push(scan);
    merging.set(scan.path, how);
  }
  // Pins are listed in one object of the job store (read, then written): one at a time.
  const pins = opts.pins && oneAtATime(opts.pins);
  const loadOne = async (scan: Scan): Promise<LoadedDataset> => {
    const merge = scan.mergeSchema === true;
    const loc = locate(scan.path, storeRef);
    const store = env.store(loc.ref);
    const all = await datasetObjects(store, loc.key, scan.path, pins);
    const objects = opts.onlyFiles ? all.filter((o) => opts.onlyFiles!.includes(urlOf(loc.ref, o.key))) : all;
    if (!objects.length)
      throw new PlanError('EMPTY_DATASET', `no files to read in '${scan.path}'`, { path: scan.path });
    const parquetFiles = async (): Promise<{ found: DatasetFile[]; schema: Schema }> => {
      const missing = objects.filter((o) => !opts.known?.has(urlOf(loc.ref, o.key)));
      if (missing.length > budget) {
        // Read what this call may, and hand them back to be saved for the next call.
        const part = await mapLimit(missing.slice(0, budget), 16, async (o) => {
          const url = urlOf(loc.ref, o.key);
          return { url, size: o.size, footer: await footerOf(store, o.key, o.size, url) };
        });
        throw new PlanningIncomplete([...fresh, ...part]);
      }
      budget -= missing.length;
      // Schema-only loads (the client's checks before submitting) read one footer per dataset
      // unless schemas merge; the driver reads them all when it plans.
      const read = opts.schemaOnly && !merge ? objects.slice(0, 1) : objects;
      const found = await mapLimit(read, 16, async (o) => {
        const url = urlOf(loc.ref, o.key);
        const known = opts.known?.get(url);
        const footer = known?.footer ?? (await footerOf(store, o.key, o.size, url));
        if (!known) fresh.push({ url, size: o.size, footer });
        return { url, size: o.size, footer, partitionValues: partitionValuesOf(o.key, loc.key ? `${loc.key}/` : '') };
      });
      // Files match by column name, in any order; with mergeSchema they may also differ.
      return {
        found,
        schema: datasetSchema(
          found.map((f) => ({ file: f.url, schema: f.footer.schema })),
          merge,
        ),
      };
    };
    let found: DatasetFile[];
    let schema: Schema;
    if (scan.text) {
      // CSV / NDJSON: no footers; the schema is given or inferred, files split by byte ranges.
      const text = scan.text;
      checkTextFiles(objects, scan.path);
      schema = await textSchema(store, objects[0]!, text, scan.path);
      const root = loc.key ? `${loc.key}/` : '';
      found = objects.map((o) => ({
        url: urlOf(loc.ref, o.key),
        size: o.size,
        footer: textFooter(o.size, schema, text),
        partitionValues: partitionValuesOf(o.key, root),
      }));
    } else if (scan.format === 'arrow') {
      // Arrow IPC (the session cache's copies): the schema is the plan's; a file is one unit.
      schema = scan.arrowSchema ?? [];
      const root = loc.key ? `${loc.key}/` : '';
      found = objects.map((o) => ({
        url: urlOf(loc.ref, o.key),
        size: o.size,
        footer: arrowFooter(o.size, schema),
        partitionValues: partitionValuesOf(o.key, root),
      }));
    } else ({ found, schema } = await parquetFiles());
    const root = loc.key ? `${loc.key}/` : '';
    const parts = partitionFields(objects.map((o) => partitionValuesOf(o.key, root))).filter(
      (p) => !schema.some((f) => f.name === p.name),
    );
    const bytes: Record<string, number> = {};
    for (const f of found)
      for (const rg of f.footer.rowGroups)
        for (const [c, b] of Object.entries(rg.bytes)) bytes[c] = (bytes[c] ?? 0) + b;
    const ranges: Record<string, { min: number; max: number }> = {};
    for (const f of found)
      for (const rg of f.footer.rowGroups)
        for (const [c, st] of Object.entries(rg.stats)) {
          if (typeof st.min !== 'number' || typeof st.max !== 'number') continue;
          const r = ranges[c];
          ranges[c] = r ? { min: Math.min(r.min, st.min), max: Math.max(r.max, st.max) } : { min: st.min, max: st.max };
        }
    return { path: scan.path, schema: [...schema, ...parts], found, bytes, ranges };
  };
  // Datasets load side by side (each is a few sequential store round trips); a footer budget
  // (planning over several driver calls) reads them in order, so each call's share is the same.
  const loaded = Number.isFinite(budget) ? await inOrder(scans, loadOne) : await allInOrder(scans.map(loadOne));
  return {
    catalog: new Map(loaded.map((d) => [d.path, d.schema])),
    files: new Map(loaded.map((d) => [d.path, d.found])),
    columnBytes: new Map(loaded.map((d) => [d.path, d.bytes])),
    columnRanges: new Map(loaded.map((d) => [d.path, d.ranges])),
  };
}

/** Datasets handed over by job id (handOverDatasets), oldest first; bounded. */
const handedOver = new Map<string, Datasets>();
/** Hand-overs kept at most: one a job whose first step never ran here leaves behind goes after this many more. */
const HANDED_OVER_MAX = 16;

/**
 * Hand the datasets a client loaded whole for job `jobId` (every file listed and its footer read,
 * as planning reads them) to the job's first driver step, when it runs in this process (the
 * local runner): it plans over them instead of listing the same files and checking the same
 * footers again moments later. Only datasets without a dataset log are handed over (a logged
 * one's version is pinned by the job's own planning); a step in another process (Lambda) finds
 * nothing here and loads them itself.
 */
export function handOverDatasets(jobId: string, ds: Datasets): void {
  handedOver.set(jobId, ds);
  for (const id of handedOver.keys()) {
    if (handedOver.size <= HANDED_OVER_MAX) break;
    handedOver.delete(id);
  }
}

/** The datasets handed over for job `jobId`, once (undefined if none were, or they were taken). */
export function takeHandedOverDatasets(jobId: string): Datasets | undefined {
  const ds = handedOver.get(jobId);
  handedOver.delete(jobId);
  return ds;
}

/** One dataset as loadDatasets gives it. */
interface LoadedDataset {
  readonly path: string;
  readonly schema: Schema;
  readonly found: DatasetFile[];
  readonly bytes: Record<string, number>;
  readonly ranges: Record<string, { min: number; max: number }>;
}

async function inOrder<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** Every promise's value; if any fails, the first failure in their order (not in time), once all have settled. */
async function allInOrder<R>(promises: readonly Promise<R>[]): Promise<R[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** A pin holder whose calls run one after another. */
function oneAtATime(pins: PinHolder): PinHolder {
  let last: Promise<unknown> = Promise.resolve();
  const queue = <T>(f: () => Promise<T>): Promise<T> => {
    const run = last.then(f, f);
    last = run.catch(() => undefined);
    return run;
  };
  return {
    pin: (...a) => queue(() => pins.pin(...a)),
    unpin: (...a) => queue(() => pins.unpin(...a)),
  };
}
