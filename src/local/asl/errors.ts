/**
 * Errors of the local ASL interpreter. Two kinds: a definition it cannot run (rejected at load
 * time, naming the state and field), and the States Language's own error model — a named error
 * with a cause — that Retry and Catch match by name as Step Functions does.
 */
import { InternalError } from '../../../planner/errors.js';

/** A definition outside the supported subset, or malformed: raised when it is loaded. */
export function definitionError(where: string, message: string): InternalError {
  return new InternalError('ASL_UNSUPPORTED', `state machine definition, ${where}: ${message}`, { at: where });
}

/** A runtime error in the States Language model: `Error` (a name) and `Cause` (text). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(causeText ? `${error}: ${causeText}` : error);
    this.name = error;
  }
}

/** Errors that no `States.ALL` (or any) retrier or catcher handles: they end the execution. */
const TERMINAL = new Set(['States.Runtime', 'States.DataLimitExceeded']);

export const runtimeError = (cause: string) => new StatesError('States.Runtime', cause);

/**
 * The States Language view of anything a handler threw: a StatesError keeps its name and
 * cause; any other error is named by its `name` with its message as cause (what the Lambda
 * runtime reports as errorType / errorMessage).
 */
export function asStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  if (e instanceof Error) return new StatesError(e.name || 'Error', e.message);
  return new StatesError('Error', String(e));
}

/**
 * Whether an `ErrorEquals` list matches an error name: exact names, `States.ALL` for any
 * error, `States.TaskFailed` for any but `States.Timeout` — neither for the terminal errors.
 */
export function matchesError(errorEquals: readonly string[], name: string): boolean {
  if (TERMINAL.has(name)) return false;
  return errorEquals.some(
    (e) => e === name || e === 'States.ALL' || (e === 'States.TaskFailed' && name !== 'States.Timeout'),
  );
}
