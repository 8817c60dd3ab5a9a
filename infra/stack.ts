/**
 * StratusStack: one S3 bucket (all state, shuffle included), the driver and executor Lambdas,
 * and the state machine built from the one ASL module (an inline Map for rounds of up to 40
 * task groups, a Distributed Map reading the group list from S3 for wider ones).
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, type StackProps } from 'aws-cdk-lib';
import { SecurityGroup, Subnet } from 'aws-cdk-lib/aws-ec2';
import { Architecture, CapacityProvider } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { grantStratusAccess, StratusFunction } from './functions.js';
import { StratusStateMachine } from './stateMachine.js';
import { EXECUTOR_MALLOC_ENV } from '../src/local/pool.js';

export interface StratusStackProps extends StackProps {
  /** Key prefix for everything Stratus writes, '' or ending in '/'. Default ''. */
  readonly prefix?: string;
  /** Days after which `<prefix>jobs/` scratch objects (plans, manifests, shuffle) expire. Default 7. */
  readonly scratchDays?: number;
  /**
   * Run the executor on Lambda Managed Instances: EC2 capacity in your VPC behind a capacity
   * provider (no cold start above the minimum, EC2 pricing plus the management fee). The
   * subnets need a route to S3 (a gateway endpoint or NAT). Off by default (on-demand Lambda).
   */
  readonly managedInstances?: ManagedInstancesOptions;
}

export interface ManagedInstancesOptions {
  /** 1–16 subnets the instances are launched in. */
  readonly subnetIds: readonly string[];
  /** 1–5 security groups of the instances (outbound HTTPS to S3 and SSM). */
  readonly securityGroupIds: readonly string[];
  /** The provider's vCPU ceiling (12–15,000; service default 400). */
  readonly maxVCpuCount?: number;
  /**
   * Invocations one execution environment runs at once. Executors keep each invocation's state
   * apart (src/runtime/instance.ts), so more than one is safe; each task group is memory-hungry,
   * so the default is 2.
   */
  readonly perEnvironmentConcurrency?: number;
  /** Execution environments kept warm (no cold start up to this many). Default: the service's. */
  readonly minEnvironments?: number;
}

export class StratusStack extends Stack {
  readonly bucket: Bucket;
  readonly driver: StratusFunction;
  readonly executor: StratusFunction;
  readonly machine: StratusStateMachine;

  constructor(scope: Construct, id: string, props: StratusStackProps = {}) {
    super(scope, id, props);
    const prefix = props.prefix ?? '';
    if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'))) {
      throw new Error(
        `StratusStack: prefix "${prefix}" must be '' or like "stratus/" (no leading '/', one trailing '/').`,
      );
    }

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-job-scratch', prefix: `${prefix}jobs/`, expiration: Duration.days(props.scratchDays ?? 7) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const environment = { STRATUS_BUCKET: this.bucket.bucketName, STRATUS_PREFIX: prefix };
    this.driver = new StratusFunction(this, 'Driver', { entry: 'src/lambda/driver.ts', memoryMiB: 2048, environment });
    this.executor = new StratusFunction(this, 'Executor', {
      entry: 'src/lambda/executor.ts',
      memoryMiB: 10240,
      ephemeralStorage: Size.gibibytes(10),
      // The local executors' glibc malloc settings (src/local/pool.ts): Lambda's Node.js runtimes
      // run on Amazon Linux (glibc), whose malloc reads them from the environment at start.
      environment: { ...environment, ...EXECUTOR_MALLOC_ENV },
    });
    for (const f of [this.driver, this.executor]) grantStratusAccess(f.role, this.bucket, prefix);
    if (props.managedInstances) this.onManagedInstances(props.managedInstances);

    this.machine = new StratusStateMachine(this, 'Stratus', {
      driver: this.driver.fn,
      executor: this.executor.fn,
      bucket: this.bucket,
      prefix,
    });

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.machine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DriverFunctionName', { value: this.driver.fn.functionName });
    new CfnOutput(this, 'ExecutorFunctionName', { value: this.executor.fn.functionName });
  }

  /** Puts the executor function on a Lambda Managed Instances capacity provider (arm64, like the function). */
  private onManagedInstances(mi: ManagedInstancesOptions): void {
    const provider = new CapacityProvider(this, 'ExecutorCapacity', {
      subnets: mi.subnetIds.map((id, i) => Subnet.fromSubnetId(this, `ExecutorSubnet${i}`, id)),
      securityGroups: mi.securityGroupIds.map((id, i) =>
        SecurityGroup.fromSecurityGroupId(this, `ExecutorSecurityGroup${i}`, id),
      ),
      architectures: [Architecture.ARM_64],
      ...(mi.maxVCpuCount !== undefined ? { maxVCpuCount: mi.maxVCpuCount } : {}),
    });
    provider.addFunction(this.executor.fn, {
      perExecutionEnvironmentMaxConcurrency: mi.perEnvironmentConcurrency ?? 2,
      ...(mi.minEnvironments !== undefined
        ? { latestPublishedScalingConfig: { minExecutionEnvironments: mi.minEnvironments } }
        : {}),
    });
  }
}
