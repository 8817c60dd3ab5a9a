/**
 * AWS Lambda entry point of the executor: thin, calls the same function the local runner calls.
 * It also serves the group-list load of the machine variant without a Distributed Map.
 */
import {
  groupListKey,
  type ExecutorEvent,
  type ExecutorOutput,
  type GroupRef,
  type JobRef,
} from '../runtime/protocol.js';
import { runExecutorGroup } from '../runtime/executor.js';
import { getJson } from '../storage/store.js';
import { lambdaEnvironment, type LambdaContext } from './environment.js';

type ListEvent = { readonly job: JobRef; readonly groupList: { readonly key: string }; readonly loadGroupList: true };

export async function handler(
  event: ExecutorEvent | ListEvent,
  context: LambdaContext,
): Promise<ExecutorOutput | GroupRef[]> {
  const env = lambdaEnvironment(context);
  if ('loadGroupList' in event)
    return getJson<GroupRef[]>(env.store(event.job.store), groupListKey(event.job.store, event.groupList.key));
  return runExecutorGroup(event, env);
}
