/**
 * The runtime environment on AWS Lambda: stores from the (cached) store factory, remaining
 * time from the Lambda context.
 */
import * as os from 'node:os';
import { cachedStore, type RuntimeEnv } from '../runtime/env.js';
import { ParameterCache, parameterSourceFor } from '../runtime/params.js';

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
