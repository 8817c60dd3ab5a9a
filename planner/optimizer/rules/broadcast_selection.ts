/**
 * broadcast_selection: a join whose smaller side is estimated under the broadcast threshold
 * gets a broadcast hint for that side, when the join type allows it. The estimate is the
 * compressed bytes of the columns its scans read, scaled by the selectivity of the scans'
 * pushed-down filters (from footer min/max: the fraction of a range a comparison keeps, 0.1
 * for an equality); the unfiltered size must also stay under a hard cap, so a wrong guess can
 * never broadcast something huge.
 */
import type { Expr } from '../../expr.js';
import { collectScans, type PlanNode, planChildren } from '../../plan.js';
import { temporalLiteralNumber } from '../../time.js';
import { dateToDays, isTemporal } from '../../types.js';
import type { Rule, RuleContext } from '../rule.js';

export const DEFAULT_BROADCAST_THRESHOLD = 10 * 1024 * 1024;
/** Never broadcast a side whose unfiltered input exceeds this many times the threshold. */
const RAW_SIZE_CAP_FACTOR = 8;

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function literal(e: Expr): number | undefined {
  if (e.kind !== 'lit' || e.value === null) return undefined;
  if (e.type === 'date') return dateToDays(e.value as string);
  if (e.type !== 'null' && isTemporal(e.type)) return temporalLiteralNumber(e.value, e.type);
  return typeof e.value === 'number' ? e.value : undefined;
}

/** A comparison of a column with a literal, as the fraction of the column's range below the literal. */
function bound(
  e: Expr,
  ranges: Readonly<Record<string, { min: number; max: number }>> | undefined,
): { column: string; at: number; upper: boolean } | undefined {
  if (e.kind !== 'binary' || !(e.op in FLIP)) return undefined;
  let column: string | undefined;
  let value: number | undefined;
  let op = e.op;
  if (e.left.kind === 'col') [column, value] = [e.left.name, literal(e.right)];
  else if (e.right.kind === 'col') [column, value, op] = [e.right.name, literal(e.left), FLIP[e.op] as typeof e.op];
  const r = column ? ranges?.[column] : undefined;
  if (value === undefined || !r || !(r.max > r.min)) return undefined;
  const at = Math.min(1, Math.max(0, (value - r.min) / (r.max - r.min)));
  return { column: column!, at, upper: op === '<' || op === '<=' };
}

/** Fraction of rows a conjunct keeps, guessed from the column's min/max over the dataset. */
export function selectivity(
  e: Expr,
  ranges: Readonly<Record<string, { min: number; max: number }>> | undefined,
): number {
  if (e.kind === 'binary' && e.op === 'and') return selectivity(e.left, ranges) * selectivity(e.right, ranges);
  if (e.kind === 'binary' && e.op === 'or')
    return Math.min(1, selectivity(e.left, ranges) + selectivity(e.right, ranges));
  if (e.kind === 'in') return Math.min(1, 0.1 * e.list.length);
  if (e.kind === 'call' && e.fn === 'like') return 0.25;
  if (e.kind !== 'binary') return 0.5;
  if (e.op === '=') return 0.1;
  const b = bound(e, ranges);
  if (!b) return 0.5;
  return b.upper ? b.at : 1 - b.at;
}

/**
 * Fraction of rows a scan's conjuncts keep. Bounds on one column make one range (a quarter of
 * o_orderdate keeps ~4% of orders, not the product of its two half-open sides).
 */
export function filtersSelectivity(
  filters: readonly Expr[],
  ranges: Readonly<Record<string, { min: number; max: number }>> | undefined,
): number {
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  let kept = 1;
  for (const f of filters) {
    const b = bound(f, ranges);
    if (!b) kept *= selectivity(f, ranges);
    else if (b.upper) hi.set(b.column, Math.min(hi.get(b.column) ?? 1, b.at));
    else lo.set(b.column, Math.max(lo.get(b.column) ?? 0, b.at));
  }
  for (const c of new Set([...lo.keys(), ...hi.keys()])) kept *= Math.max(0, (hi.get(c) ?? 1) - (lo.get(c) ?? 0));
  return kept;
}

/** Estimated bytes a subtree reads, and the unfiltered upper bound. Unknown sizes are infinite. */
export function estimateBytes(node: PlanNode, ctx: RuleContext): { estimate: number; raw: number } {
  let estimate = 0;
  let raw = 0;
  for (const s of collectScans(node)) {
    const cols = ctx.columnBytes?.get(s.path);
    if (!cols) return { estimate: Infinity, raw: Infinity };
    const names = s.columns ?? Object.keys(cols);
    const bytes = names.reduce((a, c) => a + (cols[c] ?? 0), 0);
    const kept = filtersSelectivity(s.filters, ctx.columnRanges?.get(s.path));
    raw += bytes;
    estimate += bytes * kept;
  }
  return { estimate, raw };
}

/**
 * estimateBytes with an inner join against a broadcast side read as a dimension joined on its
 * key: each row of the other side meets at most one of its rows, so the other side keeps the
 * share of rows the dimension's filters keep (TPC-H Q3: orders joined with the customers of one
 * market segment keep a fifth of their rows). A guess (the key might not be the dimension's own),
 * so only for choices the real size settles at run time (adaptive_broadcast).
 */
export function estimateJoinedBytes(node: PlanNode, ctx: RuleContext): { estimate: number; raw: number } {
  if (node.kind === 'Scan') return estimateBytes(node, ctx);
  if (node.kind === 'Join' && node.type === 'inner' && node.on !== null && node.hint !== null) {
    const [dim, other] = node.hint === 'left' ? [node.left, node.right] : [node.right, node.left];
    const d = estimateJoinedBytes(dim, ctx);
    const o = estimateJoinedBytes(other, ctx);
    const kept = d.raw > 0 && Number.isFinite(d.raw) ? Math.min(1, d.estimate / d.raw) : 1;
    return { estimate: o.estimate * kept + d.estimate, raw: o.raw + d.raw };
  }
  let estimate = 0;
  let raw = 0;
  for (const k of planChildren(node)) {
    const e = estimateJoinedBytes(k, ctx);
    estimate += e.estimate;
    raw += e.raw;
  }
  return { estimate, raw };
}

/** Whether an estimated side may be broadcast: estimated under the threshold, unfiltered under the cap. */
export function fitsBroadcast(e: { estimate: number; raw: number }, ctx: RuleContext): boolean {
  const threshold = ctx.broadcastThreshold ?? DEFAULT_BROADCAST_THRESHOLD;
  return e.estimate <= threshold && e.raw <= RAW_SIZE_CAP_FACTOR * Math.max(threshold, 1);
}

/** Whether a subtree holds an aggregate with grouping keys. */
function grouped(n: PlanNode): boolean {
  return (n.kind === 'Aggregate' && n.keys.length > 0) || planChildren(n).some(grouped);
}

export const broadcastSelection: Rule = {
  name: 'broadcast_selection',
  rewrite(node, ctx) {
    if (node.kind !== 'Join' || node.hint !== null || node.type === 'full') return node;
    const fits = (e: { estimate: number; raw: number }) => fitsBroadcast(e, ctx);
    const right = estimateBytes(node.right, ctx);
    const left = estimateBytes(node.left, ctx);
    const canRight = node.type !== 'right';
    const canLeft = node.type === 'inner' || node.type === 'right' || node.type === 'cross';
    // A grouped aggregate keeps an unknown share of its input's rows (one per key): when both
    // sides fit, the side without one is broadcast, whatever the estimates say.
    const rightFirst =
      right.estimate <= left.estimate
        ? !(grouped(node.right) && !grouped(node.left) && fits(left))
        : grouped(node.left) && !grouped(node.right) && fits(right);
    if (canRight && fits(right) && (rightFirst || !canLeft)) return { ...node, hint: 'right' };
    if (canLeft && fits(left)) return { ...node, hint: 'left' };
    return node;
  },
};
