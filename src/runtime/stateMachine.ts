/**
 * The one state machine definition (Amazon States Language). `infra/` deploys it with the
 * Lambda ARNs filled in; the local runner executes the same definition with the two Task states
 * mapped to local handlers. States pass references (job id, manifest keys), never data.
 *
 *   Driver -> Route --run_executors--> RunExecutors (Map of Executor) -> Driver
 *                   |--run_executors, distributed--> RunExecutorsDistributed -> Driver
 *                   |--run_driver--> Driver
 *                   |--sleep--> Sleep (Wait $.seconds) -> Driver
 *                   |--chain--> ChainExecution (same machine, same job) -> Chained
 *                   |--succeed / fail
 */

export const STATE = {
  driver: 'Driver',
  route: 'Route',
  runExecutors: 'RunExecutors',
  runExecutorsDistributed: 'RunExecutorsDistributed',
  runExecutorsListed: 'RunExecutorsListed',
  chain: 'ChainExecution',
  chained: 'Chained',
  executor: 'Executor',
  executorCrashed: 'ExecutorCrashed',
  sleep: 'Sleep',
  succeed: 'Succeeded',
  fail: 'Failed',
  driverCrashed: 'DriverCrashed',
} as const;

/** What a driver invocation returns: the routing object the Choice state reads. */
export type DriverAction = 'run_executors' | 'run_driver' | 'sleep' | 'succeed' | 'fail' | 'chain';
export const DRIVER_ACTIONS: readonly DriverAction[] = [
  'run_executors',
  'run_driver',
  'sleep',
  'succeed',
  'fail',
  'chain',
];

export interface DefinitionOptions {
  /** Resource of the driver Task: a Lambda ARN on AWS, any placeholder locally. */
  readonly driverResource: string;
  readonly executorResource: string;
  /**
   * true (AWS): rounds above 40 groups run in a Distributed Map reading the group list from S3.
   * false (local runner): that branch loads the list with a Task and runs an inline Map.
   */
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
  // State names are unique machine-wide, so each Map's processor gets its own pair.
  const executorStates = (suffix = '') => ({
    [STATE.executor + suffix]: {
      Type: 'Task',
      Resource: opts.executorResource,
      Retry: [
        { ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
      ],
      // A crash after the retries is data for the driver, which re-queues the group's tasks.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: STATE.executorCrashed + suffix }],
      End: true,
    },
    [STATE.executorCrashed + suffix]: {
      Type: 'Pass',
      Parameters: { 'group.$': '$.group', crashed: true, 'error.$': '$.crash.Error', 'cause.$': '$.crash.Cause' },
      End: true,
    },
  });
  const inlineMap = (itemsPath: string, suffix = '') => ({
    Type: 'Map',
    ItemsPath: itemsPath,
    ItemSelector: { 'job.$': '$.job', 'group.$': '$$.Map.Item.Value' },
    MaxConcurrencyPath: '$.concurrency',
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: STATE.executor + suffix,
      States: executorStates(suffix),
    },
    ResultPath: '$.results',
    Next: STATE.driver,
  });
  // Above 40 groups the driver writes the group list to the store. On AWS a Distributed Map
  // reads it (ItemReader); the local interpreter has no ItemReader, so locally a Task loads the
  // list and an inline Map runs it — the one place the local definition differs.
  const distributedStates: Record<string, unknown> = opts.distributed
    ? {
        [STATE.runExecutorsDistributed]: {
          Type: 'Map',
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSON' },
            Parameters: { 'Bucket.$': '$.groupList.bucket', 'Key.$': '$.groupList.key' },
          },
          ItemSelector: { 'job.$': '$.job', 'group.$': '$$.Map.Item.Value' },
          MaxConcurrencyPath: '$.concurrency',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: `${STATE.executor}Distributed`,
            States: executorStates('Distributed'),
          },
          ResultPath: '$.results',
          Next: STATE.driver,
        },
      }
    : {
        [STATE.runExecutorsDistributed]: {
          Type: 'Task',
          Resource: opts.executorResource,
          Parameters: { 'job.$': '$.job', 'groupList.$': '$.groupList', loadGroupList: true },
          ResultPath: '$.groups',
          Next: STATE.runExecutorsListed,
        },
        [STATE.runExecutorsListed]: inlineMap('$.groups', 'Listed'),
      };

  return {
    Comment: 'Stratus job: a stateless driver routes each step; executors run task groups; S3 holds all state.',
    StartAt: STATE.driver,
    States: {
      [STATE.driver]: {
        Type: 'Task',
        Resource: opts.driverResource,
        Parameters: { 'job.$': '$.job', 'results.$': '$.results' },
        Retry: [
          { ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: STATE.driverCrashed }],
        Next: STATE.route,
      },
      [STATE.route]: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.action', StringEquals: 'run_executors' },
              { Variable: '$.distributed', IsPresent: true },
              { Variable: '$.distributed', BooleanEquals: true },
            ],
            Next: STATE.runExecutorsDistributed,
          },
          { Variable: '$.action', StringEquals: 'run_executors', Next: STATE.runExecutors },
          { Variable: '$.action', StringEquals: 'run_driver', Next: STATE.driver },
          { Variable: '$.action', StringEquals: 'sleep', Next: STATE.sleep },
          { Variable: '$.action', StringEquals: 'chain', Next: STATE.chain },
          { Variable: '$.action', StringEquals: 'succeed', Next: STATE.succeed },
          { Variable: '$.action', StringEquals: 'fail', Next: STATE.fail },
        ],
        Default: STATE.fail,
      },
      [STATE.runExecutors]: inlineMap('$.groups'),
      ...distributedStates,
      [STATE.sleep]: { Type: 'Wait', SecondsPath: '$.seconds', Next: STATE.driver },
      // Before the 25,000-event history cap: start a new execution of this same machine for the
      // same job (its state is in the store), and end this one.
      [STATE.chain]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          'StateMachineArn.$': '$$.StateMachine.Id',
          Input: { 'job.$': '$.job', results: [], 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
        Next: STATE.chained,
      },
      [STATE.chained]: { Type: 'Succeed' },
      [STATE.succeed]: { Type: 'Succeed' },
      [STATE.fail]: { Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' },
      [STATE.driverCrashed]: { Type: 'Fail', Error: 'DriverCrashed', CausePath: '$.crash.Cause' },
    },
  };
}
