/**
 * AWS Lambda entry point of the executor: thin, calls the same function the local runner calls,
 * for jobs in the deployed store only (environment.ts).
 */
import type { ExecutorEvent, ExecutorOutput } from '../runtime/protocol.js';
import { runExecutorGroup } from '../runtime/executor.js';
import { checkJobStore, lambdaEnvironment, type LambdaContext } from './environment.js';

export async function handler(event: ExecutorEvent, context: LambdaContext): Promise<ExecutorOutput> {
  checkJobStore(event.job.store);
  return runExecutorGroup(event, lambdaEnvironment(context));
}
