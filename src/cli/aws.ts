/**
 * The AWS side of the CLI: a deployed stack's outputs (bucket, state machine) read once, so that
 * commands need no ARNs, and the console link of an execution. Clients come from the SDK's usual
 * credential and region chain; tests pass mocked ones.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { PlanError } from '../../planner/errors.js';
import { AwsRunner } from '../aws/runner.js';
import type { CliConfig } from './config.js';

/** Clients the AWS commands use (tests pass mocked ones). */
export interface AwsClients {
  readonly sfn?: SFNClient;
  readonly cloudformation?: CloudFormationClient;
}

export interface AwsTarget {
  readonly stateMachineArn: string;
  /** The job store: the config's, else the stack's bucket. */
  readonly store: string;
  readonly region?: string;
}

export const DEFAULT_STACK = 'StratusStack';

/** Where AWS jobs run: explicit ARNs and store, or the outputs of the deployed stack. */
export async function awsTarget(config: CliConfig, clients: AwsClients = {}): Promise<AwsTarget> {
  if (config.stateMachineArn && config.store) {
    return { stateMachineArn: config.stateMachineArn, store: config.store, ...region(config) };
  }
  const stackName = config.stack ?? DEFAULT_STACK;
  const cf = clients.cloudformation ?? new CloudFormationClient(config.region ? { region: config.region } : {});
  let outputs: Record<string, string>;
  try {
    const res = await cf.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = res.Stacks?.[0];
    if (!stack) throw new Error('no such stack');
    outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (e) {
    throw new PlanError(
      'STACK_NOT_FOUND',
      `cannot read the outputs of stack '${stackName}' (${(e as Error).message}); deploy it with 'stratus deploy', or pass --state-machine and --store`,
      { stack: stackName },
    );
  } finally {
    if (!clients.cloudformation) cf.destroy();
  }
  const stateMachineArn = config.stateMachineArn ?? outputs.StateMachineArn;
  const bucket = outputs.BucketName;
  if (!stateMachineArn || !(config.store || bucket))
    throw new PlanError('STACK_NOT_FOUND', `stack '${stackName}' has no StateMachineArn/BucketName outputs`, {
      stack: stackName,
    });
  return { stateMachineArn, store: config.store ?? `s3://${bucket}`, ...region(config) };
}

function region(config: CliConfig): { region?: string } {
  return config.region ? { region: config.region } : {};
}

/** An AWS runner for the target (the one client path of src/aws/runner.ts). */
export function awsRunner(target: AwsTarget, clients: AwsClients = {}): AwsRunner {
  return new AwsRunner({
    stateMachineArn: target.stateMachineArn,
    ...(target.region ? { region: target.region } : {}),
    ...(clients.sfn ? { client: clients.sfn } : {}),
  });
}

/** The Step Functions console page of an execution. */
export function consoleLink(executionArn: string): string {
  const region = executionArn.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
