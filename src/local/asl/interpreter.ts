/**
 * The local ASL interpreter: runs a loaded definition state by state with Task resources
 * served by local handlers, counting history events as Step Functions records them. One
 * runner per state type (exhaustive); Map lives in map.ts, Retry/Catch in recover.ts.
 *
 * @example
 * const machine = new StateMachine(definition, { handlers: { [ARN]: async (input) => ({ ok: true }) } });
 * const output = await machine.start({ job }).result;
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { evalRule } from './choice.js';
import { definitionError, runtimeError, StatesError } from './errors.js';
import { loadDefinition } from './load.js';
import { runMap } from './map.js';
import { applyResultPath, evalTemplate, mustRead } from './paths.js';
import { recover, type Step } from './recover.js';
import {
  abortableSleep,
  ExecutionRecord,
  Scope,
  type Environment,
  type HistoryEvent,
  type TaskCall,
  type TaskHandler,
} from './scope.js';
import { resourcesOf, type Json, type Machine, type State, type StateType } from './types.js';

export type { HistoryEvent, TaskCall, TaskHandler };

/** Step Functions' limit on a state's input or output: 256 KiB. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

export interface StateMachineOptions {
  /** Local handlers by resource ARN: every Task and ItemReader resource must have one. */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  readonly payloadLimitBytes?: number;
}

export interface StartOptions {
  /** Context object fields (`$$.StateMachine…`, `$$.Execution.Id / Name`). */
  readonly stateMachine?: { readonly Id: string; readonly Name: string };
  readonly executionName?: string;
  /** How Wait states and Retry intervals sleep (tests record or shorten them). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The milliseconds a Wait state waits for its seconds (default seconds × 1000). */
  readonly waitMillis?: (state: string, seconds: number) => number;
  /** Source of FULL jitter (default Math.random). */
  readonly random?: () => number;
  readonly onEvent?: (e: HistoryEvent) => void;
}

/** A running execution: its result (rejects with a StatesError), its history count, abort. */
export interface Execution {
  readonly name: string;
  readonly result: Promise<Json>;
  /** History events recorded so far by this execution (not its Distributed Map children). */
  readonly events: number;
  abort(reason?: string): void;
}

export class StateMachine {
  readonly machine: Machine;
  constructor(
    definition: unknown,
    readonly opts: StateMachineOptions,
  ) {
    this.machine = loadDefinition(definition);
    for (const r of resourcesOf(this.machine))
      if (!Object.hasOwn(opts.handlers, r))
        throw definitionError(`resource '${r}'`, 'no local handler is registered for it');
  }

  start(input: Json, opts: StartOptions = {}): Execution {
    const sm = opts.stateMachine ?? { Id: 'arn:aws:states:local:000000000000:stateMachine:local', Name: 'local' };
    const name = opts.executionName ?? randomUUID();
    const record = new ExecutionRecord(name, {
      StateMachine: sm,
      Execution: {
        Id: `${sm.Id.replace(':stateMachine:', ':execution:')}:${name}`,
        Name: name,
        StartTime: new Date().toISOString(),
        Input: input,
      },
    });
    const env: Environment = {
      handlers: this.opts.handlers,
      payloadLimitBytes: this.opts.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES,
      sleep: opts.sleep ?? abortableSleep,
      waitMillis: opts.waitMillis ?? ((_, seconds) => seconds * 1000),
      random: opts.random ?? Math.random,
      onEvent: opts.onEvent,
    };
    const controller = new AbortController();
    setMaxListeners(0, controller.signal); // every running Task of the execution listens to it
    const scope = new Scope(env, record, controller.signal);
    const result = (async () => {
      scope.event('ExecutionStarted');
      try {
        const out = scope.json(
          await runMachine(this.machine, scope.json(input, 'the execution input'), scope),
          'the execution output',
        );
        scope.event('ExecutionSucceeded');
        return out;
      } catch (e) {
        const err = e instanceof StatesError ? e : new StatesError('States.Runtime', String((e as Error)?.stack ?? e));
        scope.event(controller.signal.aborted ? 'ExecutionAborted' : 'ExecutionFailed', undefined, {
          error: err.error,
          cause: err.causeText,
        });
        throw err;
      }
    })();
    return {
      name,
      result,
      get events() {
        return record.events;
      },
      abort: (reason = 'the execution was aborted') => controller.abort(new StatesError('States.Aborted', reason)),
    };
  }
}

/** Run a machine (or a Map iteration's processor) from StartAt to its end. */
async function runMachine(m: Machine, input: Json, scope: Scope): Promise<Json> {
  let state = m.states.get(m.startAt)!;
  let data = input;
  for (;;) {
    scope.throwIfAborted();
    const step = await RUNNERS[state.type](state as never, data, scope);
    data = scope.json(step.output, `the output of state '${state.name}'`);
    if (step.next === undefined) return data;
    state = m.states.get(step.next)!;
  }
}

type Runner<T extends StateType> = (s: Extract<State, { type: T }>, input: Json, scope: Scope) => Promise<Step>;

const RUNNERS: { [T in StateType]: Runner<T> } = {
  async Task(s, input, scope) {
    scope.event('TaskStateEntered', s.name);
    const step = await recover(
      s,
      input,
      scope,
      async (retryCount) => {
        const context = scope.context(s.name, retryCount);
        const payload = scope.json(
          s.parameters ? evalTemplate(s.parameters, input, context) : input,
          `the input of state '${s.name}'`,
        );
        scope.event('TaskScheduled', s.name);
        scope.event('TaskStarted', s.name);
        const raw = await scope.invoke(s.resource, payload, s.name, s.timeoutSeconds);
        const result = scope.json(raw, `the result of state '${s.name}'`);
        scope.event('TaskSucceeded', s.name);
        return s.resultSelector ? evalTemplate(s.resultSelector, result, context) : result;
      },
      (e) => (e.error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed'),
    );
    scope.event('TaskStateExited', s.name);
    return step;
  },

  Map: (s, input, scope) => runMap(s, input, scope, runMachine),

  async Choice(s, input, scope) {
    scope.event('ChoiceStateEntered', s.name);
    const context = scope.context(s.name, 0);
    const next = s.choices.find((c) => evalRule(c.rule, input, context))?.next ?? s.default;
    if (next === undefined) throw new StatesError('States.NoChoiceMatched', `no rule of state '${s.name}' matched`);
    scope.event('ChoiceStateExited', s.name);
    return { output: input, next };
  },

  async Wait(s, input, scope) {
    scope.event('WaitStateEntered', s.name);
    const seconds = typeof s.seconds === 'number' ? s.seconds : mustRead(s.seconds, input, null, 'SecondsPath');
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      throw runtimeError(`the SecondsPath of state '${s.name}' is ${JSON.stringify(seconds)}, not an integer ≥ 0`);
    await scope.env.sleep(scope.env.waitMillis(s.name, seconds), scope.signal);
    scope.event('WaitStateExited', s.name);
    return { output: input, next: s.next };
  },

  async Pass(s, input, scope) {
    scope.event('PassStateEntered', s.name);
    const result = s.parameters
      ? evalTemplate(s.parameters, input, scope.context(s.name, 0))
      : s.result !== undefined
        ? s.result
        : input;
    const output = applyResultPath(input, result, s.resultPath);
    scope.event('PassStateExited', s.name);
    return { output, next: s.next };
  },

  async Succeed(s, input, scope) {
    scope.event('SucceedStateEntered', s.name);
    scope.event('SucceedStateExited', s.name);
    return { output: input, next: undefined };
  },

  async Fail(s, input, scope) {
    scope.event('FailStateEntered', s.name);
    const context = scope.context(s.name, 0);
    const text = (v: typeof s.error, field: string): string => {
      if (v === undefined || typeof v === 'string') return v ?? '';
      const got = mustRead(v, input, context, field);
      if (typeof got !== 'string')
        throw runtimeError(`the ${field} of state '${s.name}' is ${JSON.stringify(got)}, not a string`);
      return got;
    };
    throw new StatesError(text(s.error, 'ErrorPath') || 'States.Fail', text(s.cause, 'CausePath'));
  },
};
