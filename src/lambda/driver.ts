/**
 * AWS Lambda entry point of the driver: thin, calls the same function the local runner calls,
 * for jobs in the deployed store only (environment.ts).
 */
import type { DriverEvent, DriverOutput } from '../runtime/protocol.js';
import { runDriverStep } from '../runtime/driver.js';
import { checkJobStore, lambdaEnvironment, type LambdaContext } from './environment.js';

export async function handler(event: DriverEvent, context: LambdaContext): Promise<DriverOutput> {
  checkJobStore(event.job.store);
  return runDriverStep(event, lambdaEnvironment(context));
}
