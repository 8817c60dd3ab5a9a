/**
 * Differential test, frames: a pipeline's state after each step — the Stratus DataFrame, the
 * DuckDB SQL and the TypeScript source side by side, with the schema — and the building context
 * (fresh column and subquery names, the known differences to avoid).
 *
 * @example
 * const b = new Ctx(DEFAULT_FLAGS, AVOID_NOTHING);
 * const f = tableFrame(df, 'a', [{ name: 'a0', type: 'int32' }]);
 */
import type { DataFrame } from '../../src/index.js';
import type * as D from './dual.js';
import { type Field, pick } from './exprs.js';
import type { Avoid } from './known.js';
import type { GenFlags } from './values.js';

export interface Frame {
  readonly df: DataFrame;
  readonly sql: string;
  readonly code: string;
  readonly schema: readonly Field[];
}

/** Naming and the options a build depends on (one per case). */
export class Ctx {
  private names = 0;
  private sub = 0;
  /** Joins built so far. */
  joins = 0;
  constructor(
    readonly flags: GenFlags,
    readonly avoid: Avoid,
  ) {}
  /** A new column name (x1, x2, …). */
  fresh(): string {
    return `x${++this.names}`;
  }
  /** A new subquery alias (q1, q2, …). */
  alias(): string {
    return `q${++this.sub}`;
  }
  /** The number of the next join (right-side columns get it as a suffix). */
  nextJoin(): number {
    return ++this.joins;
  }
}

/** A table as the first frame of a pipeline. */
export function tableFrame(df: DataFrame, name: 'a' | 'b', schema: readonly Field[]): Frame {
  return { df, sql: `SELECT * FROM ${name}`, code: `t.${name}`, schema };
}

export function unique(fields: readonly Field[]): Field[] {
  return fields.filter((f, i) => fields.findIndex((g) => g.name === f.name) === i);
}

/** Project to `items` (column references or computed expressions, already aliased). */
export function project(b: Ctx, f: Frame, items: readonly D.Dx[], names: readonly string[]): Frame {
  return {
    df: f.df.select(...items.map((x) => x.col)),
    sql: `SELECT ${items.map((x) => x.sql).join(', ')} FROM (${f.sql}) ${b.alias()}`,
    code: `${f.code}.select(${items.map((x) => x.code).join(', ')})`,
    schema: items.map((x, i) => ({ name: names[i]!, type: x.type })),
  };
}

/** The distinct fields a subset of choices names (empty: none given). */
export function subset(f: Frame, choices: readonly number[]): Field[] {
  return unique(choices.map((c) => pick(f.schema, c)!));
}
