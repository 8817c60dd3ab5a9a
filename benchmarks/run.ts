/**
 * `npm run bench`: TPC-H on Stratus against DuckDB and Polars in the same run, one runner
 * process per (scale, threads, engine), answers checked against DuckDB, tables on stdout,
 * everything as JSON in --out. Exits 1 on a mismatch or a failed engine (after writing the JSON).
 *
 * Every runner is started and opened up front, then driven interleaved (peers/schedule.ts,
 * peers/drive.ts): per query, warm-up and timed rounds each run it once in every process, in
 * an order that rotates from round to round, and only one process works at a time. This host's
 * speed drifts by up to 1.7x within minutes; run one process after another, and every ratio
 * across processes (Stratus's 1→2 thread speed-up, SF10/SF1 growth, Stratus/DuckDB) carried
 * that drift (DuckDB's own 1→2 speed-up came out 1.31 and 1.78 in two runs of one build).
 *
 *   npm run bench -- [--sf 1[,10]] [--data <dir>[,<dir>]] [--codec snappy|zstd] [--queries all|1,3,5,6,12,18]
 *       [--runs 5] [--warmup 1] [--threads 1,2] [--engines stratus,duckdb,polars] [--out <file.json>]
 *       [--timeout <seconds per reply of a runner, default 600>] [--no-pin] [--report]
 *   A --threads N run is held to N cores (taskset on Linux, peers/spawn.ts cpuPinning) unless --no-pin.
 *   --report: afterwards measure stage profiles (SF 0.1, 0.3 and this SF) and write the Lambda-vs-EKS
 *   cost model's report under benchmarks/out/model (benchmarks/model/cli.ts; `npm run model` is the
 *   model-only mode from the committed profiles).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { generateTpch } from './datagen/index.js';
import { ORDERED, QUERIES } from './tpch/queries/index.js';
import { TPCH_QUERY_COUNT, tpchSql } from './tpch/sql/index.js';
import { ENGINES, type EngineName } from './peers/protocol.js';
import { cpuPinning, isFailure, PROJECT_ROOT, type RunnerSpec } from './peers/spawn.js';
import { driveRunners } from './peers/drive.js';
import { formatHeadline, headline, type ScaleResult } from './headline.js';
import { checkAnswers, formatReport, formatScaleTable, REL_TOL, summarize, type AnswerCheck } from './report.js';

const OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));
const ALL_QUERIES = Array.from({ length: TPCH_QUERY_COUNT }, (_, i) => i + 1);

interface Options {
  /** Scale factors, their runners interleaved with the others' (one with --data). */
  sfs: number[];
  /** Whether --sf was given (with --data it labels the data's scale factor). */
  sfGiven: boolean;
  /** Pre-generated data directories, one per scale factor (--data), instead of generating. */
  data?: string[];
  codec: 'snappy' | 'zstd';
  queries?: number[];
  runs: number;
  warmup: number;
  threads: number[];
  engines: EngineName[];
  out: string;
  timeoutMs: number;
  report: boolean;
  /** Hold a --threads N run to N cores (taskset), so threads mean cores for every engine. */
  pin: boolean;
}

const USAGE =
  'npm run bench -- [--sf N[,M]] [--data DIR[,DIR]] [--codec snappy|zstd] [--queries 1,6|all] [--runs 5] [--warmup 1] [--threads 1,2] [--engines stratus,duckdb,polars] [--out FILE] [--timeout SECONDS] [--no-pin] [--report]';

function fail(message: string): never {
  console.error(`bench: ${message}\nusage: ${USAGE}`);
  process.exit(2);
}

function intList(name: string, v: string, min: number, max = Infinity): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < min || x > max))
    fail(`--${name} must be integers in [${min}, ${max}], got ${v}`);
  return [...new Set(xs)];
}

type Flags = {
  [k in 'sf' | 'data' | 'codec' | 'queries' | 'runs' | 'warmup' | 'threads' | 'engines' | 'out' | 'timeout']?: string;
} & {
  report?: boolean;
  pin?: boolean;
};

/** The command line (commander): `--help` prints the options; an unknown option is a usage error (exit 2). */
function parseOptions(argv: string[]): Options {
  const v = new Command('npm run bench --')
    .description('TPC-H on Stratus, DuckDB and Polars in the same run: tables on stdout, everything as JSON in --out')
    .option('--sf <n[,m]>', 'scale factors, their runs interleaved (default 1; with --data they label the data)')
    .option('--data <dir[,dir]>', 'pre-generated TPC-H data, one directory per scale factor')
    .option('--codec <codec>', 'Parquet codec of generated data: snappy or zstd (default snappy)')
    .option('--queries <list>', "queries: 'all' or a list like 1,3,5,6,12,18 (default all)")
    .option('--runs <n>', 'timed runs per query (default 5)')
    .option('--warmup <n>', 'warmup runs per query (default 1)')
    .option('--threads <list>', 'thread counts (Stratus: executor processes; default 1,2)')
    .option('--engines <list>', `engines (default ${ENGINES.join(',')})`)
    .option('--out <file>', 'the JSON results (default benchmarks/out/results-<time>.json)')
    .option(
      '--timeout <seconds>',
      'longest wait for one reply of a runner: a run of a query, an open, a close (default 600)',
    )
    .option('--no-pin', 'let every engine use all cores (default: a --threads N run is held to N cores with taskset)')
    .option('--report', "afterwards measure stage profiles and write the cost model's report")
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2))
    .parse(argv, { from: 'user' })
    .opts<Flags>();
  const sfs = [...new Set((v.sf ?? '1').split(',').map((x) => Number(x.trim())))];
  if (sfs.some((sf) => !(sf > 0))) fail(`--sf must be positive numbers, got ${v.sf}`);
  const data = v.data?.split(',').map((d) => path.resolve(d.trim()));
  if (data && data.length !== sfs.length)
    fail(
      `--data names ${data.length} director${data.length === 1 ? 'y' : 'ies'} and --sf ${sfs.length} scale factor(s): give one directory per scale factor (--sf labels them)`,
    );
  const codec = v.codec ?? 'snappy';
  if (codec !== 'snappy' && codec !== 'zstd') fail(`--codec must be snappy or zstd, got ${codec}`);
  const engines = (v.engines ?? ENGINES.join(',')).split(',').map((s) => s.trim()) as EngineName[];
  const unknown = engines.filter((e) => !ENGINES.includes(e));
  if (unknown.length) fail(`unknown engine(s) ${unknown.join(', ')}; known: ${ENGINES.join(', ')}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    sfs,
    sfGiven: v.sf !== undefined,
    ...(data ? { data } : {}),
    codec,
    ...(v.queries && v.queries !== 'all' ? { queries: intList('queries', v.queries, 1, TPCH_QUERY_COUNT) } : {}),
    runs: intList('runs', v.runs ?? '5', 1)[0]!,
    warmup: intList('warmup', v.warmup ?? '1', 0)[0]!,
    threads: intList('threads', v.threads ?? '1,2', 1),
    engines: [...new Set(engines)],
    out: path.resolve(v.out ?? path.join(OUT_DIR, `results-${stamp}.json`)),
    timeoutMs: intList('timeout', v.timeout ?? '600', 1)[0]! * 1000,
    report: v.report === true,
    pin: v.pin !== false,
  };
}

/** The generated data directory for (sf, codec), generating it once; `.complete` marks a finished run. */
async function ensureData(sf: number, codec: 'snappy' | 'zstd'): Promise<string> {
  const dir = path.join(OUT_DIR, 'data', `sf${sf}-${codec}`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return dir;
  console.error(`[bench] generating TPC-H SF ${sf} (${codec}) into ${dir} …`);
  const t0 = performance.now();
  const rows = await generateTpch({
    sf,
    dir,
    compression: codec,
    onProgress: (t, n) => console.error(`[bench] datagen ${t}: ${n} rows`),
  });
  writeFileSync(marker, JSON.stringify({ sf, codec, rows }, null, 2));
  console.error(`[bench] generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

/** Whether a query's result order is defined: Stratus' ORDERED, else an ORDER BY in the spec SQL. */
function ordered(q: number): boolean {
  return ORDERED[q] ?? /\border\s+by\b/i.test(tpchSql(q).replace(/--.*$/gm, ''));
}

function packageVersion(name: string): string | undefined {
  try {
    return (
      JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version?: string;
      }
    ).version;
  } catch {
    return undefined;
  }
}

/**
 * Every runner of the bench, one per (scale, threads, engine) in that order, each with its own
 * scratch directory and, unless --no-pin, held to `threads` cores.
 */
function runnerSpecs(opts: Options, dataDirs: readonly string[]): RunnerSpec[] {
  return dataDirs.flatMap((dataDir, i) =>
    opts.threads.flatMap((threads) =>
      opts.engines.map((engine): RunnerSpec => {
        const scratchDir = mkdtempSync(path.join(os.tmpdir(), `bench-${engine}-`));
        const cpus = opts.pin ? cpuPinning(threads) : undefined;
        const sf = opts.sfs.length > 1 ? `SF${opts.sfs[i]} ` : '';
        return {
          args: { engine, dataDir, threads, scratchDir },
          label: `${sf}${engine} threads=${threads}`,
          ...(cpus ? { cpus } : {}),
        };
      }),
    ),
  );
}

function machineInfo(loadAvgStart: number[]) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    totalMemGB: os.totalmem() / 2 ** 30,
    loadAvgStart,
    loadAvgEnd: os.loadavg(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    duckdb: packageVersion('@duckdb/node-api'),
    polars: packageVersion('nodejs-polars'),
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const loadAvgStart = os.loadavg();
  const stratusHas = Object.keys(QUERIES).map(Number);
  const queries =
    opts.queries ??
    (opts.engines.includes('stratus') ? ALL_QUERIES.filter((q) => stratusHas.includes(q)) : ALL_QUERIES);
  const missing = opts.engines.includes('stratus')
    ? (opts.queries ?? ALL_QUERIES).filter((q) => !stratusHas.includes(q))
    : [];
  const missingText = missing.length
    ? `Stratus has no DSL version of ${missing.map((q) => `Q${q}`).join(', ')} yet${opts.queries ? '' : ' (skipped)'}`
    : '';
  if (missingText) console.error(`[bench] ${missingText}`);
  if (!queries.length) fail('no queries to run');
  for (const dir of opts.data ?? [])
    if (!existsSync(path.join(dir, 'lineitem'))) fail(`--data ${dir} has no lineitem/ sub-directory`);

  // Every runner of every scale started up front and driven interleaved (peers/schedule.ts),
  // so ratios across them come from the same minutes of a host whose speed drifts.
  const dataDirs: string[] = [];
  for (const [i, sf] of opts.sfs.entries()) dataDirs.push(opts.data?.[i] ?? (await ensureData(sf, opts.codec)));
  const specs = runnerSpecs(opts, dataDirs);
  console.error(
    `[bench] ${specs.length} runners, Q${queries.join(',Q')}: per query ${opts.warmup} warmup + ${opts.runs} runs in each, interleaved`,
  );
  const all = await driveRunners(specs, { queries, warmup: opts.warmup, runs: opts.runs, timeoutMs: opts.timeoutMs });
  for (const spec of specs) rmSync(spec.args.scratchDir, { recursive: true, force: true });
  const perScale = all.length / dataDirs.length;
  const scales = dataDirs.map((dataDir, i): ScaleResult & { dataDir: string; checks: AnswerCheck[] } => {
    const records = all.slice(i * perScale, (i + 1) * perScale);
    return {
      sf: opts.data && !opts.sfGiven ? null : opts.sfs[i]!,
      dataDir,
      records,
      checks: checkAnswers(records, ordered),
      summaries: summarize(records, opts.engines, queries, opts.threads),
    };
  });
  const machine = machineInfo(loadAvgStart);
  const load = (xs: number[]) => xs.map((x) => x.toFixed(1)).join('/');
  const where = opts.data ? `data ${opts.data.join(', ')}` : `SF ${opts.sfs.join(', ')} (${opts.codec})`;
  console.log(
    `TPC-H ${where}; ${opts.warmup} warmup + ${opts.runs} runs; ` +
      `${machine.cpus} CPUs; node ${process.version}; load avg ${load(loadAvgStart)} at start, ${load(machine.loadAvgEnd)} at end${missingText ? `\n${missingText}` : ''}`,
  );
  for (const sc of scales) {
    if (scales.length > 1) console.log(`\n===== SF ${sc.sf} (${sc.dataDir}) =====`);
    console.log(formatReport(sc.summaries, sc.checks, sc.records, opts.engines));
  }
  if (scales.length > 1) console.log(formatScaleTable(scales, opts.engines));
  const head = headline(scales, opts.engines);
  console.log(formatHeadline(head));

  const checks = scales.flatMap((sc) => sc.checks);
  const mismatches = checks.filter((c) => c.status === 'mismatch').length;
  const failures = scales.flatMap((sc) =>
    sc.records.flatMap((r) => {
      const at = `${scales.length > 1 ? `SF${sc.sf} ` : ''}${r.engine} threads=${r.threads}`;
      return isFailure(r)
        ? [`${at}: ${r.failure}`]
        : r.queries.filter((o) => o.status === 'error').map((o) => `${at} Q${o.query}: ${o.error}`);
    }),
  );
  const config = {
    sf: opts.data && !opts.sfGiven ? null : opts.sfs[0],
    sfs: opts.data && !opts.sfGiven ? null : opts.sfs,
    codec: opts.data ? null : opts.codec,
    dataDir: scales[0]!.dataDir,
    queries,
    stratusMissing: missing,
    runs: opts.runs,
    warmup: opts.warmup,
    threads: opts.threads,
    // The cores each --threads setting was held to (taskset -c); absent: all cores.
    pinnedCpus: Object.fromEntries(
      opts.threads.flatMap((t) => {
        const cpus = opts.pin ? cpuPinning(t) : undefined;
        return cpus ? [[t, cpus]] : [];
      }),
    ),
    engines: opts.engines,
    relTol: REL_TOL,
    timeoutS: opts.timeoutMs / 1000,
  };
  mkdirSync(path.dirname(opts.out), { recursive: true });
  const first = scales[0]!;
  writeFileSync(
    opts.out,
    JSON.stringify(
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        machine,
        config,
        // The first scale's results at the top level; every scale's under `scales`.
        summaries: first.summaries,
        checks: first.checks,
        mismatches,
        failures,
        runs: first.records,
        headline: { lines: head.lines, targets: head.targets, figures: head.figures },
        ...(scales.length > 1
          ? {
              scales: scales.map((sc) => ({
                sf: sc.sf,
                dataDir: sc.dataDir,
                summaries: sc.summaries,
                checks: sc.checks,
                runs: sc.records,
              })),
            }
          : {}),
      },
      null,
      1,
    ),
  );
  console.log(`\nresults: ${opts.out}`);
  if (mismatches) console.error(`\n*** ${mismatches} MISMATCH(ES) — see above ***`);
  for (const f of failures) console.error(`*** FAILED: ${f}`);
  if (mismatches || failures.length) process.exitCode = 1;
  if (opts.report) costModelReport(opts, queries);
}

/** --report: stage profiles measured at SF 0.1, 0.3 and this run's largest SF, then the cost model's report. */
function costModelReport(opts: Options, queries: number[]): void {
  const sfs = [...new Set([0.1, 0.3, opts.data ? 1 : Math.max(...opts.sfs)])].sort((a, b) => a - b);
  const stratus = queries.filter((q) => QUERIES[q]);
  const args = ['tsx', path.join(PROJECT_ROOT, 'benchmarks', 'model', 'cli.ts'), '--measure'];
  args.push('--measure-sf', sfs.join(','), '--queries', stratus.join(','), '--data-root', path.join(OUT_DIR, 'data'));
  args.push('--profiles', path.join(OUT_DIR, 'model', 'stage-profiles.json'), '--out', path.join(OUT_DIR, 'model'));
  console.error(`[bench] cost model: measuring stage profiles at SF ${sfs.join(', ')} …`);
  const r = spawnSync('npx', args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`*** FAILED: cost model report (exit ${r.status})`);
    process.exitCode = 1;
  }
}

await main();
