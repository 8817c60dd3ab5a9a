/**
 * Task splitting: a scan stage's input becomes tasks of surviving row groups. Row groups are
 * pruned with footer statistics (and a file's Hive partition values, exact statistics of all
 * its rows) and packed, in file order, into tasks of about a byte budget of the columns the scan
 * reads — a task ends at the row group nearest each multiple of the budget, so the tasks come
 * out even (a large file splits over several tasks, small files share one). Pure: the files and
 * their footers come from the caller.
 */
import type { Expr } from './expr.js';
import { filtersAlwaysTrue, type MinMax, rowGroupMayMatch } from './optimizer/rules/row_group_pruning.js';
import { type DataType, dateToDays, type Schema } from './types.js';

/** What splitting needs of one row group: its index, column bytes and min/max statistics. */
export interface SplitRowGroup {
  readonly index: number;
  /** Compressed bytes per column. */
  readonly bytes: Readonly<Record<string, number>>;
  readonly stats: Readonly<Record<string, MinMax>>;
  /** Bytes a task reads for this group whatever its columns (a byte range of a CSV / NDJSON file). */
  readonly wholeBytes?: number;
}

/** What a row group's statistics prove about a scan's filters. */
interface StatsVerdict {
  /** False when some filter is false for every row of the group (it is pruned). */
  readonly mayMatch: boolean;
  /** Indexes of the filters that hold for every row of the group. */
  readonly alwaysTrue: readonly number[];
}

const NO_FILTERS: StatsVerdict = Object.freeze({ mayMatch: true, alwaysTrue: Object.freeze([]) });

/**
 * Verdicts by schema, filter list and statistics object: planning splits a scan several times
 * over the same footers (probe sizing, broadcast inlining, then its tasks), and cached footers
 * keep their statistics objects from job to job. All three are immutable.
 */
const verdicts = new WeakMap<Schema, WeakMap<readonly Expr[], WeakMap<SplitRowGroup['stats'], StatsVerdict>>>();

function statsVerdict(filters: readonly Expr[], stats: SplitRowGroup['stats'], schema: Schema): StatsVerdict {
  if (!filters.length) return NO_FILTERS;
  let bySchema = verdicts.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    verdicts.set(schema, bySchema);
  }
  let byFilters = bySchema.get(filters);
  if (!byFilters) {
    byFilters = new WeakMap();
    bySchema.set(filters, byFilters);
  }
  let v = byFilters.get(stats);
  if (!v) {
    const mayMatch = rowGroupMayMatch(filters, stats, schema);
    v = { mayMatch, alwaysTrue: mayMatch ? filtersAlwaysTrue(filters, stats, schema) : [] };
    byFilters.set(stats, v);
  }
  return v;
}

/** One file of a dataset, as splitting sees it. */
export interface SplitFile {
  readonly url: string;
  readonly size: number;
  readonly rowGroups: readonly SplitRowGroup[];
  /** Hive-style partition values from the file's directories (empty when not partitioned). */
  readonly partitionValues: Readonly<Record<string, string | null>>;
  /** The file's own columns (a dataset read with mergeSchema may have more). */
  readonly columns?: readonly string[];
}

/** Surviving row groups of one Parquet file, as one task reads them. */
export interface ScanPart {
  readonly file: string;
  readonly size: number;
  readonly rowGroups: readonly number[];
  /** Pushed-down filters (by index) that footer statistics prove true for all these rows. */
  readonly skipFilters?: readonly number[];
  /** Hive-style partition values of the file (constant columns). */
  readonly partitionValues?: Readonly<Record<string, string | null>>;
  /** Columns the scan reads that this file lacks (mergeSchema): nulls in its rows. */
  readonly missingColumns?: readonly string[];
}

/** Row groups of one or more files (small files share a task), read one after another. */
export interface ScanInput {
  readonly kind: 'scan';
  readonly parts: readonly ScanPart[];
  readonly bytes: number;
  /**
   * Bounds of some columns over all the task's rows (from footer statistics), where they are a
   * narrow slice of the scan's: a join probing with such a column indexes only the build rows
   * within them (planner/buildRanges.ts).
   */
  readonly ranges?: Readonly<Record<string, readonly [number, number]>>;
}

export interface ScanSplit {
  /** The tasks' inputs, in file order. */
  readonly inputs: readonly ScanInput[];
  /** Bytes of the needed columns over the surviving row groups. */
  readonly bytes: number;
  /** Row groups skipped by statistics or partition values. */
  readonly pruned: number;
}

/** A partition value as the engine holds it (days for dates). */
export function typedPartitionValue(raw: string | null, type: DataType): number | string | null {
  if (raw === null) return null;
  if (type === 'date') return dateToDays(raw);
  if (type === 'string') return raw;
  // An int64 beyond 2^53 stays text, which the int64 column builder parses exactly.
  if (type === 'int64' && !Number.isSafeInteger(Number(raw))) return raw;
  return Number(raw);
}

/** Partition values as exact min/max statistics, typed by the dataset's schema. */
function partitionStats(pv: Readonly<Record<string, string | null>>, schema: Schema): Record<string, MinMax> {
  return Object.fromEntries(
    Object.entries(pv).map(([k, v]) => {
      const val = typedPartitionValue(v, schema.find((x) => x.name === k)?.type ?? 'string');
      return [k, { min: val, max: val, nullCount: null }];
    }),
  );
}

/**
 * A task's bounds of a column cover at most this share of the whole scan's, or the task does
 * not carry them: an unsorted column's bounds are the whole range in every task.
 */
const NARROW_SHARE = 0.75;

/** Bounds of `column` over row groups, or null when one lacks numeric statistics. */
type Bounds = [number, number] | null;

function widen(b: Bounds | undefined, s: MinMax | undefined): Bounds {
  if (b === null || typeof s?.min !== 'number' || typeof s.max !== 'number') return null;
  return b === undefined ? [s.min, s.max] : [Math.min(b[0], s.min), Math.max(b[1], s.max)];
}

/**
 * The tasks with the bounds of `rangeColumns` that are narrow: at most NARROW_SHARE of the
 * bounds over the whole scan (two or more tasks).
 */
function withRanges(
  inputs: readonly ScanInput[],
  bounds: readonly Record<string, Bounds>[],
  rangeColumns: readonly string[],
): ScanInput[] {
  if (inputs.length < 2) return [...inputs];
  const kept = rangeColumns.filter((c) => bounds.every((b) => b[c]));
  const whole = Object.fromEntries(
    kept.map((c) => [
      c,
      bounds.reduce<Bounds | undefined>(
        (a, b) => widen(a, { min: b[c]![0], max: b[c]![1], nullCount: null }),
        undefined,
      )!,
    ]),
  );
  return inputs.map((input, i) => {
    const narrow = kept.filter((c) => {
      const [lo, hi] = bounds[i]![c]!;
      const [wlo, whi] = whole[c]!;
      return hi - lo <= NARROW_SHARE * (whi - wlo);
    });
    return narrow.length ? { ...input, ranges: Object.fromEntries(narrow.map((c) => [c, bounds[i]![c]!])) } : input;
  });
}

/**
 * Split a scan into tasks of about `taskBytes` of `columns`: a row group goes to the task whose
 * budget holds its middle byte, so n × taskBytes bytes make n tasks within a row group of even
 * (never a short last one); a single row group may exceed the budget. Each task carries the
 * bounds of `rangeColumns` over its row groups where they are narrow (ScanInput.ranges).
 * @example splitScan(files, schema, ['l_quantity'], filters, 64 << 20)
 */
export function splitScan(
  files: readonly SplitFile[],
  schema: Schema,
  columns: readonly string[],
  filters: readonly Expr[],
  taskBytes: number,
  rangeColumns: readonly string[] = [],
): ScanSplit {
  const inputs: ScanInput[] = [];
  const bounds: Record<string, Bounds>[] = [];
  let taskBounds: Record<string, Bounds> = {};
  let bytes = 0;
  let pruned = 0;
  let parts: ScanPart[] = [];
  let taskSize = 0;
  /** The budget slot (multiple of taskBytes) the current task fills. */
  let slot = 0;
  const flushTask = () => {
    if (parts.length) {
      inputs.push({ kind: 'scan', parts, bytes: taskSize });
      bounds.push(taskBounds);
    }
    parts = [];
    taskSize = 0;
    taskBounds = {};
  };
  for (const f of files) {
    const pv = f.partitionValues;
    const hasParts = Object.keys(pv).length > 0;
    if (hasParts && !rowGroupMayMatch(filters, partitionStats(pv, schema), schema)) {
      pruned += f.rowGroups.length;
      continue;
    }
    let group: number[] = [];
    let skip: number[] | null = null;
    const own = f.columns ? new Set(f.columns) : null;
    const missing = own ? columns.filter((c) => !own.has(c) && !(c in pv)) : [];
    const flushPart = () => {
      if (group.length)
        parts.push({
          file: f.url,
          size: f.size,
          rowGroups: group,
          ...(hasParts ? { partitionValues: pv } : {}),
          ...(skip?.length ? { skipFilters: skip } : {}),
          ...(missing.length ? { missingColumns: missing } : {}),
        });
      group = [];
      skip = null;
    };
    for (const rg of f.rowGroups) {
      const v = statsVerdict(filters, rg.stats, schema);
      if (!v.mayMatch) {
        pruned++;
        continue;
      }
      const b = rg.wholeBytes ?? columns.reduce((a, c) => a + (rg.bytes[c] ?? 0), 0);
      const at = Math.floor((bytes + b / 2) / taskBytes);
      if (taskSize > 0 && at > slot) {
        flushPart();
        flushTask();
      }
      if (taskSize === 0) slot = at;
      // Filters that the footer statistics prove true for every row need not run at all.
      const always = v.alwaysTrue;
      skip = skip === null ? [...always] : skip.filter((i) => always.includes(i));
      group.push(rg.index);
      for (const c of rangeColumns) taskBounds[c] = widen(taskBounds[c], rg.stats[c]);
      taskSize += b;
      bytes += b;
    }
    flushPart();
  }
  flushTask();
  return { inputs: rangeColumns.length ? withRanges(inputs, bounds, rangeColumns) : inputs, bytes, pruned };
}
