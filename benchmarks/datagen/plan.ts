/**
 * How each table is split into files: the unit rows are cut into contiguous, near-equal ranges
 * (LINEITEM and PARTSUPP follow their orders and parts, like the official files).
 */
import type { Cardinalities } from './spec.js';
import type { TableName } from './schema.js';

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Rows of the unit a table is split by: PARTSUPP by part, LINEITEM by order. */
export function splitUnits(table: TableName, card: Cardinalities): number {
  switch (table) {
    case 'region':
      return card.region;
    case 'nation':
      return card.nation;
    case 'supplier':
      return card.supplier;
    case 'customer':
      return card.customer;
    case 'part':
    case 'partsupp':
      return card.part;
    case 'orders':
    case 'lineitem':
      return card.orders;
    default: {
      const never: never = table;
      throw new Error(`datagen: unknown table ${String(never)}`);
    }
  }
}

/**
 * Files per table: LINEITEM ceil(4·SF) (~1.5M rows each), ORDERS and PARTSUPP ceil(2·SF)
 * (~750k / 400k rows), the rest one. `override` applies to every table but REGION and NATION.
 * Never more files than unit rows.
 */
export function fileCount(table: TableName, sf: number, units: number, override?: number): number {
  if (table === 'region' || table === 'nation') return 1;
  const byDefault =
    table === 'lineitem' ? Math.ceil(sf * 4) : table === 'orders' || table === 'partsupp' ? Math.ceil(sf * 2) : 1;
  return Math.max(1, Math.min(override ?? byDefault, units));
}

/** `count` contiguous ranges covering [0, units). */
export function splitRanges(units: number, count: number): Range[] {
  return Array.from({ length: count }, (_, j) => ({
    from: Math.floor((j * units) / count),
    to: Math.floor(((j + 1) * units) / count),
  }));
}

/** [from, to) cut into pieces of at most `size`. */
export function* chunks(range: Range, size: number): Generator<Range> {
  for (let from = range.from; from < range.to; from += size) yield { from, to: Math.min(range.to, from + size) };
}
