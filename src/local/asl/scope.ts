/**
 * What a running state sees: its execution (context object, history events), the handlers
 * and clock of the interpreter, and an abort signal (the execution's, or a Map iteration's
 * that also fires when a sibling iteration fails).
 */
import { StatesError } from './errors.js';
import type { Json, JsonObject } from './types.js';

/** Where a handler is called from: the state, the top-level execution's name, an abort signal. */
export interface TaskCall {
  readonly state: string;
  /** The top-level execution (a Distributed Map child reports its parent's). */
  readonly execution: string;
  readonly signal: AbortSignal;
}

/** A Task (or ItemReader) resource served locally: payload in, JSON result out. */
export type TaskHandler = (input: Json, call: TaskCall) => Promise<unknown>;

/** One execution history event, as Step Functions would record it. */
export interface HistoryEvent {
  readonly execution: string;
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
  readonly cause?: string;
  /** On a failed attempt that a Retry will repeat: the delay before the next attempt. */
  readonly retryInMs?: number;
}

/** The interpreter's side of a run: handlers, payload limit, clock and observers. */
export interface Environment {
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  readonly payloadLimitBytes: number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly waitMillis: (state: string, seconds: number) => number;
  readonly random: () => number;
  readonly onEvent: ((e: HistoryEvent) => void) | undefined;
}

/** One execution (a top-level run, or a Distributed Map's child): its context and event count. */
export class ExecutionRecord {
  events = 0;
  constructor(
    readonly name: string,
    readonly context: JsonObject,
    /** The top-level execution's name (itself, or a Distributed Map child's parent). */
    readonly root: string = name,
  ) {}
}

export class Scope {
  constructor(
    readonly env: Environment,
    readonly execution: ExecutionRecord,
    readonly signal: AbortSignal,
  ) {}

  /** The same execution under another signal (a Map iteration's). */
  withSignal(signal: AbortSignal): Scope {
    return new Scope(this.env, this.execution, signal);
  }

  event(type: string, state?: string, extra: Omit<HistoryEvent, 'execution' | 'type' | 'state'> = {}): void {
    this.execution.events++;
    this.env.onEvent?.({ execution: this.execution.name, type, ...(state ? { state } : {}), ...extra });
  }

  /** The context object as a state sees it (`$$`), with the Map item inside an ItemSelector. */
  context(state: string, retryCount: number, item?: { index: number; value: Json }): Json {
    return {
      ...this.execution.context,
      State: { Name: state, EnteredTime: new Date().toISOString(), RetryCount: retryCount },
      ...(item ? { Map: { Item: { Index: item.index, Value: item.value } } } : {}),
    };
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw aborted(this.signal);
  }

  /** A payload as JSON (what travels between states), checked against the size limit. */
  json(value: unknown, what: string): Json {
    const text = JSON.stringify(value);
    if (text === undefined) throw new StatesError('States.Runtime', `${what} is not JSON`);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.env.payloadLimitBytes)
      throw new StatesError(
        'States.DataLimitExceeded',
        `${what} is ${bytes} bytes, above the ${this.env.payloadLimitBytes}-byte payload limit`,
      );
    return JSON.parse(text) as Json;
  }

  /** Call a resource's handler; an abort of this scope (or TimeoutSeconds) ends the wait at once. */
  async invoke(resource: string, input: Json, state: string, timeoutSeconds?: number): Promise<unknown> {
    const handler = this.env.handlers[resource];
    if (!handler) throw new StatesError('States.Runtime', `no local handler for resource '${resource}'`);
    // The handler's own signal: fires when the scope aborts or the state times out.
    const local = new AbortController();
    const onAbort = () => local.abort(aborted(this.signal));
    this.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      local.signal.addEventListener('abort', () => reject(local.signal.reason), { once: true });
      if (this.signal.aborted) onAbort();
      if (timeoutSeconds !== undefined)
        timer = setTimeout(
          () => local.abort(new StatesError('States.Timeout', `state '${state}' ran longer than ${timeoutSeconds} s`)),
          timeoutSeconds * 1000,
        );
    });
    try {
      const call = Promise.resolve().then(() =>
        handler(input, { state, execution: this.execution.root, signal: local.signal }),
      );
      return await Promise.race([call, stopped]);
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
    }
  }
}

export function aborted(signal: AbortSignal): StatesError {
  const reason = signal.reason instanceof StatesError ? signal.reason : undefined;
  return reason ?? new StatesError('States.Aborted', String(signal.reason ?? 'the execution was aborted'));
}

/** A sleep that ends early (rejecting) when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(aborted(signal));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
