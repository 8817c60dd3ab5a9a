/**
 * Window functions (Spark's `fn.over(Window.partitionBy(…).orderBy(…).rowsBetween(…))`): the
 * registry `WINDOW_FNS` (ranking, offsets, every aggregate of `AGGREGATES`), frames, their
 * plan-time checks, and the extraction of window expressions from a projection into `Window`
 * plan nodes (one per partition/order spec), as Spark's analyzer does.
 */
import { AGGREGATES, type AggFn, type AggOptions, aggCallType, isAggFn } from './aggregates.js';
import { PlanError, SchemaError, listNames } from './errors.js';
import type { Expr, ExprOf } from './expr.js';
import { aggText, alias, cast, col, exprName, exprToString, frameText, transformExpr, walkExpr } from './expr.js';
import type { PlanNode, PlanOf, SortKey } from './plan.js';
import { project, windowNode } from './plan.js';
import type { DataType, Schema } from './types.js';
import { field, isNumeric } from './types.js';

/** A frame bound: null = unbounded (preceding for `lower`, following for `upper`), 0 = current row. */
export interface WindowFrame {
  readonly unit: 'rows' | 'range';
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface WindowSpecExpr {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  /** null: Spark's default (RANGE UNBOUNDED PRECEDING..CURRENT ROW with ORDER BY, else the whole partition). */
  readonly frame: WindowFrame | null;
}

/** One window function computed by a `Window` node: its output column, function, arguments and frame. */
export interface WindowCall {
  readonly name: string;
  readonly fn: WindowFn;
  readonly args: readonly Expr[];
  readonly frame: WindowFrame;
  /** An aggregate's options (percentages, ignoreNulls, a UDAF's name…). */
  readonly options?: AggOptions;
}

type ArgTypes = readonly (DataType | 'null')[];
interface WindowFnSpec {
  /** Arguments it takes (min, max). */
  readonly arity: readonly [number, number];
  /** Ranking and offset functions need ORDER BY and take no frame of their own. */
  readonly ordered: boolean;
  readonly resultType: (args: ArgTypes) => DataType | 'null';
  /** Arguments that must be integer literals (offsets, bucket counts), by position, and their least value. */
  readonly literalInts?: readonly { readonly at: number; readonly min: number }[];
}

const same = (args: ArgTypes) => args[0]!;
const ranking = (t: DataType): WindowFnSpec => ({ arity: [0, 0], ordered: true, resultType: () => t });
const offset: WindowFnSpec = {
  arity: [1, 3],
  ordered: true,
  resultType: same,
  literalInts: [{ at: 1, min: Number.MIN_SAFE_INTEGER }],
};

/** Window-only functions; every aggregate of `AGGREGATES` is a window function too. */
export const WINDOW_ONLY = {
  row_number: ranking('int32'),
  rank: ranking('int32'),
  dense_rank: ranking('int32'),
  percent_rank: ranking('float64'),
  cume_dist: ranking('float64'),
  ntile: { ...ranking('int32'), arity: [1, 1], literalInts: [{ at: 0, min: 1 }] },
  lag: offset,
  lead: offset,
  first_value: { arity: [1, 1], ordered: false, resultType: same },
  last_value: { arity: [1, 1], ordered: false, resultType: same },
  nth_value: { arity: [2, 2], ordered: false, resultType: same, literalInts: [{ at: 1, min: 1 }] },
} satisfies Record<string, WindowFnSpec>;

export type WindowOnlyFn = keyof typeof WINDOW_ONLY;
export type WindowFn = WindowOnlyFn | AggFn;
export const isWindowOnly = (fn: string): fn is WindowOnlyFn => Object.hasOwn(WINDOW_ONLY, fn);

const windowError = (code: string, fn: string, msg: string) =>
  new PlanError(code, `window function ${fn}(): ${msg}`, { function: fn });

export const containsWindow = (e: Expr): boolean => {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'window') found = true;
  });
  return found;
};

/** The frame a call runs with: its own, or Spark's default for its spec. */
export function effectiveFrame(spec: WindowSpecExpr): WindowFrame {
  if (spec.frame) return spec.frame;
  return spec.orderBy.length ? { unit: 'range', lower: null, upper: 0 } : { unit: 'rows', lower: null, upper: null };
}

type TypeOf = (e: Expr, schema: Schema) => DataType | 'null';

/** Check a window expression at plan time and return its result type; errors name the function. */
export function windowType(e: ExprOf<'window'>, schema: Schema, typeOf: TypeOf): DataType | 'null' {
  const fn = e.fn;
  if (!e.spec)
    throw windowError('WINDOW_WITHOUT_OVER', fn, `needs a window: ${fn}(…).over(Window.partitionBy(…).orderBy(…))`);
  const spec = e.spec;
  for (const k of spec.partitionBy) typeOf(k, schema);
  for (const k of spec.orderBy) typeOf(k.expr, schema);
  const args = e.args.map((a) => typeOf(a, schema));
  if (isWindowOnly(fn)) {
    const s: WindowFnSpec = WINDOW_ONLY[fn];
    if (args.length < s.arity[0] || args.length > s.arity[1])
      throw windowError('BAD_ARGUMENT', fn, `takes ${s.arity[0]}..${s.arity[1]} arguments, got ${args.length}`);
    for (const { at, min } of s.literalInts ?? []) {
      const a = e.args[at];
      if (!a) continue;
      if (a.kind !== 'lit' || typeof a.value !== 'number' || !Number.isInteger(a.value) || a.value < min)
        throw windowError(
          'BAD_ARGUMENT',
          fn,
          `argument ${at + 1} must be an integer literal ≥ ${min}, got ${exprToString(a)}`,
        );
    }
    if (s.ordered && !spec.orderBy.length)
      throw windowError('WINDOW_NOT_ORDERED', fn, 'needs an ordered window: add .orderBy(…) to its Window spec');
    if (s.ordered && spec.frame)
      throw windowError(
        'BAD_FRAME',
        fn,
        `does not take a frame (${frameText(spec.frame)}); ranking and lag/lead use the window's order`,
      );
  } else if (!isAggFn(fn))
    throw new PlanError(
      'UNKNOWN_FUNCTION',
      `unknown window function '${fn}'; window functions are ${listNames([...Object.keys(WINDOW_ONLY), ...Object.keys(AGGREGATES)])}`,
      { function: fn },
    );
  checkFrame(fn, effectiveFrame(spec), spec, schema, typeOf);
  if (isAggFn(fn)) {
    const [t = null, ...more] = args;
    const r = aggCallType(fn, t, { more, options: e.options ?? {} });
    if ('error' in r) throw new SchemaError('TYPE_MISMATCH', `window function ${fn}(): ${r.error}`, { function: fn });
    return r.type;
  }
  return WINDOW_ONLY[fn].resultType(args);
}

function checkFrame(fn: string, f: WindowFrame, spec: WindowSpecExpr, schema: Schema, typeOf: TypeOf): void {
  const text = frameText(f);
  for (const b of [f.lower, f.upper])
    if (b !== null && (!Number.isFinite(b) || (f.unit === 'rows' && !Number.isInteger(b))))
      throw windowError(
        'BAD_FRAME',
        fn,
        `frame ${f.unit} bound ${b} must be ${f.unit === 'rows' ? 'an integer' : 'a finite number'}`,
      );
  if (f.lower !== null && f.upper !== null && f.lower > f.upper)
    throw windowError('BAD_FRAME', fn, `frame ${text} has its lower bound after its upper bound`);
  const offsets = (f.lower !== null && f.lower !== 0) || (f.upper !== null && f.upper !== 0);
  if (f.unit === 'range' && offsets) {
    if (spec.orderBy.length !== 1)
      throw windowError(
        'BAD_FRAME',
        fn,
        `a RANGE frame with offsets (${text}) needs exactly one ORDER BY key, got ${spec.orderBy.length}`,
      );
    const t = typeOf(spec.orderBy[0]!.expr, schema);
    if (t !== 'null' && !(isNumeric(t) || t === 'date'))
      throw windowError(
        'BAD_FRAME',
        fn,
        `a RANGE frame with offsets (${text}) needs a numeric or date ORDER BY key, got ${t}`,
      );
  }
}

const sameKeys = (a: WindowSpecExpr, b: WindowSpecExpr) =>
  JSON.stringify([a.partitionBy, a.orderBy]) === JSON.stringify([b.partitionBy, b.orderBy]);

/**
 * A projection holding window expressions becomes `Project(Window(…Window(input)))`: each distinct
 * partition/order spec one `Window` node computing its calls as `__w<i>` columns, the projection
 * reading them. `typeOf` checks each call (and its frame) first, so errors name the function.
 */
export function extractWindows(p: PlanOf<'Project'>, schema: Schema, typeOf: TypeOf): PlanNode {
  const groups: { spec: WindowSpecExpr; calls: WindowCall[] }[] = [];
  let n = schema.filter((f) => f.name.startsWith('__w')).length;
  const exprs = p.exprs.map((e) => {
    const named = exprName(e);
    const out = transformExpr(e, (x) => {
      if (x.kind !== 'window') return x;
      const t = windowType(x, schema, typeOf);
      const spec = x.spec!;
      let args = x.args;
      // lag/lead's default takes the value's type.
      if ((x.fn === 'lag' || x.fn === 'lead') && args[2] && t !== 'null') {
        const d = typeOf(args[2], schema);
        if (d !== t && !(args[2].kind === 'lit' && args[2].value === null))
          args = [args[0]!, args[1]!, cast(args[2], t)];
      }
      const name = `__w${n++}`;
      let g = groups.find((x) => sameKeys(x.spec, spec));
      if (!g) {
        g = { spec, calls: [] };
        groups.push(g);
      }
      g.calls.push({ name, fn: x.fn, args, frame: effectiveFrame(spec), ...(x.options ? { options: x.options } : {}) });
      return col(name);
    });
    return out === e || exprName(out) === named ? out : alias(out, named);
  });
  let input = p.input;
  for (const g of groups) input = windowNode(input, g.spec.partitionBy, g.spec.orderBy, g.calls);
  return project(input, exprs);
}

/** The output schema of a `Window` node: its input, then one column per call. */
export function windowSchema(p: PlanOf<'Window'>, schema: Schema, typeOf: TypeOf): Schema {
  for (const k of p.partitionBy) typeOf(k, schema);
  for (const k of p.orderBy) typeOf(k.expr, schema);
  const spec: WindowSpecExpr = { partitionBy: p.partitionBy, orderBy: p.orderBy, frame: null };
  return [
    ...schema,
    ...p.calls.map((c) => {
      const frame = isWindowOnly(c.fn) && WINDOW_ONLY[c.fn].ordered ? null : c.frame;
      const t = windowType(
        {
          kind: 'window',
          fn: c.fn,
          args: c.args,
          spec: { ...spec, frame },
          ...(c.options ? { options: c.options } : {}),
        },
        schema,
        typeOf,
      );
      return field(c.name, t === 'null' ? 'string' : t);
    }),
  ];
}

export const windowCallText = (c: WindowCall): string => {
  const args = c.args.map(exprToString);
  const call = isAggFn(c.fn)
    ? aggText(c.fn, args[0] ?? '', args.slice(1), c.options ?? {})
    : `${c.fn}(${args.join(', ')})`;
  return `${call} ${frameText(c.frame)} AS ${c.name}`;
};
