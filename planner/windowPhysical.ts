/**
 * Physical planning of a `Window` node, a stage of its own: hash exchange on the partition keys
 * (no keys: one partition), a sort within the partition by partition keys then order keys, and
 * the Window operator (operators/window.ts) that computes every call's frames over the sorted rows.
 */
import { schemaOf } from './analyzer.js';
import type { Fragment, Planner } from './physical.js';
import type { PlanOf, SortKey } from './plan.js';

export function planWindow(pl: Planner, p: PlanOf<'Window'>): Fragment {
  let f = pl.plan(p.input);
  const schema = schemaOf(p, pl.catalog);
  if (p.partitionBy.length) f = pl.exchange(f, { kind: 'hash', keys: p.partitionBy, n: pl.opts.shufflePartitions });
  else if (!f.single) f = pl.exchange(f, { kind: 'single' });
  const keys: SortKey[] = [...p.partitionBy.map((expr) => ({ expr, desc: false, nullsFirst: true })), ...p.orderBy];
  if (keys.length) f.ops.push({ op: 'Sort', keys, schema: f.schema });
  f.ops.push({ op: 'Window', partitionBy: p.partitionBy, orderBy: p.orderBy, calls: p.calls, schema });
  f.schema = schema;
  return f;
}
