/**
 * Planning sizes a job's exchanges from the bytes its scans read, measured on a probe plan: the
 * scans do not depend on the exchanges' width, so the probe (planned at the width of no bytes)
 * is the plan itself when the bytes ask for no more. Over the 22 TPC-H queries: the scans and
 * their bytes are the same at any width, and the plan equals one planned at its width directly.
 */
import { describe, expect, it } from 'vitest';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import type { StagePlan } from '../planner/stages.js';
import { SF01, useTpchSession } from './support/tpch.js';

/** What each scan stage reads, in stage order. */
const scans = (plan: StagePlan) =>
  plan.stages.flatMap((s) => (s.source.kind === 'scan' ? [JSON.stringify(s.source)] : []));

describe('planning probe', () => {
  const s = useTpchSession();
  it('the scans and their bytes do not depend on the width; the plan is the one planned at its width', async () => {
    for (let q = 1; q <= 22; q++) {
      const root = QUERIES[q]!(tpchTables(s(), SF01)).plan;
      const planned = await s().plan(root);
      const widths = [1, 3, 16].map((n) => s().plan(root, { kind: 'collect' }, { shufflePartitions: n }));
      for (const other of await Promise.all(widths)) {
        expect(other.scanBytes, `Q${q}`).toBe(planned.scanBytes);
        expect(scans(other.plan), `Q${q}`).toEqual(scans(planned.plan));
      }
      // Small data: the bytes ask for the least width, which planning at it directly gives too.
      const width = planned.plan.stages.flatMap((st) =>
        st.output.kind === 'shuffle' && st.output.partitioning.kind === 'hash' ? [st.output.partitioning.n] : [],
      );
      const n = width[0] ?? 2;
      const direct = await s().plan(root, { kind: 'collect' }, { shufflePartitions: n });
      expect(JSON.stringify(direct.plan), `Q${q}`).toBe(JSON.stringify(planned.plan));
    }
  });
});
