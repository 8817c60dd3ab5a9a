/**
 * Differential test, pipeline builder: runs a case's steps (model.ts) over the tables and
 * produces, side by side, the Stratus DataFrame, the equivalent DuckDB SQL (Spark semantics),
 * the TypeScript source of the DataFrame, the result schema and how to compare the results:
 * - `multiset`: the whole result, in any order;
 * - `ordered`: the whole result, and the sort-key columns in order (the last step sorts);
 * - `limited`: n rows of the result without the limit, and the sort keys in order if sorted
 *   (which rows a limit keeps among ties, or without an order, is not determined).
 * A sort followed only by filters keeps the `ordered` check (Spark keeps the order through a
 * filter). A sort + limit or a limit in the middle of a pipeline is made deterministic: the sort is
 * completed to a total order over all columns, and a bare limit keeps every row.
 *
 * @example
 * const built = buildPipeline(c, { a: s.read.parquet(dirA), b: s.read.parquet(dirB) }, DEFAULT_FLAGS);
 * await built.df.collect(); await duck.query(built.sql);
 */
import { avg, broadcast, count, countDistinct, type DataFrame, max, min, sum } from '../../src/index.js';
import type { Column } from '../../src/index.js';
import * as D from './dual.js';
import type { Avoid } from './known.js';
import { AVOID_NOTHING } from './known.js';
import { buildCalc, buildPred, type Field, pick } from './exprs.js';
import { type AggSpec, type Case, JOIN_HOWS, SET_OPS, type SideStep, type Step } from './model.js';
import { decimalParams, type GenFlags, isDecimal, valueFor } from './values.js';

export type { Avoid, Field };
export { AVOID_NOTHING };

export interface Frame {
  readonly df: DataFrame;
  readonly sql: string;
  readonly code: string;
  readonly schema: readonly Field[];
}

export type Check =
  | { readonly kind: 'multiset' }
  | { readonly kind: 'ordered'; readonly keys: readonly number[] }
  | { readonly kind: 'limited'; readonly n: number; readonly keys: readonly number[] | null; readonly sqlAll: string };

export interface Built extends Frame {
  readonly check: Check;
}

/** A bare limit in the middle of a pipeline keeps every row (it is exercised, yet determined). */
const KEEP_ALL = 1_000_000;

class Builder {
  private names = 0;
  private joins = 0;
  private sub = 0;
  constructor(
    readonly flags: GenFlags,
    readonly avoid: Avoid,
  ) {}

  fresh(): string {
    return `x${++this.names}`;
  }
  alias(): string {
    return `q${++this.sub}`;
  }

  filter(f: Frame, p: Extract<SideStep, { k: 'filter' }>['p']): Frame {
    const x = buildPred(p, f.schema, this);
    return {
      df: f.df.filter(x.col),
      sql: `SELECT * FROM (${f.sql}) ${this.alias()} WHERE ${x.sql}`,
      code: `${f.code}.filter(${x.code})`,
      schema: f.schema,
    };
  }

  /** Project to `items` (column references or computed expressions, already aliased). */
  project(f: Frame, items: readonly D.Dx[], names: readonly string[]): Frame {
    return {
      df: f.df.select(...items.map((x) => x.col)),
      sql: `SELECT ${items.map((x) => x.sql).join(', ')} FROM (${f.sql}) ${this.alias()}`,
      code: `${f.code}.select(${items.map((x) => x.code).join(', ')})`,
      schema: items.map((x, i) => ({ name: names[i]!, type: x.type })),
    };
  }

  select(f: Frame, s: Extract<SideStep, { k: 'select' }>): Frame {
    const kept = unique(s.keep.map((c) => pick(f.schema, c)!));
    const items = kept.map((k) => D.colRef(k.name, k.type));
    const names = kept.map((k) => k.name);
    for (const c of s.calcs) {
      const name = this.fresh();
      items.push(D.alias(buildCalc(c, f.schema, this), name));
      names.push(name);
    }
    return this.project(f, items, names);
  }

  aggregate(a: AggSpec, schema: readonly Field[]): { col: Column; sql: string; code: string; type: Field['type'] } {
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

  groupBy(f: Frame, g: Extract<SideStep, { k: 'groupBy' }>): Frame {
    const keys = unique(g.keys.map((c) => pick(f.schema, c)!));
    const aggs = g.aggs.map((a) => {
      const x = this.aggregate(a, f.schema);
      const name = this.fresh();
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
        `SELECT ${[...keyNames, ...aggs.map((a) => a.sql)].join(', ')} FROM (${f.sql}) ${this.alias()}` +
        (keys.length ? ` GROUP BY ${keyNames.join(', ')}` : ''),
      code: keys.length ? `${f.code}.groupBy(${keyCode}).agg(${aggCode})` : `${f.code}.agg(${aggCode})`,
      schema: [...keys, ...aggs.map((a) => a.field)],
    };
  }

  distinct(f: Frame): Frame {
    return {
      df: f.df.distinct(),
      sql: `SELECT DISTINCT * FROM (${f.sql}) ${this.alias()}`,
      code: `${f.code}.distinct()`,
      schema: f.schema,
    };
  }

  side(f: Frame, s: SideStep): Frame {
    switch (s.k) {
      case 'filter':
        return this.filter(f, s.p);
      case 'select':
        return this.select(f, s);
      case 'groupBy':
        return this.groupBy(f, s);
      case 'distinct':
        return this.distinct(f);
      case 'dropna':
        return this.dropna(f, s);
      case 'fillna':
        return this.fillna(f, s);
      case 'withColumn':
        return this.withColumn(f, s);
      case 'drop': {
        if (f.schema.length < 2) return f;
        const gone = pick(f.schema, s.c)!;
        const rest = f.schema.filter((x) => x.name !== gone.name);
        return {
          df: f.df.drop(gone.name),
          sql: `SELECT ${rest.map((x) => x.name).join(', ')} FROM (${f.sql}) ${this.alias()}`,
          code: `${f.code}.drop('${gone.name}')`,
          schema: rest,
        };
      }
      case 'repartition': {
        const keys = this.subset(f, s.keys);
        const n = 1 + (s.n % 5);
        return {
          df: f.df.repartition(n, ...keys.map((k) => k.name)),
          sql: f.sql,
          code: `${f.code}.repartition(${[n, ...keys.map((k) => `'${k.name}'`)].join(', ')})`,
          schema: f.schema,
        };
      }
      case 'rename': {
        const from = pick(f.schema, s.c)!;
        const to = this.fresh();
        const schema = f.schema.map((x) => (x.name === from.name ? { ...x, name: to } : x));
        return {
          df: f.df.withColumnRenamed(from.name, to),
          sql: `SELECT ${f.schema.map((x) => (x.name === from.name ? `${x.name} AS ${to}` : x.name)).join(', ')} FROM (${f.sql}) ${this.alias()}`,
          code: `${f.code}.withColumnRenamed('${from.name}', '${to}')`,
          schema,
        };
      }
      default:
        return s satisfies never;
    }
  }

  /** The distinct fields a subset of choices names (empty: none given). */
  subset(f: Frame, choices: readonly number[]): Field[] {
    return unique(choices.map((c) => pick(f.schema, c)!));
  }

  /** Spark's dropna: a row goes when any / all of the columns are NULL or NaN (AtLeastNNonNulls). */
  dropna(f: Frame, s: Extract<SideStep, { k: 'dropna' }>): Frame {
    let cols = this.subset(f, s.subset);
    if (this.avoid.dropnaNaN) {
      cols = (cols.length ? cols : f.schema).filter((x) => x.type !== 'float64');
      if (!cols.length) return f;
    }
    const over = cols.length ? cols : f.schema;
    const present = over.map((x) =>
      x.type === 'float64' ? `(${x.name} IS NOT NULL AND NOT isnan(${x.name}))` : `(${x.name} IS NOT NULL)`,
    );
    const how = s.all ? 'all' : 'any';
    const subsetCode = cols.length ? `[${cols.map((x) => `'${x.name}'`).join(', ')}]` : 'null';
    return {
      df: f.df.dropna(how, cols.length ? cols.map((x) => x.name) : null),
      sql: `SELECT * FROM (${f.sql}) ${this.alias()} WHERE ${present.join(s.all ? ' OR ' : ' AND ')}`,
      code: `${f.code}.dropna('${how}', ${subsetCode})`,
      schema: f.schema,
    };
  }

  /**
   * Spark's fillna: a number fills the numeric columns (cast to each column's type, NaN filled
   * too), a string the string columns, a boolean the boolean ones; other columns are untouched.
   */
  fillna(f: Frame, s: Extract<SideStep, { k: 'fillna' }>): Frame {
    const kind = (['number', 'string', 'bool'] as const)[s.kind % 3]!;
    const value =
      kind === 'number'
        ? (valueFor('float64', s.v, this.flags) as number)
        : kind === 'string'
          ? (valueFor('string', s.v, this.flags) as string)
          : s.v % 2 === 1;
    if (typeof value === 'number' && !Number.isFinite(value)) return f;
    let cols = this.subset(f, s.subset);
    if (this.avoid.fillnaNaN && kind === 'number') {
      cols = (cols.length ? cols : f.schema).filter((x) => x.type === 'int32' || x.type === 'int64');
      if (!cols.length) return f;
    }
    const target = new Set((cols.length ? cols : f.schema).map((x) => x.name));
    const fills = (t: Field['type']) =>
      kind === 'number'
        ? t === 'int32' || t === 'int64' || t === 'float64'
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
      sql: `SELECT ${items.join(', ')} FROM (${f.sql}) ${this.alias()}`,
      code: `${f.code}.fillna(${valueCode}${subsetCode})`,
      schema: f.schema,
    };
  }

  /** withColumn: a computed column replaces one in place (Spark keeps its position) or is appended. */
  withColumn(f: Frame, s: Extract<SideStep, { k: 'withColumn' }>): Frame {
    const x = buildCalc(s.calc, f.schema, this);
    const name = s.replace === null ? this.fresh() : pick(f.schema, s.replace)!.name;
    const replaced = f.schema.some((c) => c.name === name);
    const schema = replaced
      ? f.schema.map((c) => (c.name === name ? { name, type: x.type } : c))
      : [...f.schema, { name, type: x.type }];
    const items = replaced
      ? f.schema.map((c) => (c.name === name ? `${x.sql} AS ${name}` : c.name))
      : [...f.schema.map((c) => c.name), `${x.sql} AS ${name}`];
    return {
      df: f.df.withColumn(name, x.col),
      sql: `SELECT ${items.join(', ')} FROM (${f.sql}) ${this.alias()}`,
      code: `${f.code}.withColumn('${name}', ${x.code})`,
      schema,
    };
  }

  /** orderBy (then limit): the keys as columns, SQL ORDER BY terms and code. */
  sort(f: Frame, keys: readonly { c: number; desc: boolean; nullsFirst: boolean }[], total: boolean) {
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

  orderLimit(
    f: Frame,
    keys: readonly { c: number; desc: boolean; nullsFirst: boolean }[],
    n: number | null,
    total: boolean,
  ) {
    const s = this.sort(f, keys, total);
    const sorted = f.df.orderBy(...s.cols);
    const frame: Frame = {
      df: n === null ? sorted : sorted.limit(n),
      sql: `SELECT * FROM (${f.sql}) ${this.alias()} ORDER BY ${s.sql}${n === null ? '' : ` LIMIT ${n}`}`,
      code: `${f.code}.orderBy(${s.code})${n === null ? '' : `.limit(${n})`}`,
      schema: f.schema,
    };
    return { frame, keys: s.indexes, orderSql: s.sql };
  }

  limit(f: Frame, n: number): Frame {
    return {
      df: f.df.limit(n),
      sql: `SELECT * FROM (${f.sql}) ${this.alias()} LIMIT ${n}`,
      code: `${f.code}.limit(${n})`,
      schema: f.schema,
    };
  }

  join(left: Frame, j: Extract<Step, { k: 'join' }>, b: Frame): Frame {
    let f = left;
    let how: (typeof JOIN_HOWS)[number] = JOIN_HOWS[j.how % JOIN_HOWS.length]!;
    if (how === 'cross' && this.joins > 0) how = 'inner';
    const jn = ++this.joins;
    let right = b;
    for (const s of j.right) right = this.side(right, s);
    const pairs = j.on.flatMap(({ l, r }) => {
      const lf = pick(f.schema, l)!;
      const rf = pick(right.schema, r, (t) => D.comparable(lf.type, t));
      return rf ? [{ l: lf, r: rf }] : [];
    });
    if (how !== 'cross' && pairs.length === 0) return f;
    const usingNames = new Set(pairs.map((p) => p.l.name));
    const using =
      how !== 'cross' &&
      j.using &&
      j.residual === null &&
      usingNames.size === pairs.length &&
      new Set(pairs.map((p) => p.r.name)).size === pairs.length &&
      pairs.every((p) => p.l.type === p.r.type) &&
      !(this.avoid.usingSemiAntiKeyOrder && (how === 'left_semi' || how === 'left_anti'));
    // Rename the right side's columns apart (or, for a using-join, its keys to the left names).
    const rename = (name: string) =>
      using ? (pairs.find((p) => p.r.name === name)?.l.name ?? `${name}_${jn}`) : `${name}_${jn}`;
    right = this.project(
      right,
      right.schema.map((c) => D.alias(D.colRef(c.name, c.type), rename(c.name))),
      right.schema.map((c) => rename(c.name)),
    );
    const bc = j.broadcast % 3; // 0: the planner decides, 1: broadcast the right side, 2: the left side
    const other = bc === 1 ? broadcast(right.df) : right.df;
    const otherCode = bc === 1 ? `broadcast(${right.code})` : right.code;
    if (bc === 2) f = { ...f, df: broadcast(f.df), code: `broadcast(${f.code})` };
    const [l, r] = [this.alias(), this.alias()];
    if (how === 'cross')
      return {
        df: f.df.crossJoin(other),
        sql: `SELECT * FROM (${f.sql}) ${l} CROSS JOIN (${right.sql}) ${r}`,
        code: `${f.code}.crossJoin(${otherCode})`,
        schema: [...f.schema, ...right.schema],
      };
    if (using) return this.usingJoin(f, right, other, otherCode, how, [...usingNames], l, r);
    const both = [...f.schema, ...right.schema];
    let cond = pairs
      .map((p) => D.compare('=', D.colRef(p.l.name, p.l.type), D.colRef(rename(p.r.name), p.r.type)))
      .reduce((x, y) => D.and(x, y));
    if (j.residual) cond = D.and(cond, buildPred(j.residual, both, this));
    const semi = how === 'left_semi' || how === 'left_anti';
    const sqlJoin = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN' } as const;
    return {
      df: f.df.join(other, cond.col, how),
      sql: semi
        ? `SELECT * FROM (${f.sql}) ${l} WHERE ${how === 'left_anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM (${right.sql}) ${r} WHERE ${cond.sql})`
        : `SELECT * FROM (${f.sql}) ${l} ${sqlJoin[how as keyof typeof sqlJoin]} (${right.sql}) ${r} ON ${cond.sql}`,
      code: `${f.code}.join(${otherCode}, ${cond.code}, '${how}')`,
      schema: semi ? f.schema : both,
    };
  }

  /** Spark's join on column names: the keys once (coalesced for full), then the left's and the right's other columns. */
  usingJoin(
    f: Frame,
    right: Frame,
    other: DataFrame,
    otherCode: string,
    how: Exclude<(typeof JOIN_HOWS)[number], 'cross'>,
    keys: readonly string[],
    l: string,
    r: string,
  ): Frame {
    const keyFields = keys.map((k) => f.schema.find((x) => x.name === k)!);
    const lOthers = f.schema.filter((x) => !keys.includes(x.name));
    const rOthers = right.schema.filter((x) => !keys.includes(x.name));
    const keySql = keys.map((k) =>
      how === 'right'
        ? `${r}.${k} AS ${k}`
        : how === 'full'
          ? `COALESCE(${l}.${k}, ${r}.${k}) AS ${k}`
          : `${l}.${k} AS ${k}`,
    );
    const on = keys.map((k) => `${l}.${k} = ${r}.${k}`).join(' AND ');
    const semi = how === 'left_semi' || how === 'left_anti';
    const sqlJoin = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN' } as const;
    const lCols = lOthers.map((x) => `${l}.${x.name}`);
    return {
      df: f.df.join(other, [...keys], how),
      sql: semi
        ? `SELECT ${[...keySql, ...lCols].join(', ')} FROM (${f.sql}) ${l} WHERE ${how === 'left_anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM (${right.sql}) ${r} WHERE ${on})`
        : `SELECT ${[...keySql, ...lCols, ...rOthers.map((x) => `${r}.${x.name}`)].join(', ')} FROM (${f.sql}) ${l} ${sqlJoin[how as keyof typeof sqlJoin]} (${right.sql}) ${r} ON ${on}`,
      code: `${f.code}.join(${otherCode}, [${keys.map((k) => `'${k}'`).join(', ')}], '${how}')`,
      schema: semi ? [...keyFields, ...lOthers] : [...keyFields, ...lOthers, ...rOthers],
    };
  }

  setop(f: Frame, s: Extract<Step, { k: 'setop' }>, b: Frame): Frame {
    const op = SET_OPS[s.op % SET_OPS.length]!;
    let right = s.fromB ? b : f;
    for (const st of s.right) right = this.side(right, st);
    const byName = op === 'unionByName';
    if (s.fromB) {
      const rs = right.schema;
      const names = f.schema.map((lf) =>
        byName || (this.avoid.setOpRightNames && op !== 'union') ? lf.name : this.fresh(),
      );
      const items = f.schema.map((lf, i) => {
        const m = pick(rs, s.pick[i] ?? i, (t) => t === lf.type);
        return D.alias(m ? D.colRef(m.name, m.type) : D.nullOf(lf.type), names[i]!);
      });
      right = this.project(right, items, names);
    }
    let rightSql = right.sql;
    if (byName && f.schema.length > 1) {
      // The right side's columns rotated: unionByName must put them back by name.
      const k = 1 + ((s.pick[0] ?? 0) % (f.schema.length - 1));
      const rotated = [...right.schema.slice(k), ...right.schema.slice(0, k)];
      right = this.project(
        right,
        rotated.map((x) => D.colRef(x.name, x.type)),
        rotated.map((x) => x.name),
      );
      rightSql = `SELECT ${f.schema.map((x) => x.name).join(', ')} FROM (${right.sql}) ${this.alias()}`;
    }
    const sqlOp = { union: 'UNION ALL', intersect: 'INTERSECT', except: 'EXCEPT', unionByName: 'UNION ALL' } as const;
    return {
      df: f.df[op](right.df),
      sql: `SELECT * FROM ((${f.sql}) ${sqlOp[op]} (${rightSql})) ${this.alias()}`,
      code: `${f.code}.${op}(${right.code})`,
      schema: f.schema,
    };
  }
}

function unique(fields: readonly Field[]): Field[] {
  return fields.filter((f, i) => fields.findIndex((g) => g.name === f.name) === i);
}

/** A table as the first frame of a pipeline. */
export function tableFrame(df: DataFrame, name: 'a' | 'b', schema: readonly Field[]): Frame {
  return { df, sql: `SELECT * FROM ${name}`, code: `t.${name}`, schema };
}

export function buildPipeline(
  c: Case,
  dfs: { readonly a: DataFrame; readonly b: DataFrame },
  flags: GenFlags,
  avoid: Avoid = AVOID_NOTHING,
): Built {
  const bld = new Builder(flags, avoid);
  const b = tableFrame(dfs.b, 'b', c.b.columns);
  let f = tableFrame(dfs.a, 'a', c.a.columns);
  let check: Check = { kind: 'multiset' };
  // A sort followed only by filters still orders the result (Spark keeps the order through a filter).
  const onlyFiltersAfter = (i: number) => c.steps.slice(i + 1).every((s) => s.k === 'filter');
  let reorder: string | null = null;
  c.steps.forEach((s, i) => {
    const last = i === c.steps.length - 1;
    switch (s.k) {
      case 'sort': {
        const ordersResult = s.limit === null && onlyFiltersAfter(i);
        const { frame, keys, orderSql } = bld.orderLimit(f, s.keys, s.limit, !last && s.limit !== null);
        if (ordersResult) {
          check = { kind: 'ordered', keys };
          if (!last) reorder = orderSql;
        } else if (last && s.limit !== null) check = { kind: 'limited', n: s.limit, keys, sqlAll: f.sql };
        f = frame;
        return;
      }
      case 'limit':
        if (last) check = { kind: 'limited', n: s.n, keys: null, sqlAll: f.sql };
        f = bld.limit(f, last ? s.n : KEEP_ALL);
        return;
      case 'join':
        f = bld.join(f, s, b);
        return;
      case 'setop':
        f = bld.setop(f, s, b);
        return;
      default:
        f = bld.side(f, s);
    }
  });
  // SQL does not keep a subquery's order through a WHERE: sort the filtered rows again.
  if (reorder) f = { ...f, sql: `SELECT * FROM (${f.sql}) ordered ORDER BY ${reorder}` };
  return { ...f, check };
}
