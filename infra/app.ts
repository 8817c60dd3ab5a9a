/**
 * The CDK app. `npx tsx infra/app.ts` synthesizes offline into ./cdk.out; the cdk CLI runs the
 * same file (see infra/cdk.json and docs/deploy.md). Context: `stratus:prefix` (key prefix,
 * default ''), `stratus:stackName` (default StratusStack), `stratus:managedInstances` (JSON of
 * the stack's `managedInstances` option: executors on Lambda Managed Instances).
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { type ManagedInstancesOptions, StratusStack } from './stack.js';

const app = new App({
  // The CLI sets CDK_OUTDIR; run directly, synthesize next to the project rather than to a temp dir.
  outdir: process.env.CDK_OUTDIR ?? fileURLToPath(new URL('../cdk.out', import.meta.url)),
});
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' ? value : undefined;
};

const managedInstances = context('stratus:managedInstances');

new StratusStack(app, context('stratus:stackName') ?? 'StratusStack', {
  description: 'Stratus: dataframe jobs on Lambda + Step Functions with S3 as the shuffle',
  prefix: context('stratus:prefix'),
  ...(managedInstances ? { managedInstances: JSON.parse(managedInstances) as ManagedInstancesOptions } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

app.synth();
