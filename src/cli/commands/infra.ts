/**
 * `stratus synth | deploy | destroy | iam`: the CDK app in infra/ (a source checkout: the CDK
 * libraries are development dependencies), synthesized offline in a child process, deployed with
 * the CDK CLI version that works (aws-cdk 2.1148; telemetry off); and the IAM policy a client of
 * the stack needs to submit, follow and cancel jobs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlanError } from '../../../planner/errors.js';
import type { CliContext } from '../context.js';
import { DEFAULT_STACK } from '../aws.js';
import { EXIT } from '../output.js';

/** The CDK CLI release line known to work (aws-cdk@3.0.0 on npm is a broken publish; docs/deploy.md). */
export const CDK_CLI = 'aws-cdk@2.1148';

export interface InfraOptions {
  readonly prefix?: string;
  readonly stackName?: string;
  readonly out?: string;
  readonly bundle?: boolean;
  readonly dryRun?: boolean;
  /** Lambda Managed Instances for the executor: subnet ids and security group ids (comma lists). */
  readonly lmiSubnets?: string;
  readonly lmiSecurityGroups?: string;
}

/** The repository root holding infra/app.ts, or a clear error from an installed package. */
function repoRoot(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  if (!existsSync(path.join(root, 'infra', 'app.ts')))
    throw new PlanError(
      'NO_INFRA',
      `synth, deploy and destroy run the CDK app of a Stratus source checkout (infra/app.ts); none at ${root}`,
      { root },
    );
  return root;
}

/** `--lmi-subnets` and `--lmi-security-groups` as the stack's `managedInstances` (both or neither). */
function managedInstances(opts: InfraOptions): Record<string, unknown> {
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const subnetIds = list(opts.lmiSubnets);
  const securityGroupIds = list(opts.lmiSecurityGroups);
  if (!subnetIds.length && !securityGroupIds.length) return {};
  if (!subnetIds.length || !securityGroupIds.length)
    throw new PlanError(
      'INCOMPLETE_LMI_OPTIONS',
      'Lambda Managed Instances need both --lmi-subnets and --lmi-security-groups (comma-separated ids)',
      { subnetIds, securityGroupIds },
    );
  return { 'stratus:managedInstances': JSON.stringify({ subnetIds, securityGroupIds }) };
}

function context(opts: InfraOptions): Record<string, unknown> {
  return {
    ...managedInstances(opts),
    ...(opts.prefix !== undefined ? { 'stratus:prefix': opts.prefix } : {}),
    ...(opts.stackName ? { 'stratus:stackName': opts.stackName } : {}),
    ...(opts.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
  };
}

/** Synthesize the stack offline (no credentials) into `out` (default ./cdk.out). */
export async function synthCommand(ctx: CliContext, opts: InfraOptions): Promise<number> {
  const root = repoRoot();
  const out = path.resolve(ctx.cwd, opts.out ?? 'cdk.out');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('infra', 'app.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: out,
      CDK_CONTEXT_JSON: JSON.stringify(context(opts)),
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    },
  });
  if (r.status !== 0) {
    ctx.io.err(r.stderr || r.stdout);
    throw new PlanError('SYNTH_FAILED', `cdk synth failed (exit ${r.status}); its output is above`, {});
  }
  const stack = opts.stackName ?? DEFAULT_STACK;
  const template = path.join(out, `${stack}.template.json`);
  ctx.io.out(ctx.json ? JSON.stringify({ out, template }) : `synthesized ${stack} to ${template}`);
  return EXIT.ok;
}

/** `cdk deploy|destroy` through the CDK CLI on the app, or (dry run) the command it would run. */
export async function cdkCommand(ctx: CliContext, verb: 'deploy' | 'destroy', opts: InfraOptions): Promise<number> {
  const root = repoRoot();
  const args = ['-y', CDK_CLI, verb, '--app', `"${process.execPath}" --import tsx infra/app.ts`, '--no-notices'];
  for (const [k, v] of Object.entries(context(opts)))
    args.push('-c', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (verb === 'deploy') args.push('--outputs-file', path.join('cdk.out', 'outputs.json'));
  if (verb === 'destroy') args.push('--force');
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  if (ctx.config.profile) args.push('--profile', ctx.config.profile);
  if (ctx.config.region) env.AWS_REGION = env.CDK_DEFAULT_REGION = ctx.config.region;
  if (opts.dryRun) {
    ctx.io.out(
      ctx.json ? JSON.stringify({ cwd: root, command: 'npx', args }) : `(cd ${root} && npx ${args.join(' ')})`,
    );
    return EXIT.ok;
  }
  const r = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env });
  return r.status === 0 ? EXIT.ok : EXIT.failed;
}

/** The IAM policy a client needs to run jobs on the stack (submit, follow, cancel, resume, gc, report). */
export async function iamCommand(ctx: CliContext, opts: { prefix?: string }): Promise<number> {
  const t =
    ctx.config.stateMachineArn && ctx.config.store
      ? await ctx.awsTarget()
      : await ctx.awsTarget().catch(() => undefined);
  const machine = t?.stateMachineArn ?? 'arn:aws:states:<region>:<account>:stateMachine:<name>';
  const bucket = t ? t.store.replace(/^s3:\/\//, '').split('/')[0]! : '<bucket>';
  const prefix = opts.prefix ?? (t ? t.store.replace(/^s3:\/\/[^/]+\/?/, '') : '');
  const under = prefix ? `${prefix.replace(/\/?$/, '/')}` : '';
  const executions = machine.replace(':stateMachine:', ':execution:');
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'JobStore',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: `arn:aws:s3:::${bucket}/${under}*`,
      },
      {
        Sid: 'ListJobStore',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${bucket}`,
        ...(under ? { Condition: { StringLike: { 's3:prefix': [`${under}*`] } } } : {}),
      },
      { Sid: 'StartJobs', Effect: 'Allow', Action: 'states:StartExecution', Resource: machine },
      {
        Sid: 'FollowJobs',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution', 'states:GetExecutionHistory'],
        Resource: `${executions}:*`,
      },
      {
        Sid: 'StackOutputs',
        Effect: 'Allow',
        Action: 'cloudformation:DescribeStacks',
        Resource: `arn:aws:cloudformation:*:*:stack/${ctx.config.stack ?? DEFAULT_STACK}/*`,
      },
    ],
  };
  ctx.io.out(JSON.stringify(policy, null, ctx.json ? 0 : 2));
  return EXIT.ok;
}
