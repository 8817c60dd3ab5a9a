/**
 * The runtime environment on AWS Lambda: stores from the (cached) store factory, remaining
 * time from the Lambda context.
 */
import { cachedStore, type RuntimeEnv } from '../runtime/env.js';

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export function lambdaEnvironment(context: LambdaContext): RuntimeEnv {
  return {
    store: cachedStore,
    remainingMillis: () => context.getRemainingTimeInMillis(),
    log: (m) => console.log(m),
  };
}
