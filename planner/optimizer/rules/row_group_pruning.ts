/**
 * row_group_pruning, a physical rule applied when scans are split into tasks: a row group is
 * skipped when some pushed-down conjunct `column <op> literal` cannot hold for any value in its
 * footer [min, max] range (or NaN, which float statistics leave out).
 */
import type { Expr } from '../../expr.js';
import { compareNumbers, compareValues } from '../../order.js';
import type { Schema } from '../../types.js';
import { temporalLiteralNumber } from '../../time.js';
import { dateToDays, isTemporal } from '../../types.js';
import type { PhysicalRule } from '../rule.js';

export interface MinMax {
  readonly min: number | string | null;
  readonly max: number | string | null;
  readonly nullCount: number | null;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' };

function literalValue(e: Expr): number | string | null | undefined {
  if (e.kind !== 'lit' || e.value === null) return undefined;
  if (e.type === 'date') return dateToDays(e.value as string);
  if (e.type !== 'null' && isTemporal(e.type)) return temporalLiteralNumber(e.value, e.type);
  // Footer bounds of int64 columns are numbers only where exact; so must the literal be.
  if (e.type === 'int64') return Number.isSafeInteger(Number(e.value)) ? Number(e.value) : undefined;
  return typeof e.value === 'boolean' ? undefined : e.value;
}

/** `column <op> literal` (either way round), normalized to the column on the left. */
function comparison(e: Expr): { column: string; op: string; value: number | string } | null {
  if (e.kind !== 'binary' || !(e.op in FLIP)) return null;
  const [c, v, op] =
    e.left.kind === 'col'
      ? [e.left, e.right, e.op]
      : e.right.kind === 'col'
        ? [e.right, e.left, FLIP[e.op]!]
        : [null, null, ''];
  if (c?.kind !== 'col') return null;
  const value = literalValue(v!);
  return value === undefined || value === null ? null : { column: c.name, op, value };
}

type Stats = Readonly<Record<string, MinMax>>;

/**
 * What the footers say about a row group's columns. Parquet statistics leave NaN out of a
 * float column's [min, max], so such a column may also hold NaN (the largest number, equal to
 * itself, as in Spark) whatever the range says.
 */
interface GroupFacts {
  readonly stats: Stats;
  readonly mayHideNaN: (column: string) => boolean;
}

const OPS = ['=', '<', '<=', '>', '>='] as const;
type RangeOp = (typeof OPS)[number];

/** Whether `x <op> value` holds for an x that orders `cmp` against the value. */
function holds(op: RangeOp, cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

/** A comparison over a column with usable statistics: its range bounds against the value. */
function bounded(e: Expr, g: GroupFacts, needNoNulls: boolean) {
  const c = comparison(e);
  const s = c ? g.stats[c.column] : undefined;
  if (!c || !s || s.min === null || s.max === null || typeof s.min !== typeof c.value) return null;
  if (!(OPS as readonly string[]).includes(c.op) || (needNoNulls && s.nullCount !== 0)) return null;
  const op = c.op as RangeOp;
  // A hidden NaN row: one more value beside [min, max] that a conjunct may or may not accept.
  const nan =
    typeof c.value === 'number' && g.mayHideNaN(c.column) ? holds(op, compareNumbers(Number.NaN, c.value)) : null;
  return { op, lo: compareValues(s.min, c.value), hi: compareValues(s.max, c.value), nan, s };
}

/** False only when the conjunct is certainly false for every row of the group. */
function conjunctMayMatch(e: Expr, g: GroupFacts): boolean {
  if (e.kind === 'binary' && e.op === 'and') return conjunctMayMatch(e.left, g) && conjunctMayMatch(e.right, g);
  if (e.kind === 'binary' && e.op === 'or') return conjunctMayMatch(e.left, g) || conjunctMayMatch(e.right, g);
  const b = bounded(e, g, false);
  if (!b) return true;
  if (b.nan) return true;
  const { lo, hi } = b;
  switch (b.op) {
    case '=':
      return lo <= 0 && hi >= 0;
    case '<':
      return lo < 0;
    case '<=':
      return lo <= 0;
    case '>':
      return hi > 0;
    case '>=':
      return hi >= 0;
  }
}

/** True only when the conjunct certainly holds for every row of the group (no nulls either). */
function conjunctAlwaysMatches(e: Expr, g: GroupFacts): boolean {
  if (e.kind === 'binary' && e.op === 'and')
    return conjunctAlwaysMatches(e.left, g) && conjunctAlwaysMatches(e.right, g);
  if (e.kind === 'binary' && e.op === 'or')
    return conjunctAlwaysMatches(e.left, g) || conjunctAlwaysMatches(e.right, g);
  const b = bounded(e, g, true);
  if (!b || b.nan === false) return false;
  if (typeof b.s.min === 'number' && (Number.isNaN(b.s.min) || Number.isNaN(b.s.max))) return false;
  const { lo, hi } = b;
  switch (b.op) {
    case '=':
      return lo === 0 && hi === 0;
    case '<':
      return hi < 0;
    case '<=':
      return hi <= 0;
    case '>':
      return lo > 0;
    case '>=':
      return lo >= 0;
  }
}

/** Float columns' statistics can hide NaN; an unknown column is taken as one. */
const facts = (stats: Stats, schema: Schema): GroupFacts => ({
  stats,
  mayHideNaN: (column) => {
    const t = schema.find((f) => f.name === column)?.type;
    return t === undefined || t === 'float64';
  },
});

/**
 * Indexes of the filters that hold for every row of a group: the scan can skip evaluating them.
 * `schema` is the scanned files' (column types tell which statistics may hide NaN).
 */
export function filtersAlwaysTrue(filters: readonly Expr[], stats: Stats, schema: Schema): number[] {
  const g = facts(stats, schema);
  return filters.flatMap((f, i) => (conjunctAlwaysMatches(f, g) ? [i] : []));
}

/** False only when some filter is false for every row of the group. */
export function rowGroupMayMatch(filters: readonly Expr[], stats: Stats, schema: Schema): boolean {
  const g = facts(stats, schema);
  return filters.every((f) => conjunctMayMatch(f, g));
}

export const rowGroupPruning = {
  name: 'row_group_pruning',
  phase: 'tasks',
  description: 'skip row groups whose footer min/max prove the scan filters false',
} as const satisfies PhysicalRule;
