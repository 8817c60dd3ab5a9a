import fc from 'fast-check';
import { caseArb } from './test/differential/arbitraries.js';
import { openContext, runCase } from './test/differential/harness.js';
import { AVOID_KNOWN } from './test/differential/known.js';
import { DEFAULT_FLAGS } from './test/differential/values.js';
const seed = Number(process.argv[2] ?? 1), n = Number(process.argv[3] ?? 20);
const cases = fc.sample(caseArb(DEFAULT_FLAGS), { seed, numRuns: n });
const ctx = await openContext({ avoid: AVOID_KNOWN });
const t0 = performance.now();
const counts: Record<string, number> = {};
for (const [i, c] of cases.entries()) {
  try {
    const o = await runCase(ctx, c);
    counts[o.status] = (counts[o.status] ?? 0) + 1;
    if (o.status === 'differ') console.log(`#${i} DIFFER ${o.message.slice(0, 600)}\n   code: ${o.built.code.slice(0, 600)}`);
    else if (o.status === 'skip') console.log(`#${i} skip ${o.reason}`);
  } catch (e) { counts.error = (counts.error ?? 0) + 1; console.log(`#${i} ERROR ${(e as Error).message.slice(0, 1500)}`); }
}
console.log(counts, ((performance.now() - t0) / 1000).toFixed(1), 's');
await ctx.close();
