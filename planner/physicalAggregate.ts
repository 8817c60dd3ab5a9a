/**
 * Physical planning of aggregation: each distinct aggregate call becomes one accumulator column;
 * partial → hash shuffle → final when every call has a partial state and partial_aggregation is
 * on, else raw rows are shuffled to their group and aggregated once. dropDuplicates is an
 * aggregation keeping each group's first row.
 */
import { schemaOf } from './analyzer.js';
import { concrete, typeOf } from './exprType.js';
import { splitsIntoPartial, stateSchema } from './aggstate.js';
import type { Expr } from './expr.js';
import { agg as aggNode, alias, col, exprName, exprToString, transformExpr } from './expr.js';
import type { Fragment, Planner } from './physical.js';
import type { PlanOf } from './plan.js';
import { aggregate } from './plan.js';
import type { AggCall, Partitioning } from './stages.js';
import type { Schema } from './types.js';
import { field } from './types.js';

export function planAggregate(pl: Planner, p: PlanOf<'Aggregate'>): Fragment {
  const inputSchema = schemaOf(p.input, pl.catalog);
  const outSchema = schemaOf(p, pl.catalog);
  const calls: AggCall[] = [];
  const byText = new Map<string, string>();
  // Each distinct aggregate call becomes one accumulator column; the agg expressions are
  // rewritten over those columns and evaluated by a projection after the final aggregate.
  const post = p.aggs.map((a) =>
    transformExpr(a, (x) => {
      if (x.kind !== 'agg') return x;
      const text = exprToString(x);
      let name = byText.get(text);
      if (!name) {
        name = `__agg${calls.length}`;
        byText.set(text, name);
        const argType = x.arg ? concrete(typeOf(x.arg, inputSchema)) : null;
        const outType = concrete(typeOf(x, inputSchema));
        const more = x.more?.length
          ? { more: x.more, moreTypes: x.more.map((m) => concrete(typeOf(m, inputSchema))) }
          : {};
        calls.push({
          fn: x.fn,
          arg: x.arg,
          name,
          argType,
          outType,
          ...more,
          ...(x.options ? { options: x.options } : {}),
        });
      }
      return col(name);
    }),
  );
  const keyNames = p.keys.map(exprName);
  const keyCols = keyNames.map((n) => col(n));
  const aggSchema: Schema = [...outSchema.slice(0, p.keys.length), ...calls.map((c) => field(c.name, c.outType))];
  const postExprs: Expr[] = [
    ...keyCols,
    ...post.map((e, i) => alias(e.kind === 'alias' ? e.input : e, outSchema[p.keys.length + i]!.name)),
  ];
  const partitioning: Partitioning = p.keys.length
    ? { kind: 'hash', keys: keyCols, n: pl.opts.shufflePartitions }
    : { kind: 'single' };

  let f = pl.plan(p.input);
  if (!f.single && !(pl.on('partial_aggregation') && splitsIntoPartial(calls))) {
    // One phase: move raw rows (keys and arguments) to their group's partition.
    const args = calls.flatMap((c, i) =>
      c.arg ? [alias(c.arg, `__arg${i}`), ...(c.more ?? []).map((m, j) => alias(m, `__arg${i}_${j + 1}`))] : [],
    );
    const pre = [...p.keys.map((k, i) => alias(k, keyNames[i]!)), ...args];
    const preSchema = schemaOfExprs(pre, f.schema);
    f.ops.push({ op: 'Project', exprs: pre, schema: preSchema });
    f.schema = preSchema;
    if (!(f.single && partitioning.kind === 'single')) f = pl.exchange(f, partitioning);
    const single = calls.map((c, i) => ({
      ...c,
      arg: c.arg ? col(`__arg${i}`) : null,
      ...(c.more ? { more: c.more.map((_, j) => col(`__arg${i}_${j + 1}`)) } : {}),
    }));
    f.ops.push({ op: 'HashAggregate', mode: 'single', keys: keyCols, aggs: single, schema: aggSchema });
  } else if (f.single) {
    f.ops.push({ op: 'HashAggregate', mode: 'single', keys: p.keys, aggs: calls, schema: aggSchema });
  } else {
    const partialSchema: Schema = [...outSchema.slice(0, p.keys.length), ...stateSchema(calls)];
    f.ops.push({ op: 'HashAggregate', mode: 'partial', keys: p.keys, aggs: calls, schema: partialSchema });
    f.schema = partialSchema;
    f = pl.exchange(f, partitioning);
    f.ops.push({ op: 'HashAggregate', mode: 'final', keys: keyCols, aggs: calls, schema: aggSchema });
  }
  f.ops.push({ op: 'Project', exprs: postExprs, schema: outSchema });
  f.schema = outSchema;
  return f;
}

/** dropDuplicates(cols): one row per key, the other columns from the group's first row. */
export function planDistinct(pl: Planner, p: PlanOf<'Distinct'>): Fragment {
  const schema = schemaOf(p.input, pl.catalog);
  const keys = p.columns ?? schema.map((f) => f.name);
  const others = schema.filter((f) => !keys.includes(f.name));
  const grouped = aggregate(
    p.input,
    keys.map((k) => col(k)),
    others.map((f) => alias(aggNode('first', col(f.name)), f.name)),
  );
  const f = planAggregate(pl, grouped as PlanOf<'Aggregate'>);
  if (!others.length) return f;
  f.ops.push({ op: 'Project', exprs: schema.map((x) => col(x.name)), schema });
  f.schema = schema;
  return f;
}

function schemaOfExprs(exprs: readonly Expr[], input: Schema): Schema {
  return exprs.map((e) => field(exprName(e), concrete(typeOf(e, input))));
}
