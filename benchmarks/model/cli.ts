/**
 * `npm run model`: the cost and latency model from one command. Model-only by default (reads the
 * committed stage profiles, needs no run); `--measure` first re-measures them locally
 * (profile.ts). Prints the verdict tables and writes report.md, model.json and the SVG charts.
 *
 *   npm run model -- [--measure] [--profiles benchmarks/model/stage-profiles.json]
 *       [--sf 1,10,100,1000] [--rates 1,6,60,360] [--out benchmarks/out/model]
 *       (with --measure: [--measure-sf 0.1,0.3,1] [--queries 1,3,5,6,12,18] [--data-root /work/benchdata])
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crossovers, DEFAULT_GRID, type Grid, runGrid, starlingSideBySide, timeline, verdicts } from './analysis.js';
import { timelineSpec, toSvg } from '../../src/cli/report/charts.js';
import { byRateChart, bySfChart, timelineChart } from './charts.js';
import { fitProfiles, type QueryRun } from './fit.js';
import { CostModel, jobAtScale } from './model.js';
import { Platforms } from './platforms.js';
import { markdownReport, verdictTable } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const TABLE_RATE = 6;
const RATE_SWEEP = [0.1, 0.3, 1, 3, 6, 12, 30, 60, 120, 360, 1000, 3600];

function fail(message: string): never {
  console.error(`model: ${message}`);
  process.exit(2);
}

function numList(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !(x > 0))) fail(`--${name} must be positive numbers, got ${v}`);
  return xs;
}

interface ProfileDoc {
  readonly measuredAt: string;
  readonly machine: unknown;
  readonly method: string;
  readonly runs: readonly QueryRun[];
}

/** Each profiled job's measured task timeline (recorded at the profile's largest SF), one chart per query. */
function measuredTimelines(runs: readonly QueryRun[]) {
  return runs
    .filter((r) => r.timeline?.length)
    .map((r) => {
      const title = `Q${r.query} measured at SF ${r.sf} (local mode, 1 executor): tasks by executor invocation over time`;
      return { file: `timeline-q${r.query}-sf${r.sf}.svg`, title, spec: timelineSpec(r.timeline!, title) };
    });
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      measure: { type: 'boolean' },
      profiles: { type: 'string' },
      sf: { type: 'string' },
      rates: { type: 'string' },
      out: { type: 'string' },
      'measure-sf': { type: 'string' },
      queries: { type: 'string' },
      'data-root': { type: 'string' },
    },
  });
  const profiles = path.resolve(v.profiles ?? path.join(HERE, 'stage-profiles.json'));
  if (v.measure) {
    const args = ['tsx', path.join(HERE, 'profile.ts'), '--out', profiles];
    if (v['measure-sf']) args.push('--sf', v['measure-sf']);
    if (v.queries) args.push('--queries', v.queries);
    if (v['data-root']) args.push('--data-root', v['data-root']);
    const r = spawnSync('npx', args, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fail(`measuring the stage profiles failed (exit ${r.status})`);
  }
  let doc: ProfileDoc;
  try {
    doc = JSON.parse(readFileSync(profiles, 'utf8')) as ProfileDoc;
  } catch (e) {
    fail(`cannot read stage profiles ${profiles}: ${(e as Error).message} (run with --measure to make them)`);
  }
  const grid: Grid = {
    sfs: v.sf ? numList('sf', v.sf) : DEFAULT_GRID.sfs,
    rates: v.rates ? numList('rates', v.rates) : DEFAULT_GRID.rates,
    lines: DEFAULT_GRID.lines,
  };
  const out = path.resolve(v.out ?? path.join(ROOT, 'benchmarks', 'out', 'model'));
  mkdirSync(out, { recursive: true });

  const platforms = Platforms.load();
  const model = new CostModel(platforms);
  // Fitted here from the raw runs, so a change to the fit needs no new measurement.
  const fits = fitProfiles(doc.runs);
  for (const f of fits) if (f.reason) console.error(`model: Q${f.query}: ${f.reason}`);
  const preds = runGrid(model, fits, grid);
  const cells = verdicts(preds, grid);
  const cross = crossovers(
    model,
    fits,
    grid.sfs,
    ['stratus', 'native'],
    [
      ['lambda', 'ec2-warm-od'],
      ['lambda', 'ec2-warm-spot'],
      ['lambda', 'ec2-karpenter-od'],
      ['lambda', 'fargate-soci'],
      ['lambda', 'lmi'],
    ],
  );
  const starling = starlingSideBySide(model, fits);

  const tableRate = grid.rates.includes(TABLE_RATE) ? TABLE_RATE : grid.rates[0]!;
  const midSf = grid.sfs.includes(100) ? 100 : grid.sfs[grid.sfs.length - 1]!;
  const sweep = fits.flatMap((f) => {
    const job = jobAtScale(f, midSf);
    return RATE_SWEEP.flatMap((rate) =>
      (['lambda', 'lmi', 'fargate-soci', 'ec2-warm-od', 'ec2-warm-spot', 'ec2-karpenter-od'] as const).map((p) =>
        model.predict(job, p, 'stratus', rate),
      ),
    );
  });
  const bars = fits.flatMap((f) => timeline(model.predict(jobAtScale(f, midSf), 'lambda', 'stratus', tableRate)));
  const atRate = preds.filter((p) => p.rate === tableRate);
  const charts = [
    {
      file: 'time-by-sf.svg',
      title: `Seconds per job against SF (${tableRate} jobs/h)`,
      spec: bySfChart(atRate, 'seconds', `Seconds per job (${tableRate} jobs/h)`),
    },
    {
      file: 'cost-by-sf.svg',
      title: `USD per job against SF (${tableRate} jobs/h)`,
      spec: bySfChart(atRate, 'dollars', `USD per job (${tableRate} jobs/h)`),
    },
    {
      file: 'crossover-by-rate.svg',
      title: `USD per job against jobs per hour (SF ${midSf}, engine speed stratus)`,
      spec: byRateChart(sweep, `USD per job against jobs per hour, SF ${midSf}`),
    },
    {
      file: 'stratus-timeline.svg',
      title: `Stratus on Lambda, modelled executors per stage over time (SF ${midSf})`,
      spec: timelineChart(bars, `Stratus on Lambda: executors per stage, SF ${midSf}`),
    },
    ...measuredTimelines(doc.runs),
  ];
  for (const c of charts) writeFileSync(path.join(out, c.file), await toSvg(c.spec));

  const warnings = fits.flatMap((f) =>
    grid.sfs.flatMap((sf) => jobAtScale(f, sf).warnings.map((w) => `SF ${sf}: ${w}`)),
  );
  const generatedAt = new Date().toISOString();
  const md = markdownReport({
    generatedAt,
    profile: doc,
    fits,
    platforms,
    grid,
    preds,
    verdicts: cells,
    crossovers: cross,
    starling,
    tableRate,
    charts,
    warnings,
  });
  writeFileSync(path.join(out, 'report.md'), md);
  writeFileSync(
    path.join(out, 'model.json'),
    `${JSON.stringify(
      {
        generatedAt,
        profiles: path.relative(ROOT, profiles),
        platforms: {
          version: platforms.doc.version,
          compiledAt: platforms.doc.compiledAt,
          assumptionsUsed: platforms.assumptionsUsed(),
        },
        grid,
        verdicts: cells,
        crossovers: cross,
        starling,
        predictions: preds.map(({ stages: _stages, ...p }) => p),
      },
      null,
      1,
    )}\n`,
  );
  for (const line of grid.lines) console.log(`\nVerdicts (engine speed: ${line})\n${verdictTable(cells, grid, line)}`);
  console.log(`\nassumptions used: ${platforms.assumptionsUsed().join(', ')}`);
  console.log(`\nreport: ${path.join(out, 'report.md')}\njson:   ${path.join(out, 'model.json')}`);
}

await main();
