/**
 * Physical planning of joins: the build side is hashed (broadcast to every task when hinted or
 * keyless, else hash-partitioned like the probe side); right joins are planned as left joins with
 * the sides swapped, and the output keeps left ++ right column order.
 */
import { schemaOf } from './analyzer.js';
import { PlanError } from './errors.js';
import { type Expr, exprToString, walkExpr } from './expr.js';
import { adaptiveBytes } from './optimizer/rules/adaptive_broadcast.js';
import { keySourceStage, reductionBytes, scanKeys } from './optimizer/rules/adaptive_semi_join_reduction.js';
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

  // When the sides were swapped, the operator emits build columns first: left ++ right again.
  const buildFirst = swap && type !== 'left_semi' && type !== 'left_anti';
  const schema = buildFirst ? [...ls, ...rs] : joined;
  let f: Fragment;
  let buildStage: number;
  if (broadcast) {
    buildStage = pl.materialize(pl.plan(buildNode), { kind: 'single' });
    f = pl.plan(probeNode);
  } else {
    const n = pl.opts.shufflePartitions;
    const ctx = { catalog: pl.catalog, ...pl.opts };
    // adaptive_semi_join_reduction: the build side's scan reduced by the probe side's keys once the
    // probe side proved small; the probe side is then planned first (it is read by the build side).
    const reduceKeys =
      (type === 'left_semi' || type === 'left_anti') && pl.on('adaptive_semi_join_reduction')
        ? scanKeys(buildNode, buildKeys)
        : null;
    const reduceBytes = reduceKeys ? reductionBytes(probeNode, buildNode, ctx) : 0;
    const probeFirst = reduceBytes > 0 ? pl.plan(probeNode) : null;
    const probeOut = probeFirst && pl.exchange(probeFirst, { kind: 'hash', keys: probeKeys, n });
    const reducedBy = probeFirst && keySourceStage(pl.stages, probeFirst, probeKeys, pl.stages.length - 1);
    const buildFrag = pl.plan(buildNode);
    const buildScan =
      buildFrag.source.kind === 'scan' ? { source: buildFrag.source, before: [...buildFrag.ops] } : null;
    if (probeOut && reducedBy && buildScan && reduceKeys) {
      // The reducing join first in the build side's pipeline (over the scan's columns); nothing replaced.
      buildFrag.adaptive = {
        at: -1,
        smallStage: reducedBy.stage,
        deferredStage: pl.stages.length,
        maxBytes: reduceBytes,
        source: buildScan.source,
        before: [],
        join: {
          op: 'HashJoin',
          type: 'left_semi',
          probeKeys: reduceKeys,
          buildKeys: probeKeys,
          residual: null,
          build: {
            kind: 'broadcast',
            stage: reducedBy.stage,
            schema: pl.stages[reducedBy.stage]!.schema,
            partitions: reducedBy.partitions,
          },
          schema: buildScan.source.schema,
        },
      };
    }
    buildStage = pl.materialize(buildFrag, { kind: 'hash', keys: buildKeys, n });
    const probeFrag = probeFirst ?? pl.plan(probeNode);
    const probeScan =
      probeFrag.source.kind === 'scan' ? { source: probeFrag.source, before: [...probeFrag.ops] } : null;
    f = probeOut ?? pl.exchange(probeFrag, { kind: 'hash', keys: probeKeys, n });
    f.single = false;
    const probeStage = (f.source as { stages: readonly number[] }).stages[0]!;
    const base = { op: 'HashJoin' as const, type, residual, schema };
    if (pl.on('adaptive_broadcast') && type !== 'full' && !probeFirst) {
      const buildBytes = probeScan ? adaptiveBytes(buildNode, probeNode, ctx) : 0;
      const probeBytes =
        type === 'inner' && !swap && buildScan && !pinsColumns(residual) ? adaptiveBytes(probeNode, buildNode, ctx) : 0;
      // The uncertain build side broadcast into the probe side's scan …
      if (probeScan && buildBytes > 0)
        f.adaptive = {
          at: f.ops.length,
          smallStage: buildStage,
          deferredStage: probeStage,
          maxBytes: buildBytes,
          ...probeScan,
          join: {
            ...base,
            probeKeys,
            buildKeys,
            build: { kind: 'broadcast', stage: buildStage, schema: buildSchema, partitions: n },
            ...(buildFirst ? { buildFirst } : {}),
          },
        };
      // … or, for an inner join, the uncertain probe side broadcast into the build side's scan
      // (roles swapped, columns still left ++ right).
      else if (buildScan && probeBytes > 0)
        f.adaptive = {
          at: f.ops.length,
          smallStage: probeStage,
          deferredStage: buildStage,
          maxBytes: probeBytes,
          ...buildScan,
          join: {
            ...base,
            probeKeys: buildKeys,
            buildKeys: probeKeys,
            build: { kind: 'broadcast', stage: probeStage, schema: probeSchema, partitions: n },
            buildFirst: true,
          },
        };
    }
  }
  const build = {
    kind: broadcast ? ('broadcast' as const) : ('partitioned' as const),
    stage: buildStage,
    schema: buildSchema,
  };
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

/** Whether an expression pins a column by position (its meaning would change with the sides swapped). */
function pinsColumns(e: Expr | null): boolean {
  let pinned = false;
  if (e)
    walkExpr(e, (x) => {
      if (x.kind === 'col' && x.index !== undefined) pinned = true;
    });
  return pinned;
}
