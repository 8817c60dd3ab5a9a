/**
 * AWS Lambda entry point of the driver: thin, calls the same function the local runner calls.
 */
import type { DriverEvent, DriverOutput } from '../runtime/protocol.js';
import { runDriverStep } from '../runtime/driver.js';
import { lambdaEnvironment, type LambdaContext } from './environment.js';

export async function handler(event: DriverEvent, context: LambdaContext): Promise<DriverOutput> {
  return runDriverStep(event, lambdaEnvironment(context));
}
