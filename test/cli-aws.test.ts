/**
 * The `stratus` CLI against AWS, with Step Functions and CloudFormation mocked (the "deployed"
 * state machine is the local runner on an S3-compatible store): the stack's outputs name the
 * machine, submit starts an execution and records it, status/wait/logs/report follow it, cancel
 * stops it, resume starts another. Safe AWS mode: local stores and paths are refused at
 * submission; the Lambda handlers serve only their deployed store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../src/cli/output.js';
import { type CliRun, runCli } from './support/cli.js';
import { handler as driverHandler } from '../src/lambda/driver.js';
import { handler as executorHandler } from '../src/lambda/executor.js';
import { checkJobStore } from '../src/lambda/environment.js';
import { LocalRunner } from '../src/local/runner.js';
import { cachedStore } from '../src/runtime/env.js';
import type { JobRef } from '../src/runtime/protocol.js';
import { jobKeys } from '../src/runtime/jobState.js';
import { parseStoreUrl } from '../src/storage/url.js';
import { closeDuckdbOracles, duckdbQuery } from './support/oracle.js';
import { uniquePrefix, uploadDir } from './support/s3data.js';
import { SF01, tempDir } from './support/tpch.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('cli-aws');
const STORE = `s3://${bucket}/${prefix}/store`;
const DATA = `s3://${bucket}/${prefix}/data`;
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Stratus';
const work = tempDir('stratus-cli-aws-');
fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module' }));

function jobFile(name: string, body: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(
    file,
    `import type { Session } from '${SRC}/index.js';\nimport { col, count } from '${SRC}/index.js';\n${body}\n`,
  );
  return file;
}
const nationJob = jobFile(
  'nation.ts',
  `export default (s: Session) => s.read.parquet('${DATA}/nation').groupBy('n_regionkey').agg(count('*').alias('n')).orderBy('n_regionkey');`,
);
const localInputJob = jobFile('local-input.ts', `export default (s: Session) => s.read.parquet('${SF01}/nation');`);
const localOutputJob = jobFile(
  'local-output.ts',
  `export default (s: Session) => ({ frame: s.read.parquet('${DATA}/nation'), write: { path: '${work}/out', mode: 'overwrite' } });`,
);

// The "deployed" machine: the local runner on the S3 store; executions start on demand.
const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
const backend = new LocalRunner({ store: parseStoreUrl(STORE, { endpoint }), executors: 2 });
const executions = new Map<string, { job: JobRef; status: string; run?: Promise<unknown>; abort: AbortController }>();
/** When false, StartExecution records the execution but does not run it (a job to cancel). */
let runOnStart = true;

function runExecution(arn: string): void {
  const e = executions.get(arn)!;
  // A deployed execution ends after its last step's writes; the local runner's run() returns
  // before a succeeded job's final state lands (finished() resolves after it).
  e.run = backend.run(e.job, undefined, e.abort.signal).then(async (err) => {
    await backend.finished(e.job.jobId);
    if (e.status === 'RUNNING') e.status = err ? 'FAILED' : 'SUCCEEDED';
  });
}

beforeAll(async () => {
  await uploadDir(path.join(SF01, 'nation'), { endpoint, bucket, prefix: `${prefix}/data/nation` });
  cfn.on(DescribeStacksCommand, { StackName: 'TestStack' }).resolves({
    Stacks: [
      {
        StackName: 'TestStack',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'StateMachineArn', OutputValue: MACHINE },
          { OutputKey: 'BucketName', OutputValue: bucket },
        ],
      },
    ],
  });
  cfn
    .on(DescribeStacksCommand, { StackName: 'NoSuchStack' })
    .rejects(new Error('Stack with id NoSuchStack does not exist'));
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string; input: string }) => {
    expect(input.stateMachineArn).toBe(MACHINE);
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:${input.name}`;
    if (executions.has(arn)) throw new Error(`ExecutionAlreadyExists: ${input.name}`);
    const job = (JSON.parse(input.input) as { job: JobRef }).job;
    executions.set(arn, { job, status: 'RUNNING', abort: new AbortController() });
    if (runOnStart) runExecution(arn);
    return { executionArn: arn, startDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const e = executions.get(executionArn);
    if (!e) throw new Error(`ExecutionDoesNotExist: ${executionArn}`);
    return { executionArn, status: e.status, stateMachineArn: MACHINE, startDate: new Date() };
  });
  sfn.on(StopExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const e = executions.get(executionArn)!;
    e.status = 'ABORTED';
    e.abort.abort('stopped');
    return { stopDate: new Date() };
  });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      { id: 1, timestamp: new Date(), type: 'ExecutionStarted' },
      { id: 2, timestamp: new Date(), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Driver' } },
    ],
  });
});

afterAll(async () => {
  await Promise.all([...executions.values()].map((e) => e.run));
  await backend.close();
  sfn.restore();
  cfn.restore();
  await closeDuckdbOracles();
});

const cli = (...argv: string[]): Promise<CliRun> =>
  runCli(['--target', 'aws', '--endpoint', endpoint, '--region', 'eu-west-1', ...argv], {
    cwd: work,
    clients: {
      sfn: new SFNClient({ region: 'eu-west-1' }),
      cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    },
  });

describe('safe AWS mode: refused at submission', () => {
  it('a local job store, local input and local output are refused with LOCAL_PATH_ON_AWS', async () => {
    const before = sfn.commandCalls(StartExecutionCommand).length;
    const localStore = await cli('--state-machine', MACHINE, '--store', path.join(work, 'store'), 'submit', nationJob);
    expect(localStore.code).toBe(EXIT.usage);
    expect(localStore.err).toContain('LOCAL_PATH_ON_AWS');
    expect(localStore.err).toContain('the job store is local');
    const input = await cli('--state-machine', MACHINE, '--store', STORE, 'submit', localInputJob);
    expect(input.code).toBe(EXIT.usage);
    expect(input.err).toMatch(/input path 'file:\/\/.*nation' is local/);
    const output = await cli('--json', '--state-machine', MACHINE, '--store', STORE, 'run', localOutputJob);
    expect(output.code).toBe(EXIT.usage);
    expect(output.json()).toMatchObject({
      error: { code: 'LOCAL_PATH_ON_AWS', details: { output: `file://${work}/out` } },
    });
    expect(sfn.commandCalls(StartExecutionCommand).length).toBe(before);
  });

  it('a stack that cannot be read is named', async () => {
    const r = await cli('--stack', 'NoSuchStack', '--store', STORE, 'submit', nationJob);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("stack 'NoSuchStack'");
  });
});

describe('jobs on AWS through the CLI', () => {
  it('run: the result of the execution, equal to DuckDB', async () => {
    const r = await cli('--json', '--stack', 'TestStack', '--store', STORE, 'run', nationJob);
    expect(r.code, r.err).toBe(EXIT.ok);
    const doc = r.json() as { result: { n_regionkey: number; n: number }[] };
    const expected = await duckdbQuery('select n_regionkey, count(*) as n from nation group by 1 order by 1', SF01);
    expect(doc.result.map((o) => [Number(o.n_regionkey), Number(o.n)])).toEqual(
      expected.rows.map((row) => row.map(Number)),
    );
  });

  it('submit returns the execution; status, wait, logs and report follow it from the store', async () => {
    const sub = await cli('--json', '--stack', 'TestStack', '--store', STORE, 'submit', nationJob);
    expect(sub.code, sub.err).toBe(EXIT.ok);
    const {
      jobId,
      executionArn,
      console: link,
    } = sub.json() as { jobId: string; executionArn: string; console: string };
    expect(executionArn).toContain(':execution:Stratus:');
    expect(link).toContain('https://eu-west-1.console.aws.amazon.com/states/');
    expect(executions.get(executionArn)!.job.jobId).toBe(jobId);
    const common = ['--stack', 'TestStack', '--store', STORE];
    const waited = await cli('--json', ...common, 'wait', jobId);
    expect(waited.code).toBe(EXIT.ok);
    expect(waited.json()).toMatchObject({ jobId, status: 'succeeded', rows: 5, execution: { arn: executionArn } });
    const logs = await cli(...common, 'logs', jobId);
    expect(logs.out).toContain('TaskStateEntered Driver');
    const report = await cli('--json', ...common, 'report', jobId, '-o', path.join(work, 'aws.html'));
    expect(report.code).toBe(EXIT.ok);
    expect(fs.readFileSync(path.join(work, 'aws.html'), 'utf8')).toContain('<svg');
  });

  it('cancel stops the execution and marks the job; resume starts a new execution that finishes it', async () => {
    runOnStart = false;
    const common = ['--state-machine', MACHINE, '--store', STORE];
    const { jobId, executionArn } = (await cli('--json', ...common, 'submit', nationJob)).json() as {
      jobId: string;
      executionArn: string;
    };
    runOnStart = true;
    expect((await cli('--json', ...common, 'status', jobId)).json()).toMatchObject({
      status: 'running',
      execution: { status: 'RUNNING' },
    });
    const cancel = await cli('--json', ...common, 'cancel', jobId);
    expect(cancel.code).toBe(EXIT.ok);
    expect(cancel.json()).toMatchObject({ status: 'cancelled', error: { code: 'JOB_CANCELLED' } });
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn)).toContain(executionArn);
    expect((await cli(...common, 'wait', jobId)).code).toBe(EXIT.cancelled);
    const resumed = await cli('--json', ...common, 'resume', jobId, '--wait');
    expect(resumed.code, resumed.err).toBe(EXIT.ok);
    expect(resumed.json()).toMatchObject({ jobId, status: 'succeeded', rows: 5 });
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toContain(`${jobId}-r2`);
  });

  it('iam prints the client policy for the stack; deploy --dry-run names the CDK CLI that works', async () => {
    const iam = await cli('--json', '--stack', 'TestStack', '--store', STORE, 'iam');
    const policy = iam.json() as { Statement: { Sid: string; Action: string | string[]; Resource: string }[] };
    const by = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    expect(by.StartJobs!.Resource).toBe(MACHINE);
    expect(by.JobStore!.Resource).toBe(`arn:aws:s3:::${bucket}/${prefix}/store/*`);
    expect(by.FollowJobs!.Action).toEqual([
      'states:DescribeExecution',
      'states:StopExecution',
      'states:GetExecutionHistory',
    ]);
    const deploy = await cli('--json', 'deploy', '--dry-run', '--prefix', 'stratus/');
    expect(deploy.json()).toMatchObject({ command: 'npx' });
    expect((deploy.json() as { args: string[] }).args).toEqual(
      expect.arrayContaining(['aws-cdk@2.1148', 'deploy', 'stratus:prefix=stratus/']),
    );
  });
});

describe('Lambda handlers serve only their deployed store', () => {
  const deployed = { STRATUS_BUCKET: 'stratus-bucket', STRATUS_PREFIX: 'stratus/' };
  it('checkJobStore accepts the deployed bucket and prefix and refuses anything else', () => {
    expect(() => checkJobStore({ kind: 's3', bucket: 'stratus-bucket', prefix: 'stratus' }, deployed)).not.toThrow();
    for (const ref of [
      { kind: 's3' as const, bucket: 'other-bucket', prefix: 'stratus' },
      { kind: 's3' as const, bucket: 'stratus-bucket', prefix: 'elsewhere' },
      { kind: 's3' as const, bucket: 'stratus-bucket', prefix: '' },
      { kind: 'local' as const, root: '/tmp/x' },
    ])
      expect(() => checkJobStore(ref, deployed)).toThrow(/FOREIGN_STORE|refusing a job in store/);
    expect(() => checkJobStore({ kind: 's3', bucket: 'b', prefix: '' }, {})).toThrow(/no job store configured/);
  });

  it('the driver and executor handlers refuse an event naming another store before reading anything', async () => {
    const saved = { b: process.env.STRATUS_BUCKET, p: process.env.STRATUS_PREFIX };
    process.env.STRATUS_BUCKET = bucket;
    process.env.STRATUS_PREFIX = `${prefix}/store/`;
    const ctx = { getRemainingTimeInMillis: () => 600_000 };
    try {
      const local = tempDir();
      const job = { jobId: '20990101000000-00000000', store: { kind: 'local' as const, root: local } };
      await expect(driverHandler({ job, results: [] }, ctx)).rejects.toMatchObject({ code: 'FOREIGN_STORE' });
      await expect(
        executorHandler({ job, group: { manifest: 'jobs/x/manifests/1/0.json', round: 1, index: 0 } }, ctx),
      ).rejects.toMatchObject({ code: 'FOREIGN_STORE' });
      const other = { ...job, store: { kind: 's3' as const, bucket, prefix: `${prefix}/other`, endpoint } };
      await expect(driverHandler({ job: other, results: [] }, ctx)).rejects.toMatchObject({ code: 'FOREIGN_STORE' });
      expect(fs.readdirSync(local)).toEqual([]);
      // The deployed store is served: a submitted job takes its first step.
      const sub = await cli('--json', '--state-machine', MACHINE, '--store', STORE, 'submit', nationJob);
      runOnStart = true;
      const { jobId, executionArn } = sub.json() as { jobId: string; executionArn: string };
      await executions.get(executionArn)!.run;
      const mine = { jobId, store: parseStoreUrl(STORE, { endpoint }) };
      const step = await driverHandler({ job: mine, results: [] }, ctx);
      expect(step.action).toBe('succeed'); // the job is done; the handler read its state from the deployed store
      expect(await cachedStore(mine.store).head(jobKeys(jobId).result)).toBeDefined();
    } finally {
      for (const [k, v] of [
        ['STRATUS_BUCKET', saved.b],
        ['STRATUS_PREFIX', saved.p],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
