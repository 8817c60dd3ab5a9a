/**
 * The runtime environment on AWS Lambda: stores from the (cached) store factory, remaining
 * time from the Lambda context — and the one job store the stack was deployed with
 * (`STRATUS_BUCKET` and `STRATUS_PREFIX`, set on both functions): an event naming any other
 * store (another bucket or prefix, a local directory) is refused before anything is read.
 */
import * as os from 'node:os';
import { ExecutionError } from '../../planner/errors.js';
import { cachedStore, type RuntimeEnv } from '../runtime/env.js';
import { ParameterCache, parameterSourceFor } from '../runtime/params.js';
import type { StoreRef } from '../storage/store.js';
import { parseStoreUrl } from '../storage/url.js';

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** One SSM-backed parameter cache per instance: batched, decrypted, cached with a TTL. */
let ssm: ParameterCache | undefined;

export function lambdaEnvironment(context: LambdaContext): RuntimeEnv {
  ssm ??= new ParameterCache(parameterSourceFor('ssm', { region: process.env.AWS_REGION }));
  return {
    store: cachedStore,
    parameters: ssm,
    // Task threads over the instance's cores (~6 vCPUs at 10 GB).
    threads: Number(process.env.STRATUS_EXECUTOR_THREADS ?? os.availableParallelism()),
    remainingMillis: () => context.getRemainingTimeInMillis(),
    log: (m) => console.log(m),
  };
}

/**
 * The job store this function serves: `STRATUS_STORE` (a store URL; tests and self-managed
 * deployments), else `s3://$STRATUS_BUCKET/$STRATUS_PREFIX` as the stack sets them.
 */
export function deployedStore(env: NodeJS.ProcessEnv = process.env): StoreRef {
  if (env.STRATUS_STORE) return parseStoreUrl(env.STRATUS_STORE);
  if (!env.STRATUS_BUCKET)
    throw new ExecutionError(
      'STORE_NOT_CONFIGURED',
      'this function has no job store configured: STRATUS_BUCKET (and STRATUS_PREFIX) are set by the stack; redeploy it',
    );
  const prefix = (env.STRATUS_PREFIX ?? '').replace(/^\/+|\/+$/g, '');
  return { kind: 's3', bucket: env.STRATUS_BUCKET, prefix };
}

/** Refuse an event whose job store is not the deployed one (FOREIGN_STORE names both). */
export function checkJobStore(store: StoreRef, env: NodeJS.ProcessEnv = process.env): void {
  const mine = deployedStore(env);
  const same =
    store.kind === mine.kind &&
    (store.kind === 'local'
      ? store.root === (mine as typeof store).root
      : store.bucket === (mine as typeof store).bucket && store.prefix === (mine as typeof store).prefix);
  if (!same)
    throw new ExecutionError(
      'FOREIGN_STORE',
      `refusing a job in store ${describe(store)}: this function serves only ${describe(mine)}`,
      { store: describe(store), deployed: describe(mine) },
    );
}

function describe(ref: StoreRef): string {
  return ref.kind === 'local' ? `file://${ref.root}` : `s3://${ref.bucket}/${ref.prefix}`;
}
