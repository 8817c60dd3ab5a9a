/**
 * The Window operator: its input holds whole window partitions sorted by partition keys, then
 * order keys (the stage's Sort). It finds partition and peer (equal order key) boundaries once,
 * then computes each call: ranking from positions, offsets (lag/lead, first/last/nth_value) as a
 * gather, aggregates through the aggregate registry's accumulators with one group per distinct
 * frame (a whole partition or a peer group shares one). Frames are ROWS or RANGE (numeric offsets
 * over the one order key, in its sort direction; a null key's frame is its peer group).
 */
import { typeOf } from '../planner/exprType.js';
import { InternalError } from '../planner/errors.js';
import type { Expr } from '../planner/expr.js';
import type { SortKey } from '../planner/plan.js';
import type { DataType, Schema } from '../planner/types.js';
import { decimalParts, isDecimal } from '../planner/types.js';
import { type AggFn, aggregateSpec, isAggFn } from '../planner/aggregates.js';
import type { WindowCall, WindowFrame } from '../planner/window.js';
import { ACCUMULATORS } from './accumulators.js';
import { runningQuantiles, runsIncrementally } from './accumulators/runningQuantiles.js';
import { compileExpr, type Evaluator } from './eval.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import { keyComparator, type Cmp } from './sort.js';
import type { Batch, Vec } from './vector.js';
import { concatBatches, concatVecs, isValid, take, takeOrNull } from './vector.js';

/** Row positions of a sorted batch: partition start/end and peer start/end of every row. */
interface Layout {
  readonly partStart: Int32Array;
  readonly partEnd: Int32Array;
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
}

function boundaries(n: number, partCmps: readonly Cmp[], orderCmps: readonly Cmp[]): Layout {
  const partStart = new Int32Array(n);
  const peerStart = new Int32Array(n);
  const differs = (cmps: readonly Cmp[], i: number) => cmps.some((c) => c(i - 1, i) !== 0);
  for (let i = 0; i < n; i++) {
    const newPart = i === 0 || differs(partCmps, i);
    partStart[i] = newPart ? i : partStart[i - 1]!;
    peerStart[i] = newPart || differs(orderCmps, i) ? i : peerStart[i - 1]!;
  }
  const partEnd = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const last = i === n - 1;
    partEnd[i] = last || partStart[i + 1] !== partStart[i] ? i + 1 : partEnd[i + 1]!;
    peerEnd[i] = last || peerStart[i + 1] !== peerStart[i] ? i + 1 : peerEnd[i + 1]!;
  }
  return { partStart, partEnd, peerStart, peerEnd };
}

/** The order key as numbers in its sort direction (NaN = null), for RANGE offsets. */
function rangeValues(v: Vec, key: SortKey, n: number): Float64Array {
  const out = new Float64Array(n);
  const sign = key.desc ? -1 : 1;
  const scale = isDecimal(v.type) ? 10 ** decimalParts(v.type).scale : 1;
  if (!('values' in v) || v.values instanceof Uint8Array)
    throw new InternalError('RANGE_KEY', `a RANGE frame cannot order by a ${v.type} column`);
  const x = v.values as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) out[i] = isValid(v.validity, i) ? (sign * Number(x[i]!)) / scale : Number.NaN;
  return out;
}

/** Each row's frame as [lo, hi] row indices (inclusive; lo > hi = empty). */
function frames(f: WindowFrame, n: number, l: Layout, range: Float64Array | null): [Int32Array, Int32Array] {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ps = l.partStart[i]!;
    const pe = l.partEnd[i]! - 1;
    if (f.unit === 'rows') {
      lo[i] = f.lower === null ? ps : Math.max(ps, i + f.lower);
      hi[i] = f.upper === null ? pe : Math.min(pe, i + f.upper);
      continue;
    }
    const v = range ? range[i]! : Number.NaN;
    const bound = (b: number | null, upper: boolean): number => {
      if (b === null) return upper ? pe : ps;
      if (b === 0 || Number.isNaN(v)) return upper ? l.peerEnd[i]! - 1 : l.peerStart[i]!;
      // Non-null keys are contiguous and ascending in the sort direction within the partition.
      const target = v + b;
      let a = ps;
      let z = pe + 1;
      if (upper) {
        // last row with a non-null value ≤ target
        while (a < z) {
          const m = (a + z) >>> 1;
          const x = range![m]!;
          if (Number.isNaN(x) ? m < i : x <= target) a = m + 1;
          else z = m;
        }
        return a - 1;
      }
      // first row with a non-null value ≥ target
      while (a < z) {
        const m = (a + z) >>> 1;
        const x = range![m]!;
        if (Number.isNaN(x) ? m < i : x < target) a = m + 1;
        else z = m;
      }
      return a;
    };
    lo[i] = bound(f.lower, false);
    hi[i] = bound(f.upper, true);
  }
  return [lo, hi];
}

const ints = (type: 'int32', values: Int32Array): Vec => ({ type, values, validity: null });
const doubles = (values: Float64Array): Vec => ({ type: 'float64', values, validity: null });

interface Compiled {
  readonly call: WindowCall;
  readonly args: readonly Evaluator[];
  readonly argTypes: readonly (DataType | 'null')[];
  readonly outType: DataType;
}

export class WindowOperator implements Operator {
  readonly name = 'Window';
  private readonly parts: Evaluator[];
  private readonly orders: Evaluator[];
  private readonly calls: Compiled[];
  private readonly udafs: OperatorContext['udafs'];
  constructor(
    readonly partitionBy: readonly Expr[],
    readonly orderBy: readonly SortKey[],
    calls: readonly WindowCall[],
    readonly input: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.udafs = ctx.udafs;
    this.parts = partitionBy.map((e) => compileExpr(e, input, ctx.udfs));
    this.orders = orderBy.map((k) => compileExpr(k.expr, input, ctx.udfs));
    this.calls = calls.map((call, i) => ({
      call,
      args: call.args.map((a) => compileExpr(a, input, ctx.udfs)),
      argTypes: call.args.map((a) => typeOf(a, input)),
      outType: schema[input.length + i]!.type,
    }));
  }

  async *execute(source: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const all: Batch[] = [];
    for await (const b of source) all.push(b);
    if (!all.length) return;
    const b = concatBatches(this.input, all);
    const n = b.length;
    const partVecs = this.parts.map((e) => materialize(e(b), n));
    const orderVecs = this.orders.map((e) => materialize(e(b), n));
    const layout = boundaries(
      n,
      partVecs.map((v) =>
        keyComparator(v, { expr: { kind: 'lit', value: null, type: 'null' }, desc: false, nullsFirst: true }),
      ),
      orderVecs.map((v, i) => keyComparator(v, this.orderBy[i]!)),
    );
    const range =
      this.orderBy.length === 1 && this.calls.some((c) => c.call.frame.unit === 'range')
        ? (() => {
            try {
              return rangeValues(orderVecs[0]!, this.orderBy[0]!, n);
            } catch {
              return null; // only RANGE frames with offsets read it; the analyzer allows them on numbers and dates
            }
          })()
        : null;
    const outs = this.calls.map((c) => this.compute(c, b, layout, range));
    yield { schema: this.schema, columns: [...b.columns, ...outs], length: n };
  }

  private compute(c: Compiled, b: Batch, l: Layout, range: Float64Array | null): Vec {
    const n = b.length;
    const fn = c.call.fn;
    const arg = (i: number) => materialize(c.args[i]!(b), n);
    const lit = (i: number, dflt: number) => {
      const a = c.call.args[i];
      return a && a.kind === 'lit' && typeof a.value === 'number' ? a.value : dflt;
    };
    if (isAggFn(fn)) return this.aggregate(c, fn, b, l, range);
    switch (fn) {
      case 'row_number':
      case 'rank':
      case 'dense_rank':
      case 'ntile': {
        const out = new Int32Array(n);
        const k = lit(0, 1);
        let dense = 0;
        for (let i = 0; i < n; i++) {
          const ps = l.partStart[i]!;
          if (fn === 'row_number') out[i] = i - ps + 1;
          else if (fn === 'rank') out[i] = l.peerStart[i]! - ps + 1;
          else if (fn === 'dense_rank') {
            if (i === ps) dense = 0;
            if (l.peerStart[i] === i) dense++;
            out[i] = dense;
          } else {
            // Spark's NTILE: the first (rows % k) buckets hold one row more.
            const rows = l.partEnd[i]! - ps;
            const j = i - ps;
            const size = Math.floor(rows / k);
            const rem = rows % k;
            const big = rem * (size + 1);
            out[i] = j < big ? Math.floor(j / (size + 1)) + 1 : Math.floor((j - big) / size) + rem + 1;
          }
        }
        return ints('int32', out);
      }
      case 'percent_rank':
      case 'cume_dist': {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const ps = l.partStart[i]!;
          const rows = l.partEnd[i]! - ps;
          out[i] =
            fn === 'cume_dist' ? (l.peerEnd[i]! - ps) / rows : rows === 1 ? 0 : (l.peerStart[i]! - ps) / (rows - 1);
        }
        return doubles(out);
      }
      case 'lag':
      case 'lead': {
        const x = arg(0);
        const off = (fn === 'lag' ? -1 : 1) * lit(1, 1);
        const dflt = c.call.args[2];
        const hasDefault = dflt && !(dflt.kind === 'lit' && dflt.value === null);
        const sel = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const j = i + off;
          sel[i] = j >= l.partStart[i]! && j < l.partEnd[i]! ? j : hasDefault ? n + i : -1;
        }
        return hasDefault ? take(concatVecs(c.outType, [x, arg(2)]), sel) : takeOrNull(x, sel);
      }
      case 'first_value':
      case 'last_value':
      case 'nth_value': {
        const x = arg(0);
        const [lo, hi] = frames(c.call.frame, n, l, range);
        const k = lit(1, 1);
        const sel = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const j = fn === 'first_value' ? lo[i]! : fn === 'last_value' ? hi[i]! : lo[i]! + k - 1;
          sel[i] = lo[i]! <= hi[i]! && j <= hi[i]! ? j : -1;
        }
        return takeOrNull(x, sel);
      }
      default: {
        const never: never = fn;
        throw new InternalError('UNKNOWN_WINDOW_FN', `no window kernel for ${String(never)}`);
      }
    }
  }

  /**
   * An aggregate over each row's frame: one accumulator group per distinct frame. Frames that
   * grow (same start, later end: running) or shrink (same end, later start) along the rows feed
   * each row once, into the first frame that holds it, then fold partial states along the chain
   * in log2 rounds (a prefix scan through the accumulator's state/merge); other frames (sliding)
   * feed each row once per frame it is in.
   */
  private aggregate(c: Compiled, fn: AggFn, b: Batch, l: Layout, range: Float64Array | null): Vec {
    const n = b.length;
    const [rowLo, rowHi] = frames(c.call.frame, n, l, range);
    const rowGroup = new Int32Array(n);
    const los: number[] = [];
    const his: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i === 0 || rowLo[i] !== rowLo[i - 1] || rowHi[i] !== rowHi[i - 1]) {
        los.push(rowLo[i]!);
        his.push(rowHi[i]!);
      }
      rowGroup[i] = los.length - 1;
    }
    const groups = los.length;
    const size = (a: number, z: number) => Math.max(0, z - a + 1);
    // Chains: head[g] is the first group of g's chain (in scan direction); delta = rows g adds.
    const plan = (dir: 1 | -1) => {
      const head = new Int32Array(groups);
      const from = new Int32Array(groups);
      const to = new Int32Array(groups);
      let total = 0;
      for (let k = 0; k < groups; k++) {
        const g = dir === 1 ? k : groups - 1 - k;
        const p = g - dir;
        const chained =
          k > 0 && (dir === 1 ? los[g] === los[p] && his[g]! >= his[p]! : his[g] === his[p] && los[g]! <= los[p]!);
        head[g] = chained ? head[p]! : g;
        from[g] = chained && dir === 1 ? Math.max(los[g]!, his[p]! + 1) : los[g]!;
        to[g] = chained && dir === -1 ? Math.min(his[g]!, los[p]! - 1) : his[g]!;
        total += size(from[g]!, to[g]!);
      }
      return { dir, head, from, to, total };
    };
    const naive = { dir: 0 as const, head: null, from: los, to: his, total: 0 };
    for (let g = 0; g < groups; g++) naive.total += size(los[g]!, his[g]!);
    const scans = aggregateSpec(fn).state !== null && naive.total > 2 * n ? [plan(1), plan(-1)] : [];
    const best = scans.reduce<(typeof scans)[number] | typeof naive>((a, x) => (x.total < a.total ? x : a), naive);
    const rows = new Int32Array(best.total);
    const ids = new Int32Array(best.total);
    let at = 0;
    for (let g = 0; g < groups; g++)
      for (let j = best.from[g]!; j <= best.to[g]!; j++) {
        rows[at] = j;
        ids[at++] = g;
      }
    const argType = c.argTypes[0] ?? null;
    const init = {
      moreTypes: c.argTypes.slice(1).map((t) => (t === 'null' ? 'int32' : t)),
      options: c.call.options ?? {},
      ...(this.udafs ? { udafs: this.udafs } : {}),
    };
    const make = () => ACCUMULATORS[fn](argType === 'null' ? null : argType, c.outType, init);
    const [values, ...more] = c.args.map((a) => take(materialize(a(b), n), rows));
    if (best.head && runsIncrementally(fn) && argType && argType !== 'null' && values) {
      // One order-statistics structure per chain: linear memory, not every frame's values.
      const offsets = new Int32Array(groups + 1);
      for (let g = 0; g < groups; g++) offsets[g + 1] = offsets[g]! + size(best.from[g]!, best.to[g]!);
      const feed = { dir: best.dir, head: best.head, offsets };
      return take(runningQuantiles(fn, argType, init.options, values, feed), rowGroup);
    }
    let acc = make();
    acc.update(ids, groups, values ?? null, best.total, more);
    if (best.head) {
      const ident = new Int32Array(groups);
      for (let g = 0; g < groups; g++) ident[g] = g;
      for (let r = 1; r < groups; r *= 2) {
        const to: number[] = [];
        const sel: number[] = [];
        for (let g = 0; g < groups; g++) {
          const p = g - best.dir * r;
          if (best.dir === 1 ? p >= best.head[g]! : p <= best.head[g]!) {
            to.push(g);
            sel.push(p);
          }
        }
        if (!to.length) break;
        const state = acc.state(groups);
        const next = make();
        const partner = () => {
          const s = Int32Array.from(sel);
          next.merge(
            Int32Array.from(to),
            groups,
            state.map((v) => take(v, s)),
            to.length,
          );
        };
        // Earlier rows first (order-sensitive aggregates such as first()).
        if (best.dir === 1) partner();
        next.merge(ident, groups, state, groups);
        if (best.dir === -1) partner();
        acc = next;
      }
    }
    return take(acc.evaluate(groups), rowGroup);
  }
}
