/**
 * The AWS backend's client: StartExecution of the deployed state machine with the job
 * reference, then following the job's state in the store. Step Functions is mocked; the
 * "deployed" machine is the local runner, so the whole path is real except the SFN API.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { AwsRunner } from '../src/aws/runner.js';
import { count, session } from '../src/index.js';
import { LocalRunner } from '../src/local/runner.js';
import { QUERIES, tpchTables } from '../benchmarks/tpch/queries/index.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tpchSql } from '../benchmarks/tpch/sql/index.js';
import { rowsFromArrow, expectSameResults } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const sfn = mockClient(SFNClient);
/** The "deployed" state machine through the mocked SFN client, polled every `pollMillis`. */
const deployed = (pollMillis: number) => ({
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Stratus',
  client: new SFNClient({ region: 'us-east-1' }),
  pollMillis,
});
const store = tempDir();
const backend = new LocalRunner({ store: { kind: 'local', root: store }, executors: 2 });
afterAll(async () => {
  await backend.close();
  sfn.restore();
});

describe('AWS runner', () => {
  it('starts the state machine with the job reference and reads the committed result', async () => {
    const runs = new Map<string, Promise<unknown>>();
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string; input: string }) => {
      expect(input.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Stratus');
      const payload = JSON.parse(input.input);
      expect(Object.keys(payload).sort()).toEqual(['job', 'results']); // a reference, not data
      const arn = `arn:exec:${input.name}`;
      // A deployed execution ends after its last step's writes (finished(): the local runner's last writes).
      runs.set(
        arn,
        backend.run(payload.job).then(() => backend.finished(payload.job.jobId)),
      );
      return { executionArn: arn, startDate: new Date() };
    });
    sfn
      .on(DescribeExecutionCommand)
      .callsFake(async ({ executionArn }: { executionArn: string }) => ({ executionArn, status: 'RUNNING' }));
    const s = session({
      store,
      progress: false,
      aws: {
        emulated: true,
        ...deployed(50),
      },
    });
    const table = await QUERIES[1]!(tpchTables(s, SF01)).collect();
    expectSameResults(rowsFromArrow(table), await duckdbQuery(tpchSql(1), SF01), { ordered: true, relTol: 1e-9 });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    await Promise.all(runs.values());
  });

  it('reports an execution that failed before the job could record why', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:x', startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: 'arn:exec:x',
      status: 'FAILED',
      error: 'DriverCrashed',
      cause: 'Runtime.ImportModuleError',
    });
    const s = session({
      store,
      progress: false,
      aws: {
        emulated: true,
        ...deployed(10),
      },
    });
    const err = await QUERIES[6]!(tpchTables(s, SF01))
      .collect()
      .catch((e) => e);
    expect(err.message).toMatch(/execution arn:exec:x failed: DriverCrashed Runtime.ImportModuleError/);
  });

  it('follows the job into the execution it chained to, and aborts by stopping that one', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec:first', startDate: new Date() });
    const abort = new AbortController();
    const described: string[] = [];
    sfn.on(DescribeExecutionCommand).callsFake(async ({ executionArn }: { executionArn: string }) => {
      described.push(executionArn);
      if (executionArn === 'arn:exec:first')
        // A chained execution succeeds with the ChainExecution result as its output.
        return { executionArn, status: 'SUCCEEDED', output: JSON.stringify({ ExecutionArn: 'arn:exec:second' }) };
      abort.abort('stopped by the test');
      return { executionArn, status: 'RUNNING' };
    });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const runner = new AwsRunner(deployed(10));
    const err = await runner.run(
      { jobId: 'never-finishes', store: { kind: 'local', root: tempDir() } },
      undefined,
      abort.signal,
    );
    expect(described).toEqual(['arn:exec:first', 'arn:exec:second']);
    expect(err).toMatchObject({ code: 'JOB_ABORTED' });
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: 'arn:exec:second', error: 'JobAborted', cause: 'stopped by the test' },
    ]);
    await runner.close();
  });

  it('sizes executors by the session goal: stability runs at most 10 at once, latency more', async () => {
    // 19 row groups, a task each, and one task per worker: only the executor cap limits the groups.
    const file = path.join(tempDir('stratus-rg-'), 'orders.parquet');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(
      `COPY (SELECT o_orderkey, o_totalprice FROM '${SF01}/orders/*.parquet' ORDER BY o_orderkey) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 8192)`,
    );
    sfn.reset();
    const runs: Promise<unknown>[] = [];
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
      runs.push(backend.run(JSON.parse(input.input).job));
      return { executionArn: `arn:exec:${input.name}`, startDate: new Date() };
    });
    sfn
      .on(DescribeExecutionCommand)
      .callsFake(async ({ executionArn }: { executionArn: string }) => ({ executionArn, status: 'RUNNING' }));
    const firstRound = async (goal: 'latency' | 'stability') => {
      const s = session({
        store,
        progress: false,
        keepJobs: true,
        job: { goal, taskBytes: 1, workers: 1 },
        aws: {
          emulated: true,
          ...deployed(50),
        },
      });
      const rows = await s.read.parquet(file).agg(count('*').alias('n')).take(1);
      expect(rows[0]!.n).toBe(150000);
      expect(s.lastJobSummary!.stages[0]!.tasks).toBe(19);
      // Groups of the first round: one executor invocation each.
      // Group manifests are manifests/<round>.<group>.json (beside <round>.groups.json).
      return fs.readdirSync(path.join(store, 'jobs', s.lastJobId!, 'manifests')).filter((f) => /^1\.\d+\.json$/.test(f))
        .length;
    };
    expect(await firstRound('stability')).toBe(10);
    expect(await firstRound('latency')).toBe(19);
    await Promise.all(runs);
  });
});
