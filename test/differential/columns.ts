/**
 * Differential test, column steps: dropna and fillna (Spark's rules: NaN counts as missing, a
 * number fills every numeric column cast to its type), withColumn, drop, withColumnRenamed,
 * repartition — each as DataFrame, SQL and code (frame.ts).
 *
 * @example
 * const f2 = dropna(b, f, { k: 'dropna', all: false, subset: [] });
 */
import * as D from './dual.js';
import { buildCalc, type Field, pick } from './exprs.js';
import { type Ctx, type Frame, subset } from './frame.js';
import type { SideStep } from './model.js';
import { valueFor } from './values.js';

/** Spark's dropna: a row goes when any / all of the columns are NULL or NaN (AtLeastNNonNulls). */
export function dropna(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'dropna' }>): Frame {
  const cols = subset(f, s.subset);
  const over = cols.length ? cols : f.schema;
  const present = over.map((x) =>
    x.type === 'float64' ? `(${x.name} IS NOT NULL AND NOT isnan(${x.name}))` : `(${x.name} IS NOT NULL)`,
  );
  const how = s.all ? 'all' : 'any';
  const subsetCode = cols.length ? `[${cols.map((x) => `'${x.name}'`).join(', ')}]` : 'null';
  return {
    df: f.df.dropna(how, cols.length ? cols.map((x) => x.name) : null),
    sql: `SELECT * FROM (${f.sql}) ${b.alias()} WHERE ${present.join(s.all ? ' OR ' : ' AND ')}`,
    code: `${f.code}.dropna('${how}', ${subsetCode})`,
    schema: f.schema,
  };
}

/**
 * Spark's fillna: a number fills the numeric columns (cast to each column's type, NaN filled
 * too), a string the string columns, a boolean the boolean ones; other columns are untouched.
 */
export function fillna(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'fillna' }>): Frame {
  const kind = (['number', 'string', 'bool'] as const)[s.kind % 3]!;
  const value =
    kind === 'number'
      ? (valueFor('float64', s.v, b.flags) as number)
      : kind === 'string'
        ? (valueFor('string', s.v, b.flags) as string)
        : s.v % 2 === 1;
  if (typeof value === 'number' && !Number.isFinite(value)) return f;
  const cols = subset(f, s.subset);
  const target = new Set((cols.length ? cols : f.schema).map((x) => x.name));
  const fills = (t: Field['type']) =>
    kind === 'number'
      ? t === 'int32' || t === 'int64' || t === 'float64' || t.startsWith('decimal(')
      : kind === 'string'
        ? t === 'string'
        : t === 'bool';
  const sqlValue = (x: Field) =>
    kind === 'string'
      ? D.sqlString(value as string)
      : kind === 'bool'
        ? String(value)
        : x.type === 'float64'
          ? `'${Object.is(value, -0) ? '-0.0' : value}'::DOUBLE`
          : x.type.startsWith('decimal(')
            ? // Spark casts the number to the column's decimal type (HALF_UP; NULL when it does not fit).
              `TRY_CAST('${value}'::DOUBLE AS ${D.sqlType(x.type)})`
            : `(${Math.trunc(value as number)})::${D.sqlType(x.type)}`;
  const items = f.schema.map((x) => {
    if (!target.has(x.name) || !fills(x.type)) return x.name;
    const v = x.type === 'float64' ? `(CASE WHEN isnan(${x.name}) THEN NULL ELSE ${x.name} END)` : x.name;
    return `COALESCE(${v}, ${sqlValue(x)}) AS ${x.name}`;
  });
  const valueCode =
    typeof value === 'string' ? D.codeString(value) : typeof value === 'number' ? D.numberCode(value) : String(value);
  const subsetCode = cols.length ? `, [${cols.map((x) => `'${x.name}'`).join(', ')}]` : '';
  return {
    df: f.df.fillna(value, cols.length ? cols.map((x) => x.name) : null),
    sql: `SELECT ${items.join(', ')} FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.fillna(${valueCode}${subsetCode})`,
    schema: f.schema,
  };
}

/** withColumn: a computed column replaces one in place (Spark keeps its position) or is appended. */
export function withColumn(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'withColumn' }>): Frame {
  const x = buildCalc(s.calc, f.schema, b);
  const name = s.replace === null ? b.fresh() : pick(f.schema, s.replace)!.name;
  const replaced = f.schema.some((c) => c.name === name);
  const schema = replaced
    ? f.schema.map((c) => (c.name === name ? { name, type: x.type } : c))
    : [...f.schema, { name, type: x.type }];
  const items = replaced
    ? f.schema.map((c) => (c.name === name ? `${x.sql} AS ${name}` : c.name))
    : [...f.schema.map((c) => c.name), `${x.sql} AS ${name}`];
  return {
    df: f.df.withColumn(name, x.col),
    sql: `SELECT ${items.join(', ')} FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.withColumn('${name}', ${x.code})`,
    schema,
  };
}

/** drop(column): the other columns (never the last one). */
export function drop(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'drop' }>): Frame {
  if (f.schema.length < 2) return f;
  const gone = pick(f.schema, s.c)!;
  const rest = f.schema.filter((x) => x.name !== gone.name);
  return {
    df: f.df.drop(gone.name),
    sql: `SELECT ${rest.map((x) => x.name).join(', ')} FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.drop('${gone.name}')`,
    schema: rest,
  };
}

/** withColumnRenamed(column, fresh name), in place. */
export function rename(b: Ctx, f: Frame, s: Extract<SideStep, { k: 'rename' }>): Frame {
  const from = pick(f.schema, s.c)!;
  const to = b.fresh();
  const schema = f.schema.map((x) => (x.name === from.name ? { ...x, name: to } : x));
  return {
    df: f.df.withColumnRenamed(from.name, to),
    sql: `SELECT ${f.schema.map((x) => (x.name === from.name ? `${x.name} AS ${to}` : x.name)).join(', ')} FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.withColumnRenamed('${from.name}', '${to}')`,
    schema,
  };
}

/** repartition(n, keys…): the rows do not change, so the SQL does not either. */
export function repartition(f: Frame, s: Extract<SideStep, { k: 'repartition' }>): Frame {
  const keys = subset(f, s.keys);
  const n = 1 + (s.n % 5);
  return {
    df: f.df.repartition(n, ...keys.map((k) => k.name)),
    sql: f.sql,
    code: `${f.code}.repartition(${[n, ...keys.map((k) => `'${k.name}'`)].join(', ')})`,
    schema: f.schema,
  };
}
