/**
 * AWS Lambda entry point of the executor: thin, calls the same function the local runner calls.
 */
import type { ExecutorEvent, ExecutorOutput } from '../runtime/protocol.js';
import { runExecutorGroup } from '../runtime/executor.js';
import { lambdaEnvironment, type LambdaContext } from './environment.js';

export async function handler(event: ExecutorEvent, context: LambdaContext): Promise<ExecutorOutput> {
  return runExecutorGroup(event, lambdaEnvironment(context));
}
