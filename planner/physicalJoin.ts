/**
 * Physical planning of joins: the build side is hashed (broadcast to every task when hinted or
 * keyless, else hash-partitioned like the probe side); right joins are planned as left joins with
 * the sides swapped, and the output keeps left ++ right column order.
 */
import { schemaOf } from './analyzer.js';
import { PlanError } from './errors.js';
import { exprToString } from './expr.js';
import { splitJoinCondition } from './joinkeys.js';
import type { Fragment, Planner } from './physical.js';
import type { PlanOf } from './plan.js';
import type { Schema } from './types.js';

export function planJoin(pl: Planner, p: PlanOf<'Join'>): Fragment {
  const ls = schemaOf(p.left, pl.catalog);
  const rs = schemaOf(p.right, pl.catalog);
  const { leftKeys, rightKeys, residual } = splitJoinCondition(p.on, ls, rs);
  // Orientation: the build side is hashed (and broadcast, if chosen); the probe side streams.
  const swap = p.type === 'right' || (p.hint === 'left' && (p.type === 'inner' || p.type === 'cross'));
  const type = p.type === 'right' ? 'left' : p.type === 'cross' ? 'inner' : p.type;
  const noKeys = leftKeys.length === 0;
  if (noKeys && type === 'full')
    throw new PlanError('NOT_SUPPORTED', 'a full outer join needs at least one equality between the two sides', {
      on: p.on ? exprToString(p.on) : null,
    });
  const broadcast = noKeys || (swap ? p.hint === 'left' : p.hint === 'right' && type !== 'full');
  const [probeNode, buildNode] = swap ? [p.right, p.left] : [p.left, p.right];
  const [probeKeys, buildKeys] = swap ? [rightKeys, leftKeys] : [leftKeys, rightKeys];
  const [probeSchema, buildSchema] = swap ? [rs, ls] : [ls, rs];
  const joined: Schema = type === 'left_semi' || type === 'left_anti' ? probeSchema : [...probeSchema, ...buildSchema];

  let f: Fragment;
  let buildStage: number;
  if (broadcast) {
    buildStage = pl.materialize(pl.plan(buildNode), { kind: 'single' });
    f = pl.plan(probeNode);
  } else {
    const n = pl.opts.shufflePartitions;
    buildStage = pl.materialize(pl.plan(buildNode), { kind: 'hash', keys: buildKeys, n });
    f = pl.exchange(pl.plan(probeNode), { kind: 'hash', keys: probeKeys, n });
    f.single = false;
  }
  const build = {
    kind: broadcast ? ('broadcast' as const) : ('partitioned' as const),
    stage: buildStage,
    schema: buildSchema,
  };
  // When the sides were swapped, the operator emits build columns first: left ++ right again.
  const buildFirst = swap && type !== 'left_semi' && type !== 'left_anti';
  const schema = buildFirst ? [...ls, ...rs] : joined;
  f.ops.push({
    op: 'HashJoin',
    type,
    probeKeys,
    buildKeys,
    residual,
    build,
    schema,
    ...(buildFirst ? { buildFirst } : {}),
  });
  f.schema = schema;
  return f;
}
