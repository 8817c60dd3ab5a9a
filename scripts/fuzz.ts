/**
 * The long differential run: random tables and pipelines, Stratus against DuckDB (see
 * test/differential/). Prints progress, and on a difference the shrunk case as a regression
 * test (also written to --out, default fuzz-failure.test.ts).
 *
 * Usage: npm run fuzz -- --seed 7 --cases 2000 [--shrink-seconds 300] [--int64-extremes]
 *        [--decimals] [--timestamps] [--avoid-known | --avoid name,…] [--out file]
 * --avoid-known keeps away from every known, unfixed difference (test/differential/known.ts);
 * --avoid from the named ones only.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AVOID_NOTHING, type Avoid } from '../test/differential/build.js';
import { AVOID_KNOWN } from '../test/differential/known.js';
import { runDifferential } from '../test/differential/run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    cases: { type: 'string', default: '500' },
    'shrink-seconds': { type: 'string', default: '300' },
    'int64-extremes': { type: 'boolean', default: false },
    decimals: { type: 'boolean', default: false },
    timestamps: { type: 'boolean', default: false },
    'avoid-known': { type: 'boolean', default: false },
    avoid: { type: 'string', default: '' },
    out: { type: 'string', default: 'fuzz-failure.test.ts' },
  },
});

const seed = Number(values.seed);
const cases = Number(values.cases);
if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 1)
  throw new Error(`fuzz: --seed and --cases must be integers (got '${values.seed}', '${values.cases}')`);
const flags = { int64Extremes: values['int64-extremes'], decimals: values.decimals, timestamps: values.timestamps };
const named = values.avoid.split(',').filter((n) => n.length > 0);
for (const n of named)
  if (!(n in AVOID_NOTHING))
    throw new Error(`fuzz: unknown --avoid '${n}'; known: ${Object.keys(AVOID_NOTHING).join(', ')}`);
const avoid: Avoid = values['avoid-known']
  ? AVOID_KNOWN
  : { ...AVOID_NOTHING, ...Object.fromEntries(named.map((n) => [n, true])) };
console.log(
  `differential run: seed ${seed}, ${cases} cases, flags ${JSON.stringify(flags)}, avoid ${JSON.stringify(avoid)}`,
);
const report = await runDifferential({
  seed,
  numRuns: cases,
  flags,
  avoid,
  shrinkTimeMs: Number(values['shrink-seconds']) * 1000,
  log: (line) => console.log(line),
  logEvery: 50,
});
const secs = (report.elapsedMs / 1000).toFixed(1);
console.log(
  `${report.runs} cases in ${secs} s: ${report.same} same (${report.nonEmpty} with rows), ${report.skipped} skipped (DuckDB cannot answer)`,
);
if (report.failure) {
  const f = report.failure;
  console.log(`\nDIFFERENCE (seed ${seed}, path ${f.path}, ${f.shrinks} shrinks):\n${f.message}\n`);
  if (f.source) {
    writeFileSync(values.out, f.source);
    console.log(`regression test written to ${values.out}:\n\n${f.source}`);
  }
  process.exitCode = 1;
}
