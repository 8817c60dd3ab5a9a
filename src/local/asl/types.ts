/**
 * The subset of the Amazon States Language the local interpreter runs, as loaded (validated,
 * readonly, tagged) objects. Anything outside this subset is rejected when a definition is
 * loaded (load.ts), never ignored.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** A reference path: `$`, `$.a.b` (the state's input) or `$$.a.b` (the context object). */
export interface Path {
  readonly text: string;
  readonly context: boolean;
  readonly segments: readonly string[];
}

/** A payload template (Parameters, ItemSelector, ResultSelector, ItemReader Parameters). */
export type Template =
  | { readonly kind: 'value'; readonly value: Json }
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'object'; readonly fields: readonly (readonly [string, Template])[] }
  | { readonly kind: 'array'; readonly items: readonly Template[] };

export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds: number | undefined;
  readonly jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly errorEquals: readonly string[];
  /** Where the error output `{ Error, Cause }` goes in the state's input; null discards it. */
  readonly resultPath: Path | null;
  readonly next: string;
}

export type Comparison = 'StringEquals' | 'BooleanEquals' | 'NumericEquals';

export type Rule =
  | { readonly kind: 'And' | 'Or'; readonly rules: readonly Rule[] }
  | { readonly kind: 'Not'; readonly rule: Rule }
  | { readonly kind: 'IsPresent'; readonly variable: Path; readonly expected: boolean }
  | { readonly kind: 'Compare'; readonly op: Comparison; readonly variable: Path; readonly value: Json };

/** Fields every state that moves on has: the next state, or undefined for `End: true`. */
interface Flow {
  readonly name: string;
  readonly next: string | undefined;
}

/** States that may fail and recover: Retry and Catch. */
interface Recoverable {
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
  /** Where the result goes in the state's input (`$` replaces it); null discards the result. */
  readonly resultPath: Path | null;
}

export interface TaskState extends Flow, Recoverable {
  readonly type: 'Task';
  readonly resource: string;
  readonly parameters: Template | undefined;
  readonly resultSelector: Template | undefined;
  readonly timeoutSeconds: number | undefined;
}

export interface ItemReader {
  readonly resource: string;
  readonly parameters: Template;
  readonly inputType: 'JSON';
}

export interface MapState extends Flow, Recoverable {
  readonly type: 'Map';
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  readonly itemsPath: Path | undefined;
  readonly itemReader: ItemReader | undefined;
  readonly itemSelector: Template | undefined;
  /** A fixed limit, or a path to one; 0 means no limit. */
  readonly maxConcurrency: number | Path;
  readonly processor: Machine;
}

export interface ChoiceState {
  readonly type: 'Choice';
  readonly name: string;
  readonly choices: readonly { readonly rule: Rule; readonly next: string }[];
  readonly default: string | undefined;
}

export interface WaitState extends Flow {
  readonly type: 'Wait';
  readonly seconds: number | Path;
}

export interface PassState extends Flow {
  readonly type: 'Pass';
  readonly parameters: Template | undefined;
  readonly result: Json | undefined;
  readonly resultPath: Path | null;
}

export interface SucceedState {
  readonly type: 'Succeed';
  readonly name: string;
}

export interface FailState {
  readonly type: 'Fail';
  readonly name: string;
  readonly error: string | Path | undefined;
  readonly cause: string | Path | undefined;
}

export type State = TaskState | MapState | ChoiceState | WaitState | PassState | SucceedState | FailState;
export type StateType = State['type'];

/** A loaded state machine, or a Map's item processor. */
export interface Machine {
  readonly startAt: string;
  readonly states: ReadonlyMap<string, State>;
}

/** Every Task and ItemReader resource of a machine and its processors (each needs a handler). */
export function resourcesOf(m: Machine): Set<string> {
  const out = new Set<string>();
  for (const s of m.states.values()) {
    if (s.type === 'Task') out.add(s.resource);
    if (s.type === 'Map') {
      if (s.itemReader) out.add(s.itemReader.resource);
      for (const r of resourcesOf(s.processor)) out.add(r);
    }
  }
  return out;
}
