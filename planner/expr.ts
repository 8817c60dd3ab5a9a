/**
 * Expression nodes: readonly tagged objects, plain JSON end to end. One small factory per kind.
 */
import type { AggFn, AggOptions } from './aggregates.js';
import { aggregateSpec, isAggFn as isAggFnName } from './aggregates.js';
import type { DataType } from './types.js';
import type { WindowFn, WindowFrame, WindowSpecExpr } from './window.js';

export type { AggFn } from './aggregates.js';
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export type LiteralValue = number | string | boolean | null;

export type Expr =
  /** A column by name; `index` pins it by position when names repeat (e.g. both join sides). */
  | { readonly kind: 'col'; readonly name: string; readonly index?: number }
  | { readonly kind: 'lit'; readonly value: LiteralValue; readonly type: DataType | 'null' }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly input: Expr }
  | { readonly kind: 'neg'; readonly input: Expr }
  | { readonly kind: 'alias'; readonly input: Expr; readonly name: string }
  | { readonly kind: 'cast'; readonly input: Expr; readonly to: DataType }
  | { readonly kind: 'isnull'; readonly input: Expr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly input: Expr; readonly list: readonly Expr[] }
  | {
      readonly kind: 'case';
      readonly branches: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise: Expr | null;
    }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  /** An aggregate call: its first argument (null: count(*)), further ones (`more`) and literal `options`. */
  | {
      readonly kind: 'agg';
      readonly fn: AggFn;
      readonly arg: Expr | null;
      readonly more?: readonly Expr[];
      readonly options?: AggOptions;
    }
  /** A registered row-wise user function; its code travels in the job's bundle, by name. */
  | { readonly kind: 'udf'; readonly name: string; readonly args: readonly Expr[]; readonly returns: DataType }
  /** A window function; `spec` is null until `.over(…)` (the analyzer extracts it into a Window node). */
  | {
      readonly kind: 'window';
      readonly fn: WindowFn;
      readonly args: readonly Expr[];
      readonly spec: WindowSpecExpr | null;
      /** An aggregate's options (see the agg node). */
      readonly options?: AggOptions;
    };

export type ExprKind = Expr['kind'];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

const freeze = <T extends object>(o: T): T => Object.freeze(o);

export const col = (name: string, index?: number): Expr =>
  freeze(index === undefined ? { kind: 'col', name } : { kind: 'col', name, index });
export const lit = (value: LiteralValue, type?: DataType): Expr =>
  freeze({ kind: 'lit', value, type: type ?? literalType(value) });
export const binary = (op: BinaryOp, left: Expr, right: Expr): Expr => freeze({ kind: 'binary', op, left, right });
export const not = (input: Expr): Expr => freeze({ kind: 'not', input });
export const neg = (input: Expr): Expr => freeze({ kind: 'neg', input });
export const alias = (input: Expr, name: string): Expr => freeze({ kind: 'alias', input, name });
export const cast = (input: Expr, to: DataType): Expr => freeze({ kind: 'cast', input, to });
export const isNull = (input: Expr, negated = false): Expr => freeze({ kind: 'isnull', input, negated });
export const inList = (input: Expr, list: readonly Expr[]): Expr =>
  freeze({ kind: 'in', input, list: freeze([...list]) });
export const caseWhen = (branches: readonly { when: Expr; then: Expr }[], otherwise: Expr | null): Expr =>
  freeze({ kind: 'case', branches: freeze(branches.map((b) => freeze({ ...b }))), otherwise });
export const call = (fn: string, args: readonly Expr[]): Expr => freeze({ kind: 'call', fn, args: freeze([...args]) });
/** An aggregate call; `more` and `options` are left out of the node when empty (plans stay as they were). */
export const agg = (fn: AggFn, arg: Expr | null, more: readonly Expr[] = [], options: AggOptions = {}): Expr =>
  freeze({
    kind: 'agg',
    fn,
    arg,
    ...(more.length ? { more: freeze([...more]) } : {}),
    ...(Object.keys(options).length ? { options: freeze({ ...options }) } : {}),
  });
export const windowCall = (
  fn: WindowFn,
  args: readonly Expr[],
  spec: WindowSpecExpr | null,
  options: AggOptions = {},
): Expr =>
  freeze({
    kind: 'window',
    fn,
    args: freeze([...args]),
    spec,
    ...(Object.keys(options).length ? { options: freeze({ ...options }) } : {}),
  });
export const udfCall = (name: string, args: readonly Expr[], returns: DataType): Expr =>
  freeze({ kind: 'udf', name, args: freeze([...args]), returns });

function literalType(value: LiteralValue): DataType | 'null' {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  // int32's range is [-2^31, 2^31 - 1].
  return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? 'int32' : 'float64';
}

/** The children of an expression, in a fixed order. */
export function exprChildren(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'col':
    case 'lit':
      return [];
    case 'binary':
      return [e.left, e.right];
    case 'not':
    case 'neg':
    case 'alias':
    case 'cast':
    case 'isnull':
      return [e.input];
    case 'in':
      return [e.input, ...e.list];
    case 'case':
      return [...e.branches.flatMap((b) => [b.when, b.then]), ...(e.otherwise ? [e.otherwise] : [])];
    case 'call':
    case 'udf':
      return e.args;
    case 'agg':
      return e.arg ? [e.arg, ...(e.more ?? [])] : [];
    case 'window':
      return [...e.args, ...(e.spec ? [...e.spec.partitionBy, ...e.spec.orderBy.map((k) => k.expr)] : [])];
    default:
      return assertNever(e);
  }
}

/** Rebuild an expression with new children (same order as `exprChildren`). */
export function withChildren(e: Expr, c: readonly Expr[]): Expr {
  switch (e.kind) {
    case 'col':
    case 'lit':
      return e;
    case 'binary':
      return binary(e.op, c[0]!, c[1]!);
    case 'not':
      return not(c[0]!);
    case 'neg':
      return neg(c[0]!);
    case 'alias':
      return alias(c[0]!, e.name);
    case 'cast':
      return cast(c[0]!, e.to);
    case 'isnull':
      return isNull(c[0]!, e.negated);
    case 'in':
      return inList(c[0]!, c.slice(1));
    case 'case': {
      const branches = e.branches.map((_, i) => ({ when: c[2 * i]!, then: c[2 * i + 1]! }));
      return caseWhen(branches, e.otherwise ? c[c.length - 1]! : null);
    }
    case 'call':
      return call(e.fn, c);
    case 'udf':
      return udfCall(e.name, c, e.returns);
    case 'agg':
      return agg(e.fn, e.arg ? c[0]! : null, c.slice(1), e.options);
    case 'window': {
      const n = e.args.length;
      if (!e.spec) return windowCall(e.fn, c, null, e.options);
      const p = e.spec.partitionBy.length;
      const orderBy = e.spec.orderBy.map((k, i) => ({ ...k, expr: c[n + p + i]! }));
      return windowCall(e.fn, c.slice(0, n), { ...e.spec, partitionBy: c.slice(n, n + p), orderBy }, e.options);
    }
    default:
      return assertNever(e);
  }
}

/** Bottom-up rewrite. */
export function transformExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const kids = exprChildren(e);
  const next = kids.length
    ? withChildren(
        e,
        kids.map((k) => transformExpr(k, f)),
      )
    : e;
  return f(next);
}

export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  for (const k of exprChildren(e)) walkExpr(k, visit);
}

/** Column names an expression reads. */
export function referencedColumns(e: Expr, into = new Set<string>()): Set<string> {
  walkExpr(e, (x) => {
    if (x.kind === 'col') into.add(x.name);
  });
  return into;
}

export function containsAgg(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === 'agg') found = true;
  });
  return found;
}

/** The output name Spark would give an expression. */
export function exprName(e: Expr): string {
  switch (e.kind) {
    case 'col':
      return e.name;
    case 'alias':
      return e.name;
    default:
      return exprToString(e);
  }
}

/** A stable, readable text form (used by explain and as default column names). */
export function exprToString(e: Expr): string {
  switch (e.kind) {
    case 'col':
      return e.name;
    case 'lit':
      if (e.type === 'string') return `'${e.value}'`;
      if (e.type === 'date') return `date'${e.value}'`;
      if (e.value !== null && /^time(stamp)?\[/.test(e.type)) return `${e.type}'${e.value}'`;
      return String(e.value);
    case 'binary':
      return `(${exprToString(e.left)} ${e.op} ${exprToString(e.right)})`;
    case 'not':
      return `NOT ${exprToString(e.input)}`;
    case 'neg':
      return `-${exprToString(e.input)}`;
    case 'alias':
      return `${exprToString(e.input)} AS ${e.name}`;
    case 'cast':
      return `CAST(${exprToString(e.input)} AS ${e.to})`;
    case 'isnull':
      return `${exprToString(e.input)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'in':
      return `${exprToString(e.input)} IN (${e.list.map(exprToString).join(', ')})`;
    case 'case':
      return `CASE ${e.branches.map((b) => `WHEN ${exprToString(b.when)} THEN ${exprToString(b.then)}`).join(' ')}${e.otherwise ? ` ELSE ${exprToString(e.otherwise)}` : ''} END`;
    case 'call':
      return `${e.fn}(${e.args.map(exprToString).join(', ')})`;
    case 'udf':
      return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'agg':
      return aggText(e.fn, e.arg ? exprToString(e.arg) : '*', (e.more ?? []).map(exprToString), e.options ?? {});
    case 'window': {
      const args = e.args.map(exprToString);
      const call = isAggFnName(e.fn)
        ? aggText(e.fn, args[0] ?? '', args.slice(1), e.options ?? {})
        : `${e.fn}(${args.join(', ')})`;
      if (!e.spec) return call;
      const { partitionBy, orderBy, frame } = e.spec;
      const parts = [
        partitionBy.length ? `PARTITION BY ${partitionBy.map(exprToString).join(', ')}` : '',
        orderBy.length
          ? `ORDER BY ${orderBy.map((k) => `${exprToString(k.expr)} ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}`
          : '',
        frame ? frameText(frame) : '',
      ];
      return `${call} OVER (${parts.filter(Boolean).join(' ')})`;
    }
    default:
      return assertNever(e);
  }
}

/** An aggregate call's text: its registry entry's form, else `fn(arg, …)`. */
export function aggText(fn: AggFn, arg: string, more: readonly string[], options: AggOptions): string {
  return aggregateSpec(fn).text?.(arg, options, more) ?? `${fn}(${[arg, ...more].join(', ')})`;
}

/** A window frame's SQL text. */
export const frameText = (f: WindowFrame): string => {
  const b = (n: number | null, side: string) =>
    n === null ? `UNBOUNDED ${side}` : n === 0 ? 'CURRENT ROW' : `${Math.abs(n)} ${n < 0 ? 'PRECEDING' : 'FOLLOWING'}`;
  return `${f.unit.toUpperCase()} BETWEEN ${b(f.lower, 'PRECEDING')} AND ${b(f.upper, 'FOLLOWING')}`;
};

export function assertNever(x: never): never {
  throw new Error(`unhandled node: ${JSON.stringify(x)}`);
}
