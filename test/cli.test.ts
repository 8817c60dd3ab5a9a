/**
 * The `stratus` CLI end to end in local mode, driven in-process through `main(argv)` (what
 * bin/stratus.mjs calls): run, explain, submit → status / wait / report / logs / list, cancel
 * and resume of a running job (its detached runner process), gc, synth offline, help and exit
 * codes, and configuration from flags, environment and file. Results are checked against DuckDB.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/cli/config.js';
import { EXIT } from '../src/cli/output.js';
import { type CliRun, runCli } from './support/cli.js';
import { type Cell, type DecimalCell, isDecimalCell } from './support/compare.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const work = tempDir('stratus-cli-');
const store = path.join(work, 'store');
fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module' }));

/** A job file in the work directory. */
function jobFile(name: string, body: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(
    file,
    `import type { Session } from '${SRC}/index.js';\nimport { col, count, max } from '${SRC}/index.js';\nimport { udf } from '${SRC}/functions.js';\n${body}\n`,
  );
  return file;
}

const ordersJob = jobFile(
  'orders.ts',
  `export default (s: Session) => s.read.parquet('${SF01}/orders').groupBy('o_orderstatus')
    .agg(count('*').alias('n'), max(col('o_totalprice')).alias('top')).orderBy('o_orderstatus');`,
);
const ORDERS_SQL = 'select o_orderstatus, count(*) as n, max(o_totalprice) as top from orders group by 1 order by 1';

// Slow rows while STRATUS_TEST_ROW_MS says so (read by the runner process): time to cancel it.
const slowJob = jobFile(
  'slow.ts',
  `const slow = udf('cli_test_slow_row', (k) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.STRATUS_TEST_ROW_MS ?? 0));
  return k as number;
}, 'int32');
export const options = { maxTaskAttempts: 1 };
export default (s: Session) => s.read.parquet('${SF01}/nation').select(slow(col('n_nationkey')).alias('k'));`,
);

// Four tasks (one per file) run one after another in one executor, each slow: a long stage.
const longStageJob = jobFile(
  'long-stage.ts',
  `const slowRow = udf('cli_test_slow_row2', (k) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.STRATUS_TEST_ROW_MS ?? 0));
  return k as number;
}, 'int32');
export const options = { workers: 1, taskBytes: 1, maxExecutors: 1 };
export default (s: Session) => s.read.parquet('${SF01}/supplier').select(slowRow(col('s_suppkey')).alias('k'));`,
);

/** Run the CLI in-process against the test store. */
const cli = (...argv: string[]): Promise<CliRun> =>
  runCli(['--store', store, '--executors', '2', ...argv], { cwd: work });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await closeDuckdbOracles();
});

describe('help and exit codes', () => {
  it('documents every command with --help and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(EXIT.ok);
    for (const c of ['run', 'explain', 'submit', 'status', 'wait', 'logs', 'report', 'cancel', 'resume', 'list', 'gc'])
      expect(r.out).toMatch(new RegExp(`\\n\\s+${c}\\b`));
    for (const c of ['synth', 'deploy', 'destroy', 'iam']) expect(r.out).toContain(c);
    expect(r.out).not.toContain('__run');
    const sub = await cli('wait', '--help');
    expect(sub.code).toBe(EXIT.ok);
    expect(sub.out).toContain('--timeout');
  });

  it('exits 2 on bad usage and bad job files, 3 on an unknown job', async () => {
    expect((await cli('frobnicate')).code).toBe(EXIT.usage);
    expect((await cli('status')).code).toBe(EXIT.usage);
    expect((await cli('--target', 'mars', 'list')).code).toBe(EXIT.usage);
    const noDefault = jobFile('nodefault.ts', 'export const x = 1;');
    const bad = await cli('run', noDefault);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toContain('BAD_JOB_FILE');
    expect(bad.err).toContain('default export');
    const missing = await cli('--json', 'status', '20990101000000-deadbeef');
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.json()).toMatchObject({ error: { code: 'JOB_NOT_FOUND' } });
  });
});

describe('run and explain', () => {
  it('runs a job file locally and prints its result as JSON, equal to DuckDB', async () => {
    const r = await cli('--json', 'run', ordersJob);
    expect(r.code).toBe(EXIT.ok);
    const doc = r.json() as { jobId: string; status: string; rows: number; result: Record<string, unknown>[] };
    expect(doc.status).toBe('succeeded');
    const expected = await duckdbQuery(ORDERS_SQL, SF01);
    expect(doc.rows).toBe(expected.rows.length);
    // Exact text: counts, and o_totalprice (DECIMAL(15,2)) digit for digit.
    const cells = (rows: readonly (readonly unknown[])[]) =>
      rows.map((row) => row.map((c) => (isDecimalCell(c as Cell) ? (c as DecimalCell).decimal : String(c))));
    expect(cells(doc.result.map((o) => [o.n, o.top]))).toEqual(cells(expected.rows.map((row) => row.slice(1))));
    expect(doc.result.map((o) => o.o_orderstatus)).toEqual(expected.rows.map((row) => row[0]));
    // The text form: a table and the job id.
    const text = await cli('run', ordersJob);
    expect(text.out).toContain('o_orderstatus');
    expect(text.out).toMatch(/job \S+: 3 rows/);
  });

  it('explains the plan the driver runs', async () => {
    const r = await cli('explain', ordersJob);
    expect(r.code).toBe(EXIT.ok);
    for (const section of ['== Logical Plan ==', '== Optimized Plan ==', '== Staged Plan =='])
      expect(r.out).toContain(section);
  });
});

describe('submit, follow, report, cancel, resume, gc', () => {
  it('submit returns at once; status, wait, logs, list and report follow the job from other commands', async () => {
    const sub = await cli('--json', 'submit', ordersJob);
    expect(sub.code).toBe(EXIT.ok);
    const { jobId, pid } = sub.json() as { jobId: string; pid: number };
    expect(pid).toBeGreaterThan(0);
    const first = (await cli('--json', 'status', jobId)).json();
    expect(['submitted', 'running', 'succeeded']).toContain(first.status);
    const waited = await cli('--json', 'wait', jobId);
    expect(waited.code).toBe(EXIT.ok);
    expect(waited.json()).toMatchObject({ jobId, status: 'succeeded', rows: 3 });
    // The runner process writes its last log line after the result (which ends `wait`): poll for it.
    let logs = await cli('logs', jobId);
    for (let i = 0; i < 300 && !logs.out.includes(`job ${jobId}: 3 rows`); i++) {
      await sleep(100);
      logs = await cli('logs', jobId);
    }
    expect(logs.out).toContain(`job ${jobId}: 3 rows`);
    const list = (await cli('--json', 'list')).json() as unknown as { jobId: string }[];
    expect(list.map((j) => j.jobId)).toContain(jobId);

    const html = path.join(work, 'report.html');
    const rep = await cli('--json', 'report', jobId, '-o', html);
    expect(rep.code).toBe(EXIT.ok);
    const doc = rep.json() as { tasks: number; cost: { dollars: { total: number } } };
    const status = waited.json() as { progress: { tasksTotal: number } };
    expect(doc.tasks).toBeGreaterThanOrEqual(status.progress.tasksTotal);
    expect(doc.cost.dollars.total).toBeGreaterThan(0);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('Task timeline by executor');
    expect(page).not.toMatch(/<script|src="http/); // self-contained
    // One timeline bar per task attempt: the SVG holds a mark per bar.
    expect(page.match(/role="graphics-symbol"/g)?.length ?? 0).toBeGreaterThanOrEqual(doc.tasks);
  });

  it('cancel stops a running job and marks it cancelled; resume finishes it', async () => {
    process.env.STRATUS_TEST_ROW_MS = '1000'; // inherited by the runner process
    let jobId: string;
    try {
      jobId = ((await cli('--json', 'submit', slowJob)).json() as { jobId: string }).jobId;
      // Wait until its only stage runs (a cancel before the runner starts is a different path).
      for (let i = 0; i < 600; i++) {
        const s = (await cli('--json', 'status', jobId)).json() as { progress: { running: number[] } };
        if (s.progress.running.length) break;
        await sleep(100);
      }
    } finally {
      delete process.env.STRATUS_TEST_ROW_MS;
    }
    const cancel = await cli('--json', 'cancel', jobId, '--reason', 'test');
    expect(cancel.code).toBe(EXIT.ok);
    expect(cancel.json()).toMatchObject({ status: 'cancelled', error: { code: 'JOB_CANCELLED' } });
    expect((cancel.json() as { runner: { live: boolean } }).runner.live).toBe(false);
    const waited = await cli('wait', jobId);
    expect(waited.code).toBe(EXIT.cancelled);
    // Cancelling again is a no-op; resume runs it to its end (rows fast now).
    expect((await cli('cancel', jobId)).code).toBe(EXIT.ok);
    const resumed = await cli('--json', 'resume', jobId, '--wait');
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.json()).toMatchObject({ jobId, status: 'succeeded', rows: 25 });
    // A succeeded job cannot be resumed.
    const again = await cli('resume', jobId);
    expect(again.code).toBe(EXIT.usage);
    expect(again.err).toContain('NOT_RESUMABLE');
  });

  it('progress moves during a long stage: executors report tasks done before the driver steps', async () => {
    process.env.STRATUS_TEST_ROW_MS = '6'; // 250 rows per task: ~1.5 s per task, 4 tasks in a row
    let jobId: string;
    try {
      jobId = ((await cli('--json', 'submit', longStageJob)).json() as { jobId: string }).jobId;
    } finally {
      delete process.env.STRATUS_TEST_ROW_MS;
    }
    type S = { status: string; progress: { stagesDone: number; tasksDone: number; tasksTotal: number } };
    const seen: S['progress'][] = [];
    for (let i = 0; i < 3000; i++) {
      const s = (await cli('--json', 'status', jobId)).json() as S;
      seen.push(s.progress);
      if (s.status !== 'running' && s.status !== 'submitted' && s.status !== 'abandoned') break;
      await sleep(100);
    }
    expect((await cli('wait', jobId)).code).toBe(EXIT.ok);
    // While the only stage ran (no stage done yet), some but not all of its tasks were counted done.
    const mid = seen.filter((p) => p.stagesDone === 0 && p.tasksTotal === 4 && p.tasksDone > 0 && p.tasksDone < 4);
    expect(mid.length).toBeGreaterThan(0);
    // A finished job's progress reads all done (the driver may record its last step just after the
    // result that ends `wait`: poll briefly).
    let last = seen.at(-1);
    for (let i = 0; i < 300 && last?.stagesDone !== 1; i++) {
      await sleep(100);
      last = ((await cli('--json', 'status', jobId)).json() as S).progress;
    }
    expect(last).toMatchObject({ stagesDone: 1, tasksDone: 4, tasksTotal: 4 });
  });

  it('gc removes finished jobs past the retention, and status then exits 3', async () => {
    const jobs = (await cli('--json', 'list')).json() as unknown as { jobId: string; status: string }[];
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    const kept = (await cli('--json', 'gc')).json() as { removed: unknown[] };
    expect(kept.removed).toEqual([]); // within the default 24 h retention
    const gc = (await cli('--json', 'gc', '--retention-hours', '0')).json() as { removed: { jobId: string }[] };
    // Every listed job goes; gc may also remove a folder that holds no submission, reported as
    // orphaned (list shows only jobs with one: on a loaded machine a cancelled runner can leave one).
    expect(gc.removed.map((r) => r.jobId)).toEqual(expect.arrayContaining(jobs.map((j) => j.jobId)));
    for (const r of gc.removed as { jobId: string; status: string }[])
      if (!jobs.some((j) => j.jobId === r.jobId)) expect(r.status).toBe('orphaned');
    expect((await cli('status', jobs[0]!.jobId)).code).toBe(EXIT.notFound);
  });
});

describe('synth', () => {
  it('synthesizes the stack offline', async () => {
    const out = path.join(work, 'cdk.out');
    const r = await cli('--json', 'synth', '--no-bundle', '--out', out, '--prefix', 'stratus/');
    expect(r.code).toBe(EXIT.ok);
    const { template } = r.json() as { template: string };
    const t = JSON.parse(fs.readFileSync(template, 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(t.Resources).map((x) => x.Type);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(types.filter((x) => x === 'AWS::Lambda::Function').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(t)).toContain('"STRATUS_PREFIX":"stratus/"');
  });
});

describe('synth with Lambda Managed Instances', () => {
  it('puts the executor on a capacity provider from --lmi-subnets/--lmi-security-groups, and wants both', async () => {
    const out = path.join(work, 'cdk-lmi.out');
    const r = await cli(
      '--json',
      'synth',
      '--no-bundle',
      '--out',
      out,
      '--lmi-subnets',
      'subnet-1,subnet-2',
      '--lmi-security-groups',
      'sg-1',
    );
    expect(r.code).toBe(EXIT.ok);
    const { template } = r.json() as { template: string };
    const t = JSON.parse(fs.readFileSync(template, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const providers = Object.values(t.Resources).filter((x) => x.Type === 'AWS::Lambda::CapacityProvider');
    expect(providers.length).toBe(1);
    expect(providers[0]!.Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-1', 'subnet-2'],
      SecurityGroupIds: ['sg-1'],
    });
    const onProvider = Object.values(t.Resources).filter(
      (x) => x.Type === 'AWS::Lambda::Function' && x.Properties.CapacityProviderConfig,
    );
    expect(onProvider.length).toBe(1);
    const half = await cli('synth', '--no-bundle', '--out', out, '--lmi-subnets', 'subnet-1');
    expect(half.code).toBe(EXIT.usage);
    expect(half.err).toMatch(/--lmi-security-groups/);
  });
});

describe('the bin entry', () => {
  it('runs as a program: bin/stratus.mjs --version', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'stratus.mjs'), '--version'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('0.1.0');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.stratus).toBe('bin/stratus.mjs');
  });
});

describe('configuration', () => {
  it('takes flags over environment over the config file, and names what is wrong', () => {
    const dir = tempDir('stratus-cfg-');
    fs.writeFileSync(
      path.join(dir, 'stratus.config.json'),
      JSON.stringify({ target: 'aws', store: 's3://from-file/p', stack: 'FileStack', executors: 3 }),
    );
    expect(resolveConfig({}, {}, dir)).toEqual({
      target: 'aws',
      store: 's3://from-file/p',
      stack: 'FileStack',
      executors: 3,
    });
    expect(resolveConfig({}, { STRATUS_STACK: 'EnvStack', AWS_REGION: 'eu-west-1' }, dir)).toMatchObject({
      stack: 'EnvStack',
      region: 'eu-west-1',
    });
    expect(
      resolveConfig({ stack: 'FlagStack', target: 'local', store: 'rel' }, { STRATUS_STACK: 'EnvStack' }, dir),
    ).toMatchObject({
      stack: 'FlagStack',
      target: 'local',
      store: path.join(dir, 'rel'),
    });
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ bucket: 'x' }));
    expect(() => resolveConfig({ config: 'bad.json' }, {}, dir)).toThrow(/unknown key 'bucket'/);
    expect(() => resolveConfig({ executors: '0' }, {}, dir)).toThrow(/executors must be a positive integer/);
    expect(() => resolveConfig({ config: 'missing.json' }, {}, dir)).toThrow(/does not exist/);
  });
});
