/**
 * Row-group pruning with footer statistics: a row group is skipped when some pushed-down
 * conjunct `column <op> literal` cannot hold for any value in its [min, max] range.
 */
import type { Expr } from '../../expr.js';
import { compareValues } from '../../order.js';
import { dateToDays } from '../../types.js';

export interface MinMax {
  readonly min: number | string | null;
  readonly max: number | string | null;
  readonly nullCount: number | null;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' };

function literalValue(e: Expr): number | string | null | undefined {
  if (e.kind !== 'lit' || e.value === null) return undefined;
  if (e.type === 'date') return dateToDays(e.value as string);
  return typeof e.value === 'boolean' ? undefined : e.value;
}

/** False only when the conjunct is certainly false for every row of the group. */
function conjunctMayMatch(e: Expr, stats: Readonly<Record<string, MinMax>>): boolean {
  if (e.kind === 'binary' && e.op === 'and') return conjunctMayMatch(e.left, stats) && conjunctMayMatch(e.right, stats);
  if (e.kind === 'binary' && e.op === 'or') return conjunctMayMatch(e.left, stats) || conjunctMayMatch(e.right, stats);
  if (e.kind !== 'binary' || !(e.op in FLIP)) return true;
  let column: string;
  let value: number | string | null | undefined;
  let op = e.op as string;
  if (e.left.kind === 'col') {
    column = e.left.name;
    value = literalValue(e.right);
  } else if (e.right.kind === 'col') {
    column = e.right.name;
    value = literalValue(e.left);
    op = FLIP[op]!;
  } else return true;
  const s = stats[column];
  if (value === undefined || value === null || !s || s.min === null || s.max === null) return true;
  if (typeof s.min !== typeof value) return true;
  const { min, max } = s as { min: number | string; max: number | string };
  const lo = compareValues(min, value);
  const hi = compareValues(max, value);
  switch (op) {
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
    default:
      return true;
  }
}

/** True only when the conjunct certainly holds for every row of the group (no nulls either). */
function conjunctAlwaysMatches(e: Expr, stats: Readonly<Record<string, MinMax>>): boolean {
  if (e.kind === 'binary' && e.op === 'and') return conjunctAlwaysMatches(e.left, stats) && conjunctAlwaysMatches(e.right, stats);
  if (e.kind === 'binary' && e.op === 'or') return conjunctAlwaysMatches(e.left, stats) || conjunctAlwaysMatches(e.right, stats);
  if (e.kind !== 'binary' || !(e.op in FLIP) || e.op === '!=') return false;
  let column: string;
  let value: number | string | null | undefined;
  let op = e.op as string;
  if (e.left.kind === 'col') {
    column = e.left.name;
    value = literalValue(e.right);
  } else if (e.right.kind === 'col') {
    column = e.right.name;
    value = literalValue(e.left);
    op = FLIP[op]!;
  } else return false;
  const s = stats[column];
  if (value === undefined || value === null || !s || s.min === null || s.max === null || s.nullCount !== 0) return false;
  if (typeof s.min !== typeof value || (typeof value === 'number' && (Number.isNaN(s.min) || Number.isNaN(s.max)))) return false;
  const lo = compareValues(s.min, value);
  const hi = compareValues(s.max, value);
  switch (op) {
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
    default:
      return false;
  }
}

/** Indexes of the filters that hold for every row of a group: the scan can skip evaluating them. */
export function filtersAlwaysTrue(filters: readonly Expr[], stats: Readonly<Record<string, MinMax>>): number[] {
  return filters.flatMap((f, i) => (conjunctAlwaysMatches(f, stats) ? [i] : []));
}

export function rowGroupMayMatch(filters: readonly Expr[], stats: Readonly<Record<string, MinMax>>): boolean {
  return filters.every((f) => conjunctMayMatch(f, stats));
}

/** The rule's name: the driver skips pruning when it is disabled. */
export const ROW_GROUP_PRUNING = 'row_group_pruning';
