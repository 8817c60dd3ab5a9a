/**
 * StratusStack: one S3 bucket (all state, shuffle included), the driver and executor Lambdas,
 * and the state machine built from the one ASL module (an inline Map for rounds of up to 40
 * task groups, a Distributed Map reading the group list from S3 for wider ones).
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, type StackProps } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { grantStratusAccess, StratusFunction } from './functions.js';
import { StratusStateMachine } from './stateMachine.js';

export interface StratusStackProps extends StackProps {
  /** Key prefix for everything Stratus writes, '' or ending in '/'. Default ''. */
  readonly prefix?: string;
  /** Days after which `<prefix>jobs/` scratch objects (plans, manifests, shuffle) expire. Default 7. */
  readonly scratchDays?: number;
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
      environment,
    });
    for (const f of [this.driver, this.executor]) grantStratusAccess(f.role, this.bucket, prefix);

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
}
