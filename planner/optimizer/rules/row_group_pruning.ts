/**
 * row_group_pruning, a physical rule applied when scans are split into tasks: a row group is
 * skipped when some pushed-down conjunct `column <op> literal` cannot hold for any value in its
 * footer [min, max] range.
 */
import type { Expr } from '../../expr.js';
import { compareValues } from '../../order.js';
import { dateToDays } from '../../types.js';
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

/** False only when the conjunct is certainly false for every row of the group. */
function conjunctMayMatch(e: Expr, stats: Readonly<Record<string, MinMax>>): boolean {
  if (e.kind === 'binary' && e.op === 'and') return conjunctMayMatch(e.left, stats) && conjunctMayMatch(e.right, stats);
  if (e.kind === 'binary' && e.op === 'or') return conjunctMayMatch(e.left, stats) || conjunctMayMatch(e.right, stats);
  const c = comparison(e);
  const s = c ? stats[c.column] : undefined;
  if (!c || !s || s.min === null || s.max === null || typeof s.min !== typeof c.value) return true;
  const lo = compareValues(s.min, c.value);
  const hi = compareValues(s.max, c.value);
  switch (c.op) {
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
  if (e.kind === 'binary' && e.op === 'and')
    return conjunctAlwaysMatches(e.left, stats) && conjunctAlwaysMatches(e.right, stats);
  if (e.kind === 'binary' && e.op === 'or')
    return conjunctAlwaysMatches(e.left, stats) || conjunctAlwaysMatches(e.right, stats);
  const c = comparison(e);
  const s = c ? stats[c.column] : undefined;
  if (!c || !s || s.min === null || s.max === null || s.nullCount !== 0 || typeof s.min !== typeof c.value)
    return false;
  if (typeof s.min === 'number' && (Number.isNaN(s.min) || Number.isNaN(s.max))) return false;
  const lo = compareValues(s.min, c.value);
  const hi = compareValues(s.max!, c.value);
  switch (c.op) {
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

export const rowGroupPruning = {
  name: 'row_group_pruning',
  phase: 'tasks',
  description: 'skip row groups whose footer min/max prove the scan filters false',
} as const satisfies PhysicalRule;
