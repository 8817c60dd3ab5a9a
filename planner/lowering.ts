/**
 * Lowering: plan nodes that need their input's schema (column edits, using-joins, set
 * operations, unionByName, dropna/fillna) become plain Project/Filter/Join/Aggregate nodes.
 * The analyzer calls these once it knows the input schemas.
 */
import { resolveColumn } from './columns.js';
import { SchemaError, listNames } from './errors.js';
import type { Expr } from './expr.js';
import { agg as aggExpr, alias, binary, call, caseWhen, cast, col, exprName, isNull, lit, not } from './expr.js';
import type { PlanNode, PlanOf } from './plan.js';
import { aggregate, filter, project } from './plan.js';
import type { DataType, Schema } from './types.js';
import {
  commonTemporalType,
  isDecimal,
  isFloating,
  isNumeric,
  isSmallNumber,
  isTime,
  timestampInfo,
  widen,
} from './types.js';

/** Timestamps of one kind (both naive or both instants) or times, in different units: the finer. */
function sameClockUnits(a: DataType, b: DataType): DataType | null {
  const ta = timestampInfo(a);
  const tb = timestampInfo(b);
  if (ta && tb) return (ta.zone === null) === (tb.zone === null) ? commonTemporalType(a, b) : null;
  return isTime(a) && isTime(b) ? commonTemporalType(a, b) : null;
}

/**
 * intersect / except as SQL set operations (distinct rows, nulls equal): tag each side, union,
 * group by every column and keep the groups seen on the right sides. As in Spark, the right
 * side's columns match by position and the output takes the left side's names.
 */
export function lowerSetOp(p: PlanOf<'SetOp'>, l: Schema, r: Schema): PlanNode {
  const names = l.map((f) => f.name);
  const tag = (input: PlanNode, side: number) =>
    project(input, [...names.map((n) => col(n)), alias(lit(side), '__side')]);
  const union: PlanNode = {
    kind: 'Union',
    inputs: [
      tag(p.left, 1),
      tag(
        project(
          p.right,
          r.map((f, i) => alias(col(f.name, i), names[i]!)),
        ),
        2,
      ),
    ],
    byName: false,
  };
  const seen = (side: number) =>
    aggExpr('max', caseWhen([{ when: binary('=', col('__side'), lit(side)), then: lit(1) }], lit(0)));
  const grouped = aggregate(
    union,
    names.map((n) => col(n)),
    [alias(seen(1), '__l'), alias(seen(2), '__r')],
  );
  const cond = binary(
    'and',
    binary('=', col('__l'), lit(1)),
    binary('=', col('__r'), lit(p.op === 'intersect' ? 1 : 0)),
  );
  return project(
    filter(grouped, cond),
    names.map((n) => col(n)),
  );
}

const RIGHT_KEY = '__right_';

/**
 * A join on column names, as Spark: keys once and first (coalesced for a full join, the right
 * side's for a right join), then the other left columns, then the other right columns (none for
 * a semi or anti join).
 */
export function lowerUsingJoin(p: PlanOf<'UsingJoin'>, l: Schema, r: Schema): PlanNode {
  for (const [side, s] of [
    ['left', l],
    ['right', r],
  ] as const) {
    for (const k of p.keys) {
      if (!s.some((f) => f.name === k)) {
        throw new SchemaError(
          'COLUMN_NOT_FOUND',
          `join column '${k}' does not exist on the ${side} side; its columns are ${listNames(s.map((f) => f.name))}`,
          { column: k, side, validColumns: s.map((f) => f.name) },
        );
      }
    }
  }
  const keyed = (n: string) => p.keys.includes(n);
  const right = project(
    p.right,
    r.map((f, i) => (keyed(f.name) ? alias(col(f.name, i), RIGHT_KEY + f.name) : col(f.name, i))),
  );
  const on = p.keys
    .map((k) =>
      binary(
        '=',
        col(
          k,
          l.findIndex((f) => f.name === k),
        ),
        col(RIGHT_KEY + k),
      ),
    )
    .reduce((a, b) => binary('and', a, b));
  const joined: PlanNode = { kind: 'Join', left: p.left, right, type: p.type, on, hint: p.hint };
  const li = (k: string) => l.findIndex((f) => f.name === k);
  const leftRest = l.flatMap((f, i) => (keyed(f.name) ? [] : [col(f.name, i)]));
  // Spark (LeftExistence): the keys, then the other left columns.
  if (p.type === 'left_semi' || p.type === 'left_anti')
    return project(joined, [...p.keys.map((k) => col(k, li(k))), ...leftRest]);
  const ri = (k: string) => l.length + r.findIndex((f) => f.name === k);
  const keys = p.keys.map((k) =>
    p.type === 'right'
      ? alias(col(RIGHT_KEY + k, ri(k)), k)
      : p.type === 'full'
        ? alias(call('coalesce', [col(k, li(k)), col(RIGHT_KEY + k, ri(k))]), k)
        : col(k, li(k)),
  );
  const rest = [...leftRest, ...r.flatMap((f, i) => (keyed(f.name) ? [] : [col(f.name, l.length + i)]))];
  return project(joined, [...keys, ...rest]);
}

/** Lower the schema-dependent column edits to a Project (or Filter) over the input schema. */
export function lower(p: PlanOf<'WithColumns' | 'Rename' | 'Drop' | 'DropNa' | 'FillNa'>, s: Schema): PlanNode {
  const names = s.map((f) => f.name);
  switch (p.kind) {
    case 'DropNa': {
      const cols = p.subset ?? names;
      for (const c of cols) resolveColumn(s, c);
      if (!cols.length) return p.input;
      // As Spark's AtLeastNNonNulls, a NaN double counts as missing.
      const tests = cols.map((c) =>
        isFloating(resolveColumn(s, c).field.type)
          ? binary('and', isNull(col(c), true), not(call('isnan', [col(c)])))
          : isNull(col(c), true),
      );
      const cond = tests.reduce((a, b) => binary(p.how === 'any' ? 'and' : 'or', a, b));
      return filter(p.input, cond);
    }
    case 'FillNa': {
      const valueType = typeof p.value === 'number' ? 'number' : typeof p.value === 'string' ? 'string' : 'bool';
      const fits = (t: DataType) =>
        valueType === 'number' ? isNumeric(t) : valueType === 'string' ? t === 'string' : t === 'bool';
      const targets = new Set((p.subset ?? names).filter((c) => fits(resolveColumn(s, c).field.type)));
      // As in Spark, the value is cast to each column's type (2.5 fills an int column with 2).
      const valueFor = (t: DataType) =>
        typeof p.value === 'number' && (t === 'int32' || t === 'int64')
          ? lit(Math.trunc(p.value), t)
          : typeof p.value === 'number' && (isDecimal(t) || isSmallNumber(t))
            ? cast(lit(p.value, 'float64'), t) // rounded to the column's scale (NULL if it does not fit); narrowed
            : typeof p.value === 'number'
              ? lit(p.value, 'float64')
              : lit(p.value);
      return project(
        p.input,
        s.map((f, i) => {
          if (!targets.has(f.name)) return col(f.name, i);
          const filled = call('coalesce', [col(f.name, i), valueFor(f.type)]);
          // As Spark (coalesce(nanvl(c, null), value)), NaN in a double is filled too.
          const nan = call('isnan', [col(f.name, i)]);
          return alias(isFloating(f.type) ? caseWhen([{ when: nan, then: valueFor(f.type) }], filled) : filled, f.name);
        }),
      );
    }
    case 'WithColumns': {
      const exprs: Expr[] = names.map((n, i) => col(n, i));
      for (const c of p.columns) {
        const at = exprs.findIndex((e) => exprName(e) === c.name);
        const value = alias(c.expr, c.name);
        if (at >= 0) exprs[at] = value;
        else exprs.push(value);
      }
      return project(p.input, exprs);
    }
    case 'Rename':
      return project(
        p.input,
        names.map((n, i) => (n === p.from ? alias(col(n, i), p.to) : col(n, i))),
      );
    case 'Drop':
      return project(
        p.input,
        names.flatMap((n, i) => (p.names.includes(n) ? [] : [col(n, i)])),
      );
  }
}

/** unionByName: reorder every input's columns to the first input's names. */
export function lowerUnionByName(p: PlanOf<'Union'>, schemas: readonly Schema[]): PlanOf<'Union'> {
  const names = schemas[0]!.map((f) => f.name);
  return {
    kind: 'Union',
    byName: false,
    inputs: p.inputs.map((input, i) =>
      i === 0
        ? input
        : project(
            input,
            names.map((n) => {
              resolveColumn(schemas[i]!, n);
              return col(n);
            }),
          ),
    ),
  };
}

/**
 * Union inputs agree on each column's type: numbers widen (int32 ∪ int64 is int64, as in Spark)
 * through a cast of the narrower inputs; any other difference is an error naming the column.
 */
export function alignUnionTypes(p: PlanOf<'Union'>, schemas: readonly Schema[]): PlanNode {
  const first = schemas[0]!;
  if (schemas.some((s) => s.length !== first.length)) return p; // the analyzer names the arity mismatch
  const types = first.map((f, c) =>
    schemas.reduce<DataType>((t, s, i) => {
      const u = s[c]!.type;
      if (u === t) return t;
      if (isNumeric(t) && isNumeric(u)) return widen(t, u);
      const finer = sameClockUnits(t, u);
      if (finer) return finer;
      throw new SchemaError(
        'UNION_TYPES',
        `union column ${c + 1} ('${f.name}') is ${t} in the first input and ${u} in input ${i + 1}; cast one side`,
        { column: f.name, types: [t, u] },
      );
    }, f.type),
  );
  if (schemas.every((s) => s.every((f, c) => f.type === types[c]))) return p;
  return {
    ...p,
    inputs: p.inputs.map((input, i) =>
      schemas[i]!.every((f, c) => f.type === types[c])
        ? input
        : project(
            input,
            schemas[i]!.map((f, c) =>
              f.type === types[c] ? col(f.name, c) : alias(cast(col(f.name, c), types[c]!), f.name),
            ),
          ),
    ),
  };
}
