/**
 * The package as a user gets it: `npm pack` (whose prepack runs `npm run build`: JavaScript,
 * declarations and the executor worker bundle in dist/), installed into a scratch project in a
 * temporary directory (dependencies from the local npm cache where it has them). There a plain
 * `node` ESM job script imports `stratus` and, from its own module, a UDF registered through
 * `stratus/functions`, runs a query over the generated TPC-H lineitem with executors in separate
 * processes, and its result is compared with DuckDB. A TypeScript consumer is type-checked against
 * the installed declarations. The installed `stratus` command runs the same job from a job file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameResults } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TSC = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const TIMEOUT = 15 * 60_000;

const FUNCTIONS_MJS = `import { udf } from 'stratus/functions';
export const net = udf('net', (price, discount) => price * (1 - discount), 'float64');
`;

const JOB_MJS = `import { col, count, date, session, sum } from 'stratus';
import { net } from './functions.mjs';

const [data, store] = process.argv.slice(2);
const s = session({ store, executors: 2, progress: false });
try {
  const rows = await s.read
    .parquet(\`\${data}/lineitem\`)
    .filter(col('l_shipdate').leq(date('1998-09-02')))
    .groupBy('l_returnflag')
    .agg(sum(net(col('l_extendedprice'), col('l_discount'))).alias('revenue'), count('*').alias('n'))
    .orderBy('l_returnflag')
    .collect();
  console.log(JSON.stringify(rows.toArray().map((r) => [r.l_returnflag, r.revenue, Number(r.n)])));
} finally {
  await s.stop();
}
`;

/** The same job as a job file for the installed \`stratus\` command (default export: session => DataFrame). */
const CLI_JOB_MJS = `import { col, count, date, sum } from 'stratus';
import { net } from './functions.mjs';

export default (s) =>
  s.read
    .parquet(\`\${process.env.TPCH_DATA}/lineitem\`)
    .filter(col('l_shipdate').leq(date('1998-09-02')))
    .groupBy('l_returnflag')
    .agg(sum(net(col('l_extendedprice'), col('l_discount'))).alias('revenue'), count('*').alias('n'))
    .orderBy('l_returnflag');
`;

const CONSUMER_TS = `import { col, type DataFrame, session, sum } from 'stratus';
import { udf } from 'stratus/functions';

const net = udf('net', (price: number, discount: number) => price * (1 - discount), 'float64');
const s = session({ progress: false });
const df: DataFrame = s.read.parquet('lineitem').groupBy('k').agg(sum(net(col('a'), col('b'))).alias('r'));
const rows: Promise<Record<string, unknown>[]> = df.take(1);
// @ts-expect-error: a Column has no such method (the declarations are real types, not any)
col('a').noSuchMethod();
// @ts-expect-error: session options are checked
session({ noSuchOption: true });
void rows;
`;

/** Runs a command; a failure is an error carrying its output. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let project: string;

beforeAll(async () => {
  const work = tempDir('stratus-package-');
  run('npm', ['pack', '--pack-destination', work], REPO);
  const tarballs = fs.readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  const tarball = path.join(work, tarballs[0]!);
  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], project);
  fs.writeFileSync(path.join(project, 'functions.mjs'), FUNCTIONS_MJS);
  fs.writeFileSync(path.join(project, 'job.mjs'), JOB_MJS);
  fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER_TS);
  fs.writeFileSync(path.join(project, 'cli-job.mjs'), CLI_JOB_MJS);
}, TIMEOUT);

describe('the packed package, installed into a scratch project', () => {
  it('ships the compiled JavaScript, declarations and worker bundle, and no TypeScript sources', () => {
    const pkg = path.join(project, 'node_modules', 'stratus');
    const files = fs.readdirSync(pkg, { recursive: true, encoding: 'utf8' });
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/functions.js',
        'dist/src/functions.d.ts',
        'dist/worker/worker.mjs',
        'dist/worker/thread.mjs',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it(
    'runs a job script in plain node (a UDF from stratus/functions in its own module), matching DuckDB',
    async () => {
      const out = run(process.execPath, ['job.mjs', SF01, path.join(project, 'store')], project);
      const rows = JSON.parse(out.trim().split('\n').at(-1)!) as [string, number, number][];
      const expected = await duckdbQuery(
        `select l_returnflag, sum(l_extendedprice * (1 - l_discount)) as revenue, count(*) as n
         from lineitem where l_shipdate <= date '1998-09-02' group by 1 order by 1`,
        SF01,
      );
      await closeDuckdbOracles();
      expectSameResults({ columns: ['l_returnflag', 'revenue', 'n'], rows }, expected, {
        ordered: true,
        relTol: 1e-9,
      });
    },
    TIMEOUT,
  );

  it(
    'installs the stratus command, which runs a job file in plain node, matching DuckDB',
    async () => {
      const bin = path.join(project, 'node_modules', '.bin', 'stratus');
      expect(run(bin, ['--help'], project)).toContain('submit');
      const r = spawnSync(
        bin,
        ['--json', '--store', path.join(project, 'cli-store'), '--executors', '2', 'run', 'cli-job.mjs'],
        {
          cwd: project,
          encoding: 'utf8',
          env: { ...process.env, TPCH_DATA: SF01 },
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { result: { l_returnflag: string; revenue: number; n: number | string }[] };
      const rows = doc.result.map((o) => [o.l_returnflag, o.revenue, Number(o.n)]);
      const expected = await duckdbQuery(
        `select l_returnflag, sum(l_extendedprice * (1 - l_discount)) as revenue, count(*) as n
         from lineitem where l_shipdate <= date '1998-09-02' group by 1 order by 1`,
        SF01,
      );
      await closeDuckdbOracles();
      expectSameResults({ columns: ['l_returnflag', 'revenue', 'n'], rows }, expected, { ordered: true, relTol: 1e-9 });
    },
    TIMEOUT,
  );

  it(
    'type-checks a TypeScript consumer against the installed declarations',
    () => {
      const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--skipLibCheck'];
      const types = ['--typeRoots', path.join(REPO, 'node_modules', '@types'), '--types', 'node'];
      const tsc = spawnSync(process.execPath, [TSC, ...args, ...types, 'consumer.ts'], {
        cwd: project,
        encoding: 'utf8',
      });
      expect({ status: tsc.status, output: tsc.stdout + tsc.stderr }).toEqual({ status: 0, output: '' });
    },
    TIMEOUT,
  );
});
