/**
 * The one state machine definition (Amazon States Language). `infra/` deploys it with the
 * Lambda ARNs filled in; the local runner executes the same definition with the two Task states
 * mapped to local handlers. States pass references (job id, manifest keys), never data.
 *
 *   Driver -> Route --run_executors--> RunExecutors (Map of Executor) -> Driver
 *                   |--run_driver--> Driver
 *                   |--sleep--> Sleep (Wait $.seconds) -> Driver
 *                   |--succeed / fail
 */

export const STATE = {
  driver: 'Driver',
  route: 'Route',
  runExecutors: 'RunExecutors',
  executor: 'Executor',
  executorCrashed: 'ExecutorCrashed',
  sleep: 'Sleep',
  succeed: 'Succeeded',
  fail: 'Failed',
  driverCrashed: 'DriverCrashed',
} as const;

/** What a driver invocation returns: the routing object the Choice state reads. */
export type DriverAction = 'run_executors' | 'run_driver' | 'sleep' | 'succeed' | 'fail';
export const DRIVER_ACTIONS: readonly DriverAction[] = ['run_executors', 'run_driver', 'sleep', 'succeed', 'fail'];

export interface DefinitionOptions {
  /** Resource of the driver Task: a Lambda ARN on AWS, any placeholder locally. */
  readonly driverResource: string;
  readonly executorResource: string;
  /** Use a Distributed Map reading the manifest list from S3 (for stages above 40 executors). */
  readonly distributed?: boolean;
}

/** Errors the state machine retries with backoff before handing a crash back to the driver. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
  'ExecutorTransientError',
];

export function buildDefinition(opts: DefinitionOptions): Record<string, unknown> {
  const executorStates = {
    [STATE.executor]: {
      Type: 'Task',
      Resource: opts.executorResource,
      Retry: [{ ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
      // A crash after the retries is data for the driver, which re-queues the group's tasks.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: STATE.executorCrashed }],
      End: true,
    },
    [STATE.executorCrashed]: {
      Type: 'Pass',
      Parameters: { 'group.$': '$.group', crashed: true, 'error.$': '$.crash.Error', 'cause.$': '$.crash.Cause' },
      End: true,
    },
  };

  const mapState: Record<string, unknown> = opts.distributed
    ? {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Parameters: { 'Bucket.$': '$.groupList.bucket', 'Key.$': '$.groupList.key' },
        },
        ItemSelector: { 'job.$': '$.job', 'group.$': '$$.Map.Item.Value' },
        MaxConcurrencyPath: '$.concurrency',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: STATE.executor, States: executorStates },
        ResultPath: '$.results',
        Next: STATE.driver,
      }
    : {
        Type: 'Map',
        ItemsPath: '$.groups',
        ItemSelector: { 'job.$': '$.job', 'group.$': '$$.Map.Item.Value' },
        MaxConcurrencyPath: '$.concurrency',
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: STATE.executor, States: executorStates },
        ResultPath: '$.results',
        Next: STATE.driver,
      };

  return {
    Comment: 'Stratus job: a stateless driver routes each step; executors run task groups; S3 holds all state.',
    StartAt: STATE.driver,
    States: {
      [STATE.driver]: {
        Type: 'Task',
        Resource: opts.driverResource,
        Parameters: { 'job.$': '$.job', 'results.$': '$.results' },
        Retry: [{ ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: STATE.driverCrashed }],
        Next: STATE.route,
      },
      [STATE.route]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.action', StringEquals: 'run_executors', Next: STATE.runExecutors },
          { Variable: '$.action', StringEquals: 'run_driver', Next: STATE.driver },
          { Variable: '$.action', StringEquals: 'sleep', Next: STATE.sleep },
          { Variable: '$.action', StringEquals: 'succeed', Next: STATE.succeed },
          { Variable: '$.action', StringEquals: 'fail', Next: STATE.fail },
        ],
        Default: STATE.fail,
      },
      [STATE.runExecutors]: mapState,
      [STATE.sleep]: { Type: 'Wait', SecondsPath: '$.seconds', Next: STATE.driver },
      [STATE.succeed]: { Type: 'Succeed' },
      [STATE.fail]: { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' },
      [STATE.driverCrashed]: { Type: 'Fail', Error: 'DriverCrashed', CausePath: '$.crash.Cause' },
    },
  };
}
