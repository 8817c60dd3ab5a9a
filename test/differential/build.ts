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
import type { DataFrame } from '../../src/index.js';
import type { Field } from './exprs.js';
import { Ctx, type Frame, tableFrame } from './frame.js';
import { join, setop } from './joins.js';
import { type Avoid, AVOID_NOTHING } from './known.js';
import type { Case } from './model.js';
import { limit, orderLimit } from './rows.js';
import { side } from './side.js';
import type { GenFlags } from './values.js';

export type { Avoid, Field, Frame };
export { AVOID_NOTHING };

export type Check =
  | { readonly kind: 'multiset' }
  | { readonly kind: 'ordered'; readonly keys: readonly number[] }
  | { readonly kind: 'limited'; readonly n: number; readonly keys: readonly number[] | null; readonly sqlAll: string };

export interface Built extends Frame {
  readonly check: Check;
}

/** A bare limit in the middle of a pipeline keeps every row (it is exercised, yet determined). */
const KEEP_ALL = 1_000_000;

export function buildPipeline(
  c: Case,
  dfs: { readonly a: DataFrame; readonly b: DataFrame },
  flags: GenFlags,
  avoid: Avoid = AVOID_NOTHING,
): Built {
  const bld = new Ctx(flags, avoid);
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
        const { frame, keys, orderSql } = orderLimit(bld, f, s.keys, s.limit, !last && s.limit !== null);
        if (ordersResult) {
          check = { kind: 'ordered', keys };
          if (!last) reorder = orderSql;
        } else if (last && s.limit !== null) check = { kind: 'limited', n: s.limit, keys, sqlAll: f.sql };
        f = frame;
        return;
      }
      case 'limit':
        if (last) check = { kind: 'limited', n: s.n, keys: null, sqlAll: f.sql };
        f = limit(bld, f, last ? s.n : KEEP_ALL);
        return;
      case 'join':
        f = join(bld, f, s, b);
        return;
      case 'setop':
        f = setop(bld, f, s, b);
        return;
      default:
        f = side(bld, f, s);
    }
  });
  // SQL does not keep a subquery's order through a WHERE: sort the filtered rows again.
  if (reorder) f = { ...f, sql: `SELECT * FROM (${f.sql}) ordered ORDER BY ${reorder}` };
  return { ...f, check };
}
