/**
 * The local ASL interpreter (src/local/asl/): Retry with backoff and Catch, error-name matching,
 * Choice, Map concurrency and result order, the Distributed Map's ItemReader, Wait, Fail, the
 * payload limit, history counting, abort — and rejection, at load time, of everything outside
 * the supported subset. Also: the Choice generated from the route table sends every action
 * where the table says.
 */
import { describe, expect, it } from 'vitest';
import type { StatesError } from '../src/local/asl/errors.js';
import { StateMachine, type HistoryEvent, type StartOptions, type TaskHandler } from '../src/local/asl/interpreter.js';
import type { Json } from '../src/local/asl/types.js';
import {
  buildDefinition,
  DRIVER_ACTIONS,
  resourceArns,
  ROUTES,
  routeChoice,
  STATE,
} from '../src/runtime/stateMachine.js';

const T = 'arn:test:task';
const GET = 'arn:aws:states:::s3:getObject';

/** Run a definition; sleeps are recorded (not slept) unless `opts.sleep` is given. */
async function run(
  definition: Record<string, unknown>,
  input: Json,
  handlers: Record<string, TaskHandler>,
  opts: StartOptions = {},
) {
  const sleeps: number[] = [];
  const events: HistoryEvent[] = [];
  const machine = new StateMachine(definition, { handlers });
  const execution = machine.start(input, {
    sleep: async (ms) => void sleeps.push(ms),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  const outcome = await execution.result.then(
    (output) => ({ output, error: undefined }),
    (error: StatesError) => ({ output: undefined, error }),
  );
  return { ...outcome, sleeps, events, count: execution.events };
}

const task = (extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: T, End: true, ...extra });
const one = (state: Record<string, unknown>) => ({ StartAt: 'S', States: { S: state } });
const named = (name: string, cause = '') => Object.assign(new Error(cause), { name });

/** A handler that throws the given errors in turn, then returns `result`. */
function failing(errors: Error[], result: Json = 'ok'): TaskHandler & { calls: number } {
  const h = Object.assign(
    async () => {
      const e = errors[h.calls++];
      if (e) throw e;
      return result;
    },
    { calls: 0 },
  );
  return h;
}

describe('Task: Retry and Catch', () => {
  const retry = (extra: Record<string, unknown> = {}) => [
    { ErrorEquals: ['Throttled'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, ...extra },
  ];

  it('retries a matching error with exponential backoff, then succeeds', async () => {
    const h = failing([named('Throttled'), named('Throttled'), named('Throttled')]);
    const r = await run(one(task({ Retry: retry() })), {}, { [T]: h });
    expect(r.output).toBe('ok');
    expect(h.calls).toBe(4);
    expect(r.sleeps).toEqual([1000, 2000, 4000]);
  });

  it('caps the delay at MaxDelaySeconds and draws FULL jitter below it', async () => {
    const h = failing([named('Throttled'), named('Throttled'), named('Throttled')]);
    const r = await run(
      one(task({ Retry: retry({ MaxDelaySeconds: 3, JitterStrategy: 'FULL' }) })),
      {},
      { [T]: h },
      {
        random: () => 0.5,
      },
    );
    expect(r.sleeps).toEqual([500, 1000, 1500]);
  });

  it('stops after MaxAttempts and hands the error to the first matching Catch at its ResultPath', async () => {
    const h = failing(Array.from({ length: 9 }, () => named('Throttled', 'slow down')));
    const def = {
      StartAt: 'S',
      States: {
        S: task({
          Retry: retry({ MaxAttempts: 2 }),
          Catch: [
            { ErrorEquals: ['Other'], Next: 'Wrong' },
            { ErrorEquals: ['States.ALL'], ResultPath: '$.crash', Next: 'Caught' },
          ],
          End: undefined,
          Next: 'Done',
        }),
        Wrong: { Type: 'Succeed' },
        Caught: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    const r = await run(def, { keep: 1 }, { [T]: h });
    expect(h.calls).toBe(3);
    expect(r.output).toEqual({ keep: 1, crash: { Error: 'Throttled', Cause: 'slow down' } });
  });

  it('lets the first retrier whose ErrorEquals matches decide, and fails unmatched errors', async () => {
    const h = failing([named('A'), named('A'), named('B')]);
    const def = one(
      task({
        Retry: [
          { ErrorEquals: ['A'], MaxAttempts: 1, IntervalSeconds: 5 },
          { ErrorEquals: ['States.ALL'], MaxAttempts: 5, IntervalSeconds: 1 },
        ],
      }),
    );
    const r = await run(def, {}, { [T]: h });
    // A once retried by the first retrier (5 s); the second A is not retried by States.ALL.
    expect(h.calls).toBe(2);
    expect(r.sleeps).toEqual([5000]);
    expect(r.error).toMatchObject({ error: 'A' });
  });

  it('matches States.TaskFailed to any error but States.Timeout, and times a Task out', async () => {
    const slow: TaskHandler = (_, call) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve('late'), 5000);
        call.signal.addEventListener('abort', () => clearTimeout(t));
      });
    const def = {
      StartAt: 'S',
      States: {
        S: task({
          TimeoutSeconds: 1,
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'TaskFailed' },
            { ErrorEquals: ['States.Timeout'], Next: 'TimedOut' },
          ],
          End: undefined,
          Next: 'TaskFailed',
        }),
        TaskFailed: { Type: 'Pass', Result: 'task failed', End: true },
        TimedOut: { Type: 'Pass', Result: 'timed out', End: true },
      },
    };
    expect((await run(def, {}, { [T]: slow })).output).toBe('timed out');
    expect((await run(def, {}, { [T]: failing([named('Boom')]) })).output).toBe('task failed');
  });

  it('never retries nor catches States.Runtime (a Parameters path that does not resolve)', async () => {
    const h = failing([]);
    const def = one(
      task({
        Parameters: { 'x.$': '$.missing' },
        Retry: [{ ErrorEquals: ['States.ALL'] }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'S' }],
      }),
    );
    const r = await run(def, { present: 1 }, { [T]: h });
    expect(h.calls).toBe(0);
    expect(r.error).toMatchObject({ error: 'States.Runtime' });
    expect(r.error!.causeText).toMatch(/'\$\.missing' of field 'x\.\$' could not be found/);
  });

  it('builds the payload from Parameters (input and context paths) and applies ResultSelector and ResultPath', async () => {
    let seen: Json = null;
    const def = one(
      task({
        Parameters: { 'job.$': '$.job', fixed: [1, { 'nested.$': '$.n' }], 'name.$': '$$.State.Name' },
        ResultSelector: { 'value.$': '$.v' },
        ResultPath: '$.out.result',
      }),
    );
    const r = await run(
      def,
      { job: 'j', n: 7, out: { other: true } },
      {
        [T]: async (input) => {
          seen = input;
          return { v: 42, noise: 'x' };
        },
      },
    );
    expect(seen).toEqual({ job: 'j', fixed: [1, { nested: 7 }], name: 'S' });
    expect(r.output).toEqual({ job: 'j', n: 7, out: { other: true, result: { value: 42 } } });
  });
});

describe('Choice', () => {
  const def = {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.kind', StringEquals: 'big' },
              { Variable: '$.flag', IsPresent: true },
              { Variable: '$.flag', BooleanEquals: true },
            ],
            Next: 'Big',
          },
          {
            Or: [{ Variable: '$.n', NumericEquals: 1 }, { Not: { Variable: '$.kind', StringEquals: 'big' } }],
            Next: 'Small',
          },
        ],
        Default: 'Other',
      },
      Big: { Type: 'Pass', Result: 'big', End: true },
      Small: { Type: 'Pass', Result: 'small', End: true },
      Other: { Type: 'Pass', Result: 'other', End: true },
    },
  };
  const route = async (input: Json) => (await run(def, input, {})).output;

  it('short-circuits And behind an IsPresent guard, evaluates Or / Not, falls back to Default', async () => {
    expect(await route({ kind: 'big', flag: true })).toBe('big');
    expect(await route({ kind: 'big', n: 2 })).toBe('other'); // no flag: the guard stops the And
    expect(await route({ kind: 'big', flag: false, n: 1 })).toBe('small');
    expect(await route({ kind: 'tiny', n: 5 })).toBe('small');
    expect(await route({ kind: 'big', flag: 'true', n: 3 })).toBe('other'); // a string is not a boolean
  });

  it('fails on a compared field that is missing, and without a match and Default', async () => {
    expect((await run(def, { kind: 'big', flag: false }, {})).error).toMatchObject({ error: 'States.Runtime' });
    const noDefault = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.a', StringEquals: 'x', Next: 'X' }] },
        X: { Type: 'Succeed' },
      },
    };
    expect((await run(noDefault, { a: 'y' }, {})).error).toMatchObject({ error: 'States.NoChoiceMatched' });
  });
});

describe('Map', () => {
  const mapDef = (extra: Record<string, unknown>) => ({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'job.$': '$.job', 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work', States: { Work: task() } },
        ResultPath: '$.results',
        End: true,
        ...extra,
      },
    },
  });

  /** A handler that takes longer for smaller values (so completions come out of order) and tracks concurrency. */
  function tracked() {
    const state = { inFlight: 0, max: 0, started: [] as number[] };
    const handler: TaskHandler = async (input) => {
      const { value, index, job } = input as { value: number; index: number; job: string };
      state.started.push(index);
      state.max = Math.max(state.max, ++state.inFlight);
      await new Promise((r) => setTimeout(r, 5 * (10 - value)));
      state.inFlight--;
      if (value < 0) throw named('Bad', `item ${index}`);
      return `${job}:${index}:${value * 10}`;
    };
    return { state, handler };
  }

  it('honours MaxConcurrencyPath and returns results in item order', async () => {
    const { state, handler } = tracked();
    const r = await run(
      mapDef({ MaxConcurrencyPath: '$.limit' }),
      { job: 'j', limit: 3, items: [1, 2, 3, 4, 5, 6, 7] },
      {
        [T]: handler,
      },
    );
    expect(state.max).toBe(3);
    expect((r.output as { results: Json }).results).toEqual([1, 2, 3, 4, 5, 6, 7].map((v, i) => `j:${i}:${v * 10}`));
  });

  it('runs every item at once when the limit is 0', async () => {
    const { state, handler } = tracked();
    await run(mapDef({ MaxConcurrency: 0 }), { job: 'j', items: [1, 2, 3, 4, 5, 6] }, { [T]: handler });
    expect(state.max).toBe(6);
  });

  it('fails with the first failed iteration and starts no item after it', async () => {
    const { state, handler } = tracked();
    const r = await run(mapDef({ MaxConcurrency: 1 }), { job: 'j', items: [1, -1, 3, 4] }, { [T]: handler });
    expect(r.error).toMatchObject({ error: 'Bad', causeText: 'item 1' });
    expect(state.started).toEqual([0, 1]);
  });

  it('counts the history events Step Functions records for an inline Map', async () => {
    const r = await run(mapDef({ MaxConcurrency: 0 }), { job: 'j', items: [1, 2, 3] }, { [T]: async () => 'x' });
    // Execution 2 + Map 4 + per item (iteration 2 + Task 5).
    expect(r.count).toBe(2 + 4 + 3 * 7);
    expect(r.events.filter((e) => e.type === 'TaskScheduled')).toHaveLength(3);
  });

  it('reads a Distributed Map’s items with the ItemReader from exactly the Bucket and Key given', async () => {
    const reads: Json[] = [];
    const def = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: {
            Resource: GET,
            ReaderConfig: { InputType: 'JSON' },
            Parameters: { 'Bucket.$': '$.list.bucket', 'Key.$': '$.list.key' },
          },
          ItemSelector: { 'group.$': '$$.Map.Item.Value' },
          MaxConcurrency: 0,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Work',
            States: { Work: task() },
          },
          End: true,
        },
      },
    };
    const objects: Record<string, string> = { 'b/jobs/1/groups.json': JSON.stringify(['g0', 'g1', 'g2']) };
    const reader: TaskHandler = async (input) => {
      reads.push(input);
      const { Bucket, Key } = input as { Bucket: string; Key: string };
      return objects[`${Bucket}/${Key}`];
    };
    const handler: TaskHandler = async (input, call) => `${(input as { group: string }).group}@${call.execution}`;
    const r = await run(
      def,
      { list: { bucket: 'b', key: 'jobs/1/groups.json' } },
      { [GET]: reader, [T]: handler },
      {
        executionName: 'parent',
      },
    );
    expect(reads).toEqual([{ Bucket: 'b', Key: 'jobs/1/groups.json' }]);
    expect(r.output).toEqual(['g0@parent', 'g1@parent', 'g2@parent']);
    // Children are executions of their own: the parent's history holds the Map Run only.
    expect(r.count).toBe(2 + 6);
    expect(r.events.filter((e) => e.execution === 'parent/M/1').map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);

    objects['b/jobs/1/groups.json'] = '{"not": "a list"}';
    const notList = await run(
      def,
      { list: { bucket: 'b', key: 'jobs/1/groups.json' } },
      { [GET]: reader, [T]: handler },
    );
    expect(notList.error).toMatchObject({ error: 'States.ItemReaderFailed' });
    const failingChild = await run(
      def,
      { list: { bucket: 'b', key: 'jobs/1/groups.json' } },
      {
        [GET]: async () => '[1, 2]',
        [T]: failing([named('Crash', 'boom')]),
      },
    );
    expect(failingChild.error).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold' });
    expect(failingChild.error!.causeText).toMatch(/item \d failed with Crash: boom/);
  });
});

describe('Wait, Pass, Succeed and Fail', () => {
  it('waits SecondsPath seconds through the override', async () => {
    const def = {
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'P' },
        P: { Type: 'Pass', Parameters: { 'waited.$': '$.seconds' }, End: true },
      },
    };
    const asked: [string, number][] = [];
    const r = await run(
      def,
      { seconds: 30 },
      {},
      {
        waitMillis: (state, seconds) => {
          asked.push([state, seconds]);
          return seconds;
        },
      },
    );
    expect(asked).toEqual([['W', 30]]);
    expect(r.sleeps).toEqual([30]);
    expect(r.output).toEqual({ waited: 30 });
    expect((await run(def, { seconds: -1 }, {})).error).toMatchObject({ error: 'States.Runtime' });
  });

  it('fails with Error and Cause, literal or from paths', async () => {
    const literal = await run(one({ Type: 'Fail', Error: 'Broken', Cause: 'because' }), {}, {});
    expect(literal.error).toMatchObject({ error: 'Broken', causeText: 'because' });
    const paths = await run(one({ Type: 'Fail', ErrorPath: '$.e', CausePath: '$.c' }), { e: 'E1', c: 'C1' }, {});
    expect(paths.error).toMatchObject({ error: 'E1', causeText: 'C1' });
    expect(paths.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('rejects a state output above the payload limit, past any Catch', async () => {
    const machine = new StateMachine(one(task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'S' }] })), {
      handlers: { [T]: async () => 'x'.repeat(300) },
      payloadLimitBytes: 256,
    });
    await expect(machine.start({}).result).rejects.toMatchObject({ error: 'States.DataLimitExceeded' });
  });

  it('aborts a waiting execution at once', async () => {
    const machine = new StateMachine(one({ Type: 'Wait', Seconds: 3600, End: true }), { handlers: {} });
    const execution = machine.start({});
    setTimeout(() => execution.abort('stop now'), 10);
    await expect(execution.result).rejects.toMatchObject({ error: 'States.Aborted', causeText: 'stop now' });
  });
});

describe('load-time rejection', () => {
  const reject = (
    definition: unknown,
    message: RegExp,
    handlers: Record<string, TaskHandler> = { [T]: async () => 1 },
  ) => expect(() => new StateMachine(definition, { handlers })).toThrow(message);

  it('rejects state types, fields and path forms it does not run', () => {
    reject(one({ Type: 'Parallel', Branches: [], End: true }), /state type "Parallel" is not supported/);
    reject(one(task({ InputPath: '$.a' })), /field 'InputPath' is not supported/);
    reject(one(task({ OutputPath: '$.a' })), /field 'OutputPath' is not supported/);
    reject(one({ Type: 'Wait', Timestamp: '2030-01-01T00:00:00Z', End: true }), /field 'Timestamp' is not supported/);
    reject(one(task({ Parameters: { 'x.$': '$.a[0]' } })), /path '\$\.a\[0\]' is not supported/);
    reject(one(task({ Parameters: { 'x.$': '$..a' } })), /path '\$\.\.a' is not supported/);
    reject(one(task({ Parameters: { 'x.$': "States.Format('{}', $.a)" } })), /intrinsic function .* is not supported/);
    reject(one(task({ Parameters: { 'x.$': '$$.Task.Token' } })), /names no context field/);
    reject(one(task({ Parameters: { 'x.$': '$$.Map.Item.Value' } })), /only available in a Map state's ItemSelector/);
    reject(one(task({ ResultPath: '$$.Execution.Id' })), /context path .* is not allowed here/);
    reject(
      {
        StartAt: 'C',
        States: { C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 3, Next: 'C' }] } },
      },
      /comparison 'NumericLessThan' is not supported/,
    );
    reject(one(task({ Retry: [{ ErrorEquals: ['X'], MaxAttempts: 2, Foo: 1 }] })), /field 'Foo' is not supported/);
  });

  it('rejects malformed machines', () => {
    reject(one(task({ End: undefined, Next: 'Nowhere' })), /transition to 'Nowhere'/);
    reject({ StartAt: 'S', States: { S: task(), Orphan: task() } }, /'Orphan'.*not reachable/);
    reject(one(task({ Next: 'S' })), /give 'Next' or 'End', not both/);
    reject(
      one(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] })),
      /'States\.ALL' entry must be the last one/,
    );
    reject(one(task({ Catch: [{ ErrorEquals: ['States.ALL', 'X'], Next: 'S' }] })), /must appear alone/);
    reject(
      one({
        Type: 'Map',
        ItemReader: { Resource: GET, ReaderConfig: { InputType: 'JSON' }, Parameters: {} },
        ItemProcessor: { StartAt: 'S', States: { S: task() } },
        End: true,
      }),
      /'ItemReader' needs ProcessorConfig\.Mode 'DISTRIBUTED'/,
    );
    reject(one(task()), /resource 'arn:test:task'.*no local handler/, {});
    reject({ StartAt: 'S', States: { S: task() }, TimeoutSeconds: 5 }, /field 'TimeoutSeconds' is not supported/);
  });
});

describe('the Stratus definition and its route table', () => {
  it('loads with a handler for every resource role', () => {
    const arns = resourceArns({ driverResource: 'arn:d', executorResource: 'arn:e' });
    const handlers = Object.fromEntries(Object.values(arns).map((a) => [a, async () => null]));
    expect(
      () => new StateMachine(buildDefinition({ driverResource: 'arn:d', executorResource: 'arn:e' }), { handlers }),
    ).not.toThrow();
  });

  it('routes every action of the table, and a distributed round, to its target', async () => {
    const targets = [...new Set(Object.values(STATE))].filter((s) => s !== STATE.route);
    const def = {
      StartAt: STATE.route,
      States: {
        [STATE.route]: routeChoice(),
        ...Object.fromEntries(targets.map((t) => [t, { Type: 'Pass', Result: t, End: true }])),
      },
    };
    // Unreachable targets are not part of this probe machine.
    const reached = new Set<string>([
      STATE.fail,
      ...Object.values(ROUTES).flatMap((r) => ('distributed' in r ? [r.target, r.distributed] : [r.target])),
    ]);
    for (const t of targets) if (!reached.has(t)) delete (def.States as Record<string, unknown>)[t];
    for (const action of DRIVER_ACTIONS) {
      expect((await run(def, { action }, {})).output).toBe(ROUTES[action].target);
      expect((await run(def, { action, distributed: false }, {})).output).toBe(ROUTES[action].target);
    }
    expect((await run(def, { action: 'run_executors', distributed: true }, {})).output).toBe(
      STATE.runExecutorsDistributed,
    );
    expect((await run(def, { action: 'dance' }, {})).output).toBe(STATE.fail);
  });
});
