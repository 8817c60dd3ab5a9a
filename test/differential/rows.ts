/**
 * Differential test, row steps: filter, select, groupBy with every aggregate (Spark's result
 * types: count → int64, sum of integers → int64, avg → float64), distinct, orderBy and limit —
 * each as DataFrame, SQL and code (frame.ts).
 *
 * @example
 * const g = groupBy(b, f, { k: 'groupBy', keys: [0], aggs: [{ fn: 2, c: 1 }] }); // countDistinct
 */
import { avg, type Column, count, countDistinct, max, min, sum } from '../../src/index.js';
import * as D from './dual.js';
import { buildCalc, buildPred, type Field, pick } from './exprs.js';
import { type Ctx, type Frame, project, unique } from './frame.js';
import type { AggSpec, SideStep } from './model.js';
import { decimalParams, isDecimal } from './values.js';

export function filter(b: Ctx, f: Frame, p: Extract<SideStep, { k: 'filter' }>['p']): Frame {
  const x = buildPred(p, f.schema, b);
  return {
    df: f.df.filter(x.col),
    sql: `SELECT * FROM (${f.sql}) ${b.alias()} WHERE ${x.sql}`,
    code: `${f.code}.filter(${x.code})`,
    schema: f.schema,
  };
}

export function select(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'select' }>): Frame {
  const kept = unique(s.keep.map((c) => pick(f.schema, c)!));
  const items = kept.map((k) => D.colRef(k.name, k.type));
  const names = kept.map((k) => k.name);
  for (const c of s.calcs) {
    const name = b.fresh();
    items.push(D.alias(buildCalc(c, f.schema, b), name));
    names.push(name);
  }
  return project(b, f, items, names);
}

export function aggregate(
  a: AggSpec,
  schema: readonly Field[],
): { col: Column; sql: string; code: string; type: Field['type'] } {
  const any = pick(schema, a.c)!;
  const num = pick(schema, a.c, (t) => t === 'int32' || t === 'int64' || t === 'float64' || isDecimal(t));
  const fn = (a.fn === 3 || a.fn === 4) && !num ? 1 : a.fn === 4 && num && isDecimal(num.type) ? 3 : a.fn;
  switch (fn) {
    case 0:
      return { col: count(), sql: 'count(*)', code: 'count()', type: 'int64' };
    case 1:
      return { col: count(any.name), sql: `count(${any.name})`, code: `count('${any.name}')`, type: 'int64' };
    case 2:
      return {
        col: countDistinct(any.name),
        sql: `count(DISTINCT ${any.name})`,
        code: `countDistinct('${any.name}')`,
        type: 'int64',
      };
    case 3: {
      const n = num!;
      if (n.type === 'float64')
        return { col: sum(n.name), sql: `sum(${n.name})`, code: `sum('${n.name}')`, type: 'float64' };
      if (isDecimal(n.type)) {
        const { precision, scale } = decimalParams(n.type);
        const type = `decimal(${Math.min(38, precision + 10)},${scale})` as const;
        return { col: sum(n.name), sql: `sum(${n.name})::${D.sqlType(type)}`, code: `sum('${n.name}')`, type };
      }
      return { col: sum(n.name), sql: `sum(${n.name})::BIGINT`, code: `sum('${n.name}')`, type: 'int64' };
    }
    case 4:
      return { col: avg(num!.name), sql: `avg(${num!.name})`, code: `avg('${num!.name}')`, type: 'float64' };
    case 5:
      return { col: min(any.name), sql: `min(${any.name})`, code: `min('${any.name}')`, type: any.type };
    default:
      return { col: max(any.name), sql: `max(${any.name})`, code: `max('${any.name}')`, type: any.type };
  }
}

export function groupBy(b: Ctx, f: Frame, g: Extract<SideStep, { k: 'groupBy' }>): Frame {
  const keys = unique(g.keys.map((c) => pick(f.schema, c)!));
  const aggs = g.aggs.map((a) => {
    const x = aggregate(a, f.schema);
    const name = b.fresh();
    return {
      col: x.col.alias(name),
      sql: `${x.sql} AS ${name}`,
      code: `${x.code}.alias('${name}')`,
      field: { name, type: x.type },
    };
  });
  const keyNames = keys.map((k) => k.name);
  const grouped = keys.length ? f.df.groupBy(...keyNames) : null;
  const aggCols = aggs.map((a) => a.col);
  const keyCode = keyNames.map((k) => `'${k}'`).join(', ');
  const aggCode = aggs.map((a) => a.code).join(', ');
  return {
    df: grouped ? grouped.agg(...aggCols) : f.df.agg(...aggCols),
    sql:
      `SELECT ${[...keyNames, ...aggs.map((a) => a.sql)].join(', ')} FROM (${f.sql}) ${b.alias()}` +
      (keys.length ? ` GROUP BY ${keyNames.join(', ')}` : ''),
    code: keys.length ? `${f.code}.groupBy(${keyCode}).agg(${aggCode})` : `${f.code}.agg(${aggCode})`,
    schema: [...keys, ...aggs.map((a) => a.field)],
  };
}

export function distinct(b: Ctx, f: Frame): Frame {
  return {
    df: f.df.distinct(),
    sql: `SELECT DISTINCT * FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.distinct()`,
    schema: f.schema,
  };
}

/** orderBy (then limit): the keys as columns, SQL ORDER BY terms and code. */
export function sort(f: Frame, keys: readonly { c: number; desc: boolean; nullsFirst: boolean }[], total: boolean) {
  const chosen: { field: Field; desc: boolean; nullsFirst: boolean }[] = [];
  for (const k of keys) {
    const field = pick(f.schema, k.c)!;
    if (!chosen.some((c) => c.field.name === field.name))
      chosen.push({ field, desc: k.desc, nullsFirst: k.nullsFirst });
  }
  if (total)
    for (const field of f.schema)
      if (!chosen.some((c) => c.field.name === field.name)) chosen.push({ field, desc: false, nullsFirst: true });
  const method = (c: (typeof chosen)[number]) =>
    c.desc ? (c.nullsFirst ? 'descNullsFirst' : 'desc') : c.nullsFirst ? 'asc' : 'ascNullsLast';
  const d = chosen.map((c) => D.colRef(c.field.name, c.field.type));
  return {
    cols: chosen.map((c, i) => d[i]!.col[method(c)]()),
    sql: chosen
      .map((c) => `${c.field.name} ${c.desc ? 'DESC' : 'ASC'} NULLS ${c.nullsFirst ? 'FIRST' : 'LAST'}`)
      .join(', '),
    code: chosen.map((c, i) => `${d[i]!.code}.${method(c)}()`).join(', '),
    indexes: chosen.map((c) => f.schema.findIndex((x) => x.name === c.field.name)),
  };
}

export function orderLimit(
  b: Ctx,
  f: Frame,
  keys: readonly { c: number; desc: boolean; nullsFirst: boolean }[],
  n: number | null,
  total: boolean,
) {
  const s = sort(f, keys, total);
  const sorted = f.df.orderBy(...s.cols);
  const frame: Frame = {
    df: n === null ? sorted : sorted.limit(n),
    sql: `SELECT * FROM (${f.sql}) ${b.alias()} ORDER BY ${s.sql}${n === null ? '' : ` LIMIT ${n}`}`,
    code: `${f.code}.orderBy(${s.code})${n === null ? '' : `.limit(${n})`}`,
    schema: f.schema,
  };
  return { frame, keys: s.indexes, orderSql: s.sql };
}

export function limit(b: Ctx, f: Frame, n: number): Frame {
  return {
    df: f.df.limit(n),
    sql: `SELECT * FROM (${f.sql}) ${b.alias()} LIMIT ${n}`,
    code: `${f.code}.limit(${n})`,
    schema: f.schema,
  };
}
