/**
 * Hive-style partitioned datasets: `key=value` directories below the dataset root become
 * columns, names and values unescaped as Spark escapes them (operators/hivePath.ts), with
 * `__HIVE_DEFAULT_PARTITION__` read as null. Types are inferred from the values (int32, int64,
 * float64, date, else string), and a file's values double as exact min/max statistics for
 * partition pruning.
 */
import type { DataType, Field } from '../../planner/types.js';
import { field } from '../../planner/types.js';
import { parseSegment } from '../../operators/hivePath.js';

export type PartitionValues = Readonly<Record<string, string | null>>;

/** `a=1/b=x/part-0.parquet` below `root` → { a: '1', b: 'x' }. */
export function partitionValuesOf(key: string, root: string): PartitionValues {
  const rel = key.startsWith(root) ? key.slice(root.length) : key;
  const out: Record<string, string | null> = {};
  for (const seg of rel.split('/').slice(0, -1)) {
    const p = parseSegment(seg);
    if (p) out[p.name] = p.value;
  }
  return out;
}

function inferType(values: readonly (string | null)[]): DataType {
  const present = values.filter((v): v is string => v !== null);
  const int32 = (v: string) => /^-?\d+$/.test(v) && Number(v) >= -(2 ** 31) && Number(v) < 2 ** 31;
  if (present.length && present.every(int32)) return 'int32';
  const long = (v: string) => /^-?\d+$/.test(v) && BigInt.asIntN(64, BigInt(v)) === BigInt(v);
  if (present.length && present.every(long)) return 'int64';
  if (present.length && present.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) return 'float64';
  if (present.length && present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'date';
  return 'string';
}

/** Partition columns of a dataset, in path order. */
export function partitionFields(all: readonly PartitionValues[]): Field[] {
  const names: string[] = [];
  for (const pv of all) for (const k of Object.keys(pv)) if (!names.includes(k)) names.push(k);
  return names.map((n) => field(n, inferType(all.map((pv) => pv[n] ?? null)), true));
}
