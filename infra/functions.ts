/**
 * The two Lambda functions (driver, executor): esbuild bundling as ESM, one role and one log
 * group per function, and the least-privilege data access both roles share.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, type Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The repository root: entries and the lock file are resolved from here, not from the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * parquet-wasm's Node build (its glue code and `parquet_wasm_bg.wasm`, which it reads from its
 * own directory). It ships as a module beside the bundle, not inside it: after the decoder
 * panics, operators/wasm.ts evaluates it again for a fresh instance.
 */
const PARQUET_WASM_PACKAGE = 'node_modules/parquet-wasm';

/**
 * ESM output has no `require`, `__filename` or `__dirname`, but CommonJS dependencies bundled into
 * it (parquet-wasm's Node build: `require('fs')`, `__dirname`) need them. Aliased imports keep the
 * banner's helper names from colliding with bundled code.
 */
const ESM_BANNER = [
  "import { createRequire as __stratusCreateRequire } from 'node:module';",
  "import { fileURLToPath as __stratusFileURLToPath } from 'node:url';",
  "import { dirname as __stratusDirname } from 'node:path';",
  'const require = __stratusCreateRequire(import.meta.url);',
  'const __filename = __stratusFileURLToPath(import.meta.url);',
  'const __dirname = __stratusDirname(__filename);',
].join(' ');

/** Bundling shared by both functions: one minified ESM file + source map + parquet-wasm's Node build. */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: ESM_BANNER,
  // Ship the SDK version the code was tested with instead of the runtime's (older) copy.
  bundleAwsSDK: true,
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `mkdir -p "${outputDir}/${PARQUET_WASM_PACKAGE}"`,
      `cp -r "${inputDir}/${PARQUET_WASM_PACKAGE}/package.json" "${inputDir}/${PARQUET_WASM_PACKAGE}/node" "${outputDir}/${PARQUET_WASM_PACKAGE}/"`,
      // Task threads (worker_threads) load this script from next to the handler.
      `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/src/runtime/thread.ts" --bundle --platform=node --format=esm --target=node22 --minify --outfile="${outputDir}/thread.mjs" --banner:js=${JSON.stringify(ESM_BANNER)}`,
    ],
  },
};

export interface StratusFunctionProps {
  /** Path of the handler module relative to the repository root. */
  readonly entry: string;
  readonly memoryMiB: number;
  readonly ephemeralStorage?: Size;
  readonly environment: Record<string, string>;
}

/** A Lambda function with its own role (no managed policies) and a log group kept one month. */
export class StratusFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: StratusFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role: the default one carries AWSLambdaBasicExecutionRole, whose logs actions are on '*'.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      // Graviton: ~20% cheaper per GB-second, same 10 GB / ~6 vCPU ceiling; the bundle is pure JS + wasm.
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMiB,
      ephemeralStorageSize: props.ephemeralStorage,
      timeout: Duration.minutes(15),
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: BUNDLING,
    });
  }
}

/**
 * What every Stratus process may touch: objects under the prefix, a prefix-limited listing, and
 * SSM parameters under /stratus/ (SecureStrings decrypted only through SSM).
 */
export function grantStratusAccess(role: iam.IRole, bucket: IBucket, prefix: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'StratusObjects',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'StratusList',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    }),
  );
  const stack = bucket.stack;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'StratusParameters',
      actions: ['ssm:GetParameters', 'ssm:GetParameter'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'stratus/*' })],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'StratusSecureStrings',
      actions: ['kms:Decrypt'],
      resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
      conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` } },
    }),
  );
}
