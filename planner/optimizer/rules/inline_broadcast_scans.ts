/**
 * inline_broadcast_scans, a physical rule applied when scans are split into tasks: a broadcast
 * join's build side that is a tiny scan pipeline (a file scan with filters, projections and
 * joins whose own build sides are inlined too, at most INLINE_BUILD_BYTES of compressed columns
 * in all) is read inside the tasks that build on it — `build=scan(stage N)` names its row
 * groups — instead of running as a stage of its own: the stage is not run and its reader no
 * longer waits a round for it (TPC-H Q2's region → nation → supplier chain: three rounds fewer).
 * So is a global aggregate's final step over the single-partition rows of its partial step: the
 * readers read those rows (`reads`) and finish the aggregate themselves. Each executor reads an
 * inlined build side once per job, as it reads a broadcast once.
 */
import type { BuildSide, PhysicalOp, Stage, StagePlan } from '../../stages.js';
import type { ScanSplit } from '../../tasks.js';
import type { PhysicalRule } from '../rule.js';

export const inlineBroadcastScans = {
  name: 'inline_broadcast_scans',
  phase: 'tasks',
  description: 'read a tiny broadcast scan inside the tasks that build on it, not as a stage of its own',
} as const satisfies PhysicalRule;

/**
 * Whether a stage is a global aggregate's final step over single-partition stages (one partial
 * row per task they ran): its readers compute it themselves from those rows, one round sooner
 * (TPC-H Q11's threshold, Q22's average balance).
 */
function globalFinal(s: Stage, stages: readonly Stage[]): boolean {
  if (s.source.kind !== 'shuffle') return false;
  const single = s.source.stages.every((id) => {
    const out = stages[id]!.output;
    return out.kind === 'shuffle' && out.partitioning.kind === 'single';
  });
  const first = s.ops[0];
  const keyless = first?.op === 'HashAggregate' && first.mode === 'final' && first.keys.length === 0;
  return single && keyless && s.ops.slice(1).every((op) => op.op === 'Filter' || op.op === 'Project');
}

/** Compressed bytes of the columns read, over every scan an inlined build side reads. */
export const INLINE_BUILD_BYTES = 2 * 1024 * 1024;

/**
 * The plan with tiny broadcast scans inlined into their readers. `split` gives a scan stage's
 * row groups and bytes; `maxBytes` bounds what one build side reads (with its own inlined builds).
 */
export function inlineBroadcasts(
  plan: StagePlan,
  split: (stage: Stage) => ScanSplit,
  maxBytes = INLINE_BUILD_BYTES,
): StagePlan {
  // Stages are planned build sides first, so one pass in id order sees nested builds inlined.
  const inlined = new Map<number, { side: Omit<BuildSide, 'schema'>; bytes: number }>();
  const stages: Stage[] = [];
  const rewrite = (ops: readonly PhysicalOp[]): PhysicalOp[] =>
    ops.map((op) => {
      if (op.op !== 'HashJoin' || op.build.kind !== 'broadcast' || op.build.partitions) return op;
      const hit = inlined.get(op.build.stage);
      return hit ? { ...op, build: { ...hit.side, schema: op.build.schema } } : op;
    });
  for (const s of plan.stages) {
    const ops = rewrite(s.ops);
    const stage: Stage = {
      ...s,
      ops,
      ...(s.adaptive ? { adaptive: { ...s.adaptive, ops: rewrite(s.adaptive.ops) } } : {}),
    };
    stages.push(stage);
    if (s.output.kind !== 'shuffle' || s.output.partitioning.kind !== 'single' || s.adaptive) continue;
    if (s.source.kind === 'shuffle') {
      if (globalFinal(stage, plan.stages))
        inlined.set(s.id, { side: { kind: 'scan', stage: s.id, reads: s.source.stages }, bytes: 0 });
      continue;
    }
    if (s.source.kind !== 'scan') continue;
    const rowWise = ops.every(
      (op) =>
        op.op === 'Filter' ||
        op.op === 'Project' ||
        (op.op === 'HashJoin' && op.build.kind === 'scan' && !op.build.reads),
    );
    if (!rowWise) continue;
    const sp = split(s);
    const nested = ops.reduce(
      (a, op) => a + (op.op === 'HashJoin' && op.build.kind === 'scan' ? inlined.get(op.build.stage)!.bytes : 0),
      0,
    );
    const bytes = sp.bytes + nested;
    if (bytes > maxBytes) continue;
    inlined.set(s.id, { side: { kind: 'scan', stage: s.id, parts: sp.inputs.flatMap((i) => i.parts) }, bytes });
  }
  return { ...plan, stages };
}
