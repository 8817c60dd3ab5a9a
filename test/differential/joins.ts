/**
 * Differential test, joins and set operations: every join kind on expressions (with a residual
 * non-equi condition) or on column names (Spark's output: keys first, coalesced for full), cross
 * joins, broadcast hints on either side; union, unionByName, intersect, except. The right side's
 * columns are renamed apart so that every name stays unique.
 *
 * @example
 * const f2 = join(b, f, { k: 'join', how: 1, right: [], on: [{ l: 0, r: 0 }], using: false, residual: null, broadcast: 0 }, tableB);
 */
import { broadcast, type DataFrame } from '../../src/index.js';
import * as D from './dual.js';
import { buildPred, pick } from './exprs.js';
import { type Ctx, type Frame, project } from './frame.js';
import { JOIN_HOWS, SET_OPS, type Step } from './model.js';
import { side } from './side.js';

export function join(b: Ctx, left: Frame, j: Extract<Step, { k: 'join' }>, tableB: Frame): Frame {
  let f = left;
  let how: (typeof JOIN_HOWS)[number] = JOIN_HOWS[j.how % JOIN_HOWS.length]!;
  if (how === 'cross' && b.joins > 0) how = 'inner';
  const jn = b.nextJoin();
  let right = tableB;
  for (const s of j.right) right = side(b, right, s);
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
    pairs.every((p) => p.l.type === p.r.type);
  // Rename the right side's columns apart (or, for a using-join, its keys to the left names).
  const rename = (name: string) =>
    using ? (pairs.find((p) => p.r.name === name)?.l.name ?? `${name}_${jn}`) : `${name}_${jn}`;
  right = project(
    b,
    right,
    right.schema.map((c) => D.alias(D.colRef(c.name, c.type), rename(c.name))),
    right.schema.map((c) => rename(c.name)),
  );
  const bc = j.broadcast % 3; // 0: the planner decides, 1: broadcast the right side, 2: the left side
  const other = bc === 1 ? broadcast(right.df) : right.df;
  const otherCode = bc === 1 ? `broadcast(${right.code})` : right.code;
  if (bc === 2) f = { ...f, df: broadcast(f.df), code: `broadcast(${f.code})` };
  const [l, r] = [b.alias(), b.alias()];
  if (how === 'cross')
    return {
      df: f.df.crossJoin(other),
      sql: `SELECT * FROM (${f.sql}) ${l} CROSS JOIN (${right.sql}) ${r}`,
      code: `${f.code}.crossJoin(${otherCode})`,
      schema: [...f.schema, ...right.schema],
    };
  if (using) return usingJoin(f, right, other, otherCode, how, [...usingNames], l, r);
  const both = [...f.schema, ...right.schema];
  let cond = pairs
    .map((p) => D.compare('=', D.colRef(p.l.name, p.l.type), D.colRef(rename(p.r.name), p.r.type)))
    .reduce((x, y) => D.and(x, y));
  if (j.residual) cond = D.and(cond, buildPred(j.residual, both, b));
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
export function usingJoin(
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

export function setop(b: Ctx, f: Frame, s: Extract<Step, { k: 'setop' }>, tableB: Frame): Frame {
  const op = SET_OPS[s.op % SET_OPS.length]!;
  let right = s.fromB ? tableB : f;
  for (const st of s.right) right = side(b, right, st);
  const byName = op === 'unionByName';
  if (s.fromB) {
    const rs = right.schema;
    const names = f.schema.map((lf) => (byName ? lf.name : b.fresh()));
    const matches = f.schema.map((lf, i) => pick(rs, s.pick[i] ?? i, (t) => t === lf.type));
    const items = f.schema.map((lf, i) => {
      const m = matches[i];
      return D.alias(m ? D.colRef(m.name, m.type) : D.nullOf(lf.type), names[i]!);
    });
    right = project(b, right, items, names);
  }
  let rightSql = right.sql;
  if (byName && f.schema.length > 1) {
    // The right side's columns rotated: unionByName must put them back by name.
    const k = 1 + ((s.pick[0] ?? 0) % (f.schema.length - 1));
    const rotated = [...right.schema.slice(k), ...right.schema.slice(0, k)];
    right = project(
      b,
      right,
      rotated.map((x) => D.colRef(x.name, x.type)),
      rotated.map((x) => x.name),
    );
    rightSql = `SELECT ${f.schema.map((x) => x.name).join(', ')} FROM (${right.sql}) ${b.alias()}`;
  }
  const sqlOp = { union: 'UNION ALL', intersect: 'INTERSECT', except: 'EXCEPT', unionByName: 'UNION ALL' } as const;
  return {
    df: f.df[op](right.df),
    sql: `SELECT * FROM ((${f.sql}) ${sqlOp[op]} (${rightSql})) ${b.alias()}`,
    code: `${f.code}.${op}(${right.code})`,
    schema: f.schema,
  };
}
