/**
 * The one state machine definition (Amazon States Language), and the route table its Choice
 * state is generated from. `infra/` deploys it with the Lambda ARNs as Task resources; the local
 * runner executes the very same definition (src/local/asl/) with every resource mapped to a
 * local handler. States pass references (job id, manifest keys), never data.
 *
 *   Driver -> Route --run_executors--> RunExecutors (inline Map of Executor) -> Driver
 *                   |--run_executors, distributed--> RunExecutorsDistributed (ItemReader) -> Driver
 *                   |--run_driver--> Driver
 *                   |--sleep--> Sleep (Wait $.seconds) -> Driver
 *                   |--chain--> ChainExecution (same machine, same job) -> Chained
 *                   |--succeed / fail
 */

import { mapEvents, WAIT_EVENTS } from './history.js';

/** The machine's top-level states. */
export const STATE = {
  driver: 'Driver',
  route: 'Route',
  runExecutors: 'RunExecutors',
  runExecutorsDistributed: 'RunExecutorsDistributed',
  sleep: 'Sleep',
  chain: 'ChainExecution',
  chained: 'Chained',
  succeed: 'Succeeded',
  fail: 'Failed',
  driverCrashed: 'DriverCrashed',
} as const;
export type StateName = (typeof STATE)[keyof typeof STATE];

/** The executor states of a Map's item processor (names are unique machine-wide: one pair per Map). */
const EXECUTOR_STATE = { executor: 'Executor', crashed: 'ExecutorCrashed' } as const;

/** Where the Choice sends an action, and what that costs in the execution's history. */
export interface Route {
  readonly target: StateName;
  /** The target instead when the driver marks the round `distributed: true`. */
  readonly distributed?: StateName;
  /**
   * History events the target states record before the driver runs again, given the results
   * that come back (the driver step itself is DRIVER_STEP_EVENTS; the driver's chaining reads this).
   */
  readonly historyEvents: (results: number) => number;
}

/**
 * The route table: every action a driver invocation can return, the state it leads to and its
 * history cost. The Choice state is generated from it and `DriverAction` is its keys, so a new
 * action is one entry here (plus, for a new target, its state in `STATE` and in
 * `buildDefinition`, which the compiler demands) and the driver code that returns it.
 */
const ENDS = () => 0;
export const ROUTES = {
  // A Distributed Map's parent records fewer events than this inline estimate: never more.
  run_executors: { target: STATE.runExecutors, distributed: STATE.runExecutorsDistributed, historyEvents: mapEvents },
  run_driver: { target: STATE.driver, historyEvents: () => 0 },
  sleep: { target: STATE.sleep, historyEvents: () => WAIT_EVENTS },
  chain: { target: STATE.chain, historyEvents: ENDS },
  succeed: { target: STATE.succeed, historyEvents: ENDS },
  fail: { target: STATE.fail, historyEvents: ENDS },
} as const satisfies Record<string, Route>;

/** What a driver invocation returns: the routing value the Choice state reads (`$.action`). */
export type DriverAction = keyof typeof ROUTES;
export const DRIVER_ACTIONS = Object.keys(ROUTES) as readonly DriverAction[];

/** Service resources the definition calls besides the two Lambdas. */
const SERVICE_RESOURCE = {
  startExecution: 'arn:aws:states:::states:startExecution',
  getObject: 'arn:aws:states:::s3:getObject',
} as const;

/**
 * Every resource the definition calls, by role. Each backend serves all of them: the local
 * runner maps each role to a handler (a `Record` over this type), infra grants each.
 */
export type ResourceRole = 'driver' | 'executor' | 'startExecution' | 'readGroupList';

export interface DefinitionOptions {
  /** Resource of the driver Task: a Lambda ARN on AWS, any ARN-like name locally. */
  readonly driverResource: string;
  readonly executorResource: string;
}

export function resourceArns(opts: DefinitionOptions): Record<ResourceRole, string> {
  return {
    driver: opts.driverResource,
    executor: opts.executorResource,
    startExecution: SERVICE_RESOURCE.startExecution,
    readGroupList: SERVICE_RESOURCE.getObject,
  };
}

/** Errors the state machine retries with backoff before handing a crash back to the driver. */
const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.Timeout',
  'ExecutorTransientError',
  'DriverTransientError',
  // The function's process was killed mid-invocation: a driver step is idempotent, an
  // executor's outputs are attempt-unique — running the same input again is safe.
  'Runtime.ExitError',
];

/** The Choice state: one rule per route (the distributed variant first), in table order. */
export function routeChoice(): Record<string, unknown> {
  const choices: Record<string, unknown>[] = [];
  for (const [action, route] of Object.entries(ROUTES) as [DriverAction, Route][]) {
    if (route.distributed)
      choices.push({
        And: [
          { Variable: '$.action', StringEquals: action },
          { Variable: '$.distributed', IsPresent: true },
          { Variable: '$.distributed', BooleanEquals: true },
        ],
        Next: route.distributed,
      });
    choices.push({ Variable: '$.action', StringEquals: action, Next: route.target });
  }
  return { Type: 'Choice', Choices: choices, Default: STATE.fail };
}

export function buildDefinition(opts: DefinitionOptions): Record<string, unknown> {
  const arn = resourceArns(opts);
  const retry = [
    { ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
  ];
  const executorStates = (suffix: string) => ({
    [EXECUTOR_STATE.executor + suffix]: {
      Type: 'Task',
      Resource: arn.executor,
      Retry: retry,
      // A crash after the retries is data for the driver, which re-queues the group's tasks.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: EXECUTOR_STATE.crashed + suffix }],
      End: true,
    },
    [EXECUTOR_STATE.crashed + suffix]: {
      Type: 'Pass',
      Parameters: { 'group.$': '$.group', crashed: true, 'error.$': '$.crash.Error', 'cause.$': '$.crash.Cause' },
      End: true,
    },
  });
  const map = (mode: 'INLINE' | 'DISTRIBUTED', suffix: string, items: Record<string, unknown>) => ({
    Type: 'Map',
    ...items,
    ItemSelector: { 'job.$': '$.job', 'group.$': '$$.Map.Item.Value' },
    MaxConcurrencyPath: '$.concurrency',
    ItemProcessor: {
      ProcessorConfig: mode === 'INLINE' ? { Mode: mode } : { Mode: mode, ExecutionType: 'STANDARD' },
      StartAt: EXECUTOR_STATE.executor + suffix,
      States: executorStates(suffix),
    },
    ResultPath: '$.results',
    Next: STATE.driver,
  });
  const states: Record<StateName, Record<string, unknown>> = {
    [STATE.driver]: {
      Type: 'Task',
      Resource: arn.driver,
      Parameters: { 'job.$': '$.job', 'results.$': '$.results' },
      Retry: retry,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: STATE.driverCrashed }],
      Next: STATE.route,
    },
    [STATE.route]: routeChoice(),
    // Up to 40 groups: an inline Map over the groups in the driver's output.
    [STATE.runExecutors]: map('INLINE', '', { ItemsPath: '$.groups' }),
    // More: the driver wrote the group list to the store; a Distributed Map reads it.
    [STATE.runExecutorsDistributed]: map('DISTRIBUTED', 'Distributed', {
      ItemReader: {
        Resource: arn.readGroupList,
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.groupList.bucket', 'Key.$': '$.groupList.key' },
      },
    }),
    [STATE.sleep]: { Type: 'Wait', SecondsPath: '$.seconds', Next: STATE.driver },
    // Before the 25,000-event history cap: start a new execution of this same machine for the
    // same job (its state is in the store), and end this one.
    [STATE.chain]: {
      Type: 'Task',
      Resource: arn.startExecution,
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
  };
  return {
    Comment: 'Stratus job: a stateless driver routes each step; executors run task groups; S3 holds all state.',
    StartAt: STATE.driver,
    States: states,
  };
}
