/**
 * The CDK template of StratusStack, synthesized in-process with bundling skipped (fast, offline):
 * bucket hardening, function sizing, that the state machine deploys exactly what
 * src/runtime/stateMachine.ts builds (the definition the local runner runs), and least-privilege IAM.
 */
import { describe, expect, it } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { StratusStack, type StratusStackProps } from '../infra/stack.js';
import { buildDefinition } from '../src/runtime/stateMachine.js';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}
interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

function synth(props: StratusStackProps = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StratusStack(app, 'StratusStack', props);
  // Template.fromStack also rejects dependency cycles (e.g. a role policy naming its own state
  // machine), failing the whole file: the reason the self-execution grants live in their own policy.
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const id = {
    bucket: logicalId(stack.bucket),
    driver: logicalId(stack.driver.fn),
    executor: logicalId(stack.executor.fn),
    driverRole: logicalId(stack.driver.role),
    executorRole: logicalId(stack.executor.role),
    machine: logicalId(stack.machine.stateMachine),
    machineRole: logicalId(stack.machine.role),
  };
  return { template, resources, id };
}

const { template, resources, id } = synth();

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const getAttArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const objectsUnder = (suffix: string) => ({ 'Fn::Join': ['', [getAttArn(id.bucket), suffix]] });

/** Turns a DefinitionString back into text, with each function's GetAtt replaced by a placeholder. */
function resolveDefinition(value: unknown, placeholders: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join?.[0] !== '') throw new Error(`not an Fn::Join: ${JSON.stringify(value)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const [logicalId, attr] = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
      const placeholder = logicalId !== undefined && attr === 'Arn' ? placeholders[logicalId] : undefined;
      if (placeholder === undefined) throw new Error(`unexpected token in definition: ${JSON.stringify(part)}`);
      return placeholder;
    })
    .join('');
}

function deployedDefinition(machineId: string): unknown {
  const text = resolveDefinition(resources[machineId]!.Properties.DefinitionString, {
    [id.driver]: 'DRIVER_ARN',
    [id.executor]: 'EXECUTOR_ARN',
  });
  return JSON.parse(text);
}

/** Every statement of every policy attached to a role (inline Policies and AWS::IAM::Policy). */
function statementsOf(roleId: string, from: Record<string, Resource> = resources): Statement[] {
  const inline = asArray(from[roleId]!.Properties.Policies) as { PolicyDocument: { Statement: Statement[] } }[];
  const attached = Object.values(from).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      asArray(r.Properties.Roles).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })),
  );
  return [...inline, ...attached.map((r) => r.Properties as { PolicyDocument: { Statement: Statement[] } })].flatMap(
    (p) => p.PolicyDocument.Statement,
  );
}

const allows = (statements: Statement[], prefix: string) =>
  statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => String(a).startsWith(prefix)));

describe('bucket', () => {
  it('is the only bucket: encrypted, private, not versioned, retained, with scratch expiry', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: Match.absent(),
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Prefix: 'jobs/', ExpirationInDays: 7, Status: 'Enabled' })]),
        },
      },
    });
  });

  it('denies every request that is not over TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [getAttArn(id.bucket), objectsUnder('/*')],
          },
        ]),
      },
    });
  });
});

describe('functions', () => {
  it('are exactly two, sized and configured as the design says', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2); // no LogRetention / auto-delete helper Lambdas
    const common = { Runtime: 'nodejs22.x', Timeout: 900, Architectures: ['arm64'], Handler: 'index.handler' };
    expect(resources[id.driver]!.Properties).toMatchObject({ ...common, MemorySize: 2048 });
    expect(resources[id.driver]!.Properties.EphemeralStorage).toBeUndefined();
    expect(resources[id.executor]!.Properties).toMatchObject({
      ...common,
      MemorySize: 10240,
      EphemeralStorage: { Size: 10240 },
    });
  });

  it('get the bucket and prefix and nothing else through the environment; the executor also the malloc settings', () => {
    const common = { STRATUS_BUCKET: { Ref: id.bucket }, STRATUS_PREFIX: '', NODE_OPTIONS: '--enable-source-maps' };
    expect(resources[id.driver]!.Properties.Environment).toEqual({ Variables: common });
    // The same glibc malloc settings as the local executor processes (pool.ts).
    expect(resources[id.executor]!.Properties.Environment).toEqual({
      Variables: { ...common, MALLOC_MMAP_THRESHOLD_: '67108864', MALLOC_TRIM_THRESHOLD_: '268435456' },
    });
  });

  it('log to their own log groups kept one month', () => {
    for (const fn of [id.driver, id.executor]) {
      const ref = (resources[fn]!.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[ref]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
    }
  });
});

describe('state machine', () => {
  it('is the only one, and deploys the definition built by src/runtime/stateMachine.ts', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(deployedDefinition(id.machine)).toEqual(
      buildDefinition({ driverResource: 'DRIVER_ARN', executorResource: 'EXECUTOR_ARN' }),
    );
  });

  it('reject a definition token that is not one of the two functions', () => {
    const stray = { 'Fn::Join': ['', ['{"Resource":"', { 'Fn::GetAtt': [id.bucket, 'Arn'] }, '"}']] };
    expect(() => resolveDefinition(stray, { [id.driver]: 'DRIVER_ARN' })).toThrow(/unexpected token/);
  });

  it('is STANDARD, logs errors without execution data, and uses its own role', () => {
    expect(resources[id.machine]!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      RoleArn: getAttArn(id.machineRole),
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
  });

  it('is exported with the bucket name', () => {
    template.hasOutput('BucketName', { Value: { Ref: id.bucket } });
    template.hasOutput('StateMachineArn', { Value: { Ref: id.machine } });
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'BucketName',
      'DriverFunctionName',
      'ExecutorFunctionName',
      'StateMachineArn',
    ]);
  });
});

describe('IAM', () => {
  const roles = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([k]) => k);
  const everyStatement = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => (r.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
  // Vended log delivery (Step Functions -> CloudWatch Logs) supports no resource-level permissions.
  const LOG_DELIVERY = new Set([
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ]);

  it('has the three roles and no managed policies (AWSLambdaBasicExecutionRole writes logs on *)', () => {
    expect(roles.sort()).toEqual([id.driverRole, id.executorRole, id.machineRole].sort());
    for (const role of roles) expect(resources[role]!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants no wildcard action, and Resource * only to log delivery', () => {
    expect(everyStatement.length).toBeGreaterThan(10);
    for (const s of everyStatement) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      expect(s.NotResource).toBeUndefined();
      for (const action of asArray(s.Action)) expect(String(action)).not.toMatch(/(^|:)\*$/);
      if (asArray(s.Resource).includes('*')) {
        expect(
          asArray(s.Action).every((a) => LOG_DELIVERY.has(String(a))),
          JSON.stringify(s),
        ).toBe(true);
      }
    }
  });

  it('lets driver and executor touch only their objects, list the bucket, and read /stratus/ parameters', () => {
    for (const role of [id.driverRole, id.executorRole]) {
      const statements = statementsOf(role);
      const s3 = allows(statements, 's3:');
      expect(s3).toEqual([
        expect.objectContaining({
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          Resource: objectsUnder('/*'),
        }),
        expect.objectContaining({ Action: 's3:ListBucket', Resource: getAttArn(id.bucket) }),
      ]);
      expect(s3[1]).not.toHaveProperty('Condition'); // no prefix: the whole (dedicated) bucket
      const ssm = allows(statements, 'ssm:');
      expect(ssm).toHaveLength(1);
      expect(ssm[0]!.Action).toEqual(['ssm:GetParameters', 'ssm:GetParameter']);
      expect(JSON.stringify(ssm[0]!.Resource)).toMatch(/":ssm:".*":parameter\/stratus\/\*"\]\]\}$/);
      const kms = allows(statements, 'kms:');
      expect(kms).toHaveLength(1);
      expect(kms[0]!.Action).toBe('kms:Decrypt');
      expect(JSON.stringify(kms[0]!.Condition?.StringEquals?.['kms:ViaService'])).toMatch(
        /"ssm\.".*"\.amazonaws\.com"/,
      );
      expect(allows(statements, 'lambda:')).toEqual([]);
      expect(allows(statements, 'states:')).toEqual([]);
      const logs = allows(statements, 'logs:');
      expect(logs.flatMap((s) => asArray(s.Resource))).toEqual([
        expect.objectContaining({ 'Fn::GetAtt': [expect.any(String), 'Arn'] }),
      ]);
    }
  });

  it('lets the state machine invoke exactly the two functions', () => {
    const invoke = allows(statementsOf(id.machineRole), 'lambda:');
    expect(invoke.flatMap((s) => asArray(s.Action))).toEqual(['lambda:InvokeFunction']);
    expect(invoke.flatMap((s) => asArray(s.Resource))).toEqual([getAttArn(id.driver), getAttArn(id.executor)]);
  });

  it('gives the state machine the ItemReader read and control of its own executions only', () => {
    const statements = statementsOf(id.machineRole);
    expect(allows(statements, 'ssm:')).toEqual([]);
    expect(allows(statements, 's3:')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: objectsUnder('/jobs/*') }),
    ]);
    const states = allows(statements, 'states:');
    expect(states).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: id.machine } }),
      expect.objectContaining({ Action: ['states:DescribeExecution', 'states:StopExecution'] }),
    ]);
    for (const arn of asArray(states[1]!.Resource)) {
      const text = JSON.stringify(arn);
      expect(text).toContain(`":execution:",{"Fn::GetAtt":["${id.machine}","Name"]}`);
    }
  });
});

describe('Lambda Managed Instances (option)', () => {
  it('is off by default: no capacity provider, the executor on on-demand Lambda', () => {
    template.resourceCountIs('AWS::Lambda::CapacityProvider', 0);
    expect(resources[id.executor]!.Properties.CapacityProviderConfig).toBeUndefined();
  });

  it('puts the executor (only) on a capacity provider in the given subnets and security groups', () => {
    const mi = synth({
      managedInstances: {
        subnetIds: ['subnet-0a', 'subnet-0b'],
        securityGroupIds: ['sg-01'],
        maxVCpuCount: 96,
        minEnvironments: 1,
      },
    });
    mi.template.resourceCountIs('AWS::Lambda::CapacityProvider', 1);
    const [providerId, provider] = Object.entries(mi.resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::CapacityProvider',
    )!;
    expect(provider.Properties).toMatchObject({
      VpcConfig: { SubnetIds: ['subnet-0a', 'subnet-0b'], SecurityGroupIds: ['sg-01'] },
      InstanceRequirements: { Architectures: ['arm64'] },
      CapacityProviderScalingConfig: { MaxVCpuCount: 96 },
    });
    const config = mi.resources[mi.id.executor]!.Properties.CapacityProviderConfig as {
      LambdaManagedInstancesCapacityProviderConfig: {
        CapacityProviderArn: unknown;
        PerExecutionEnvironmentMaxConcurrency: number;
      };
    };
    expect(JSON.stringify(config.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn)).toContain(
      providerId,
    );
    expect(config.LambdaManagedInstancesCapacityProviderConfig.PerExecutionEnvironmentMaxConcurrency).toBe(2);
    expect(mi.resources[mi.id.executor]!.Properties.FunctionScalingConfig).toEqual({ MinExecutionEnvironments: 1 });
    expect(mi.resources[mi.id.driver]!.Properties.CapacityProviderConfig).toBeUndefined();
  });
});

describe('prefix', () => {
  it('scopes objects, listing and the scratch expiry to the prefix', () => {
    const scoped = synth({ prefix: 'stratus/' });
    scoped.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'stratus/jobs/', ExpirationInDays: 7 })]),
      },
    });
    const s3 = allows(statementsOf(scoped.id.executorRole, scoped.resources), 's3:');
    expect(s3[0]!.Resource).toEqual({ 'Fn::Join': ['', [getAttArn(scoped.id.bucket), '/stratus/*']] });
    expect(s3[1]!.Condition).toEqual({ StringLike: { 's3:prefix': ['stratus/*'] } });
    expect(scoped.resources[scoped.id.executor]!.Properties.Environment).toMatchObject({
      Variables: { STRATUS_PREFIX: 'stratus/' },
    });
  });

  it('must be empty or end with a slash', () => {
    expect(() => synth({ prefix: 'stratus' })).toThrow(/prefix/);
    expect(() => synth({ prefix: '/stratus/' })).toThrow(/prefix/);
  });
});
