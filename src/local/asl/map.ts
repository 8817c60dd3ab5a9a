/**
 * The Map state: items from ItemsPath (or, DISTRIBUTED, from an ItemReader resource), each
 * shaped by ItemSelector (`$$.Map.Item.Value` / `Index`) and run through the item processor,
 * at most MaxConcurrency at a time (0: no limit); results in item order. INLINE iterations
 * belong to this execution; DISTRIBUTED ones are child executions with their own history, and
 * any failed child fails the Map Run (`States.ExceedToleratedFailureThreshold`). The first
 * failure stops new iterations and aborts running ones; the Map settles once they have ended.
 */
import { setMaxListeners } from 'node:events';
import { asStatesError, runtimeError, StatesError } from './errors.js';
import { evalTemplate, mustRead } from './paths.js';
import { recover, type Step } from './recover.js';
import { aborted, ExecutionRecord, Scope } from './scope.js';
import type { Json, JsonObject, Machine, MapState } from './types.js';

export type RunMachine = (m: Machine, input: Json, scope: Scope) => Promise<Json>;

export async function runMap(s: MapState, input: Json, scope: Scope, run: RunMachine): Promise<Step> {
  scope.event('MapStateEntered', s.name);
  const step = await recover(
    s,
    input,
    scope,
    async (retryCount) => {
      scope.event('MapStateStarted', s.name);
      const context = scope.context(s.name, retryCount);
      const items = s.itemReader ? await readItems(s, input, context, scope) : itemsAt(s, input);
      const limit = concurrency(s, input);
      const distributed = s.mode === 'DISTRIBUTED';
      if (distributed) scope.event('MapRunStarted', s.name);
      const results = await forEachLimited(
        items,
        limit === 0 ? items.length : limit,
        scope.signal,
        (item, index, signal) => {
          const itemInput = s.itemSelector
            ? evalTemplate(s.itemSelector, input, scope.context(s.name, retryCount, { index, value: item }))
            : item;
          return distributed
            ? child(s, index, itemInput, scope.withSignal(signal), run)
            : iteration(s, itemInput, scope.withSignal(signal), run);
        },
      ).catch((e: unknown) => {
        if (distributed) scope.event('MapRunFailed', s.name);
        throw e;
      });
      if (distributed) scope.event('MapRunSucceeded', s.name);
      scope.event('MapStateSucceeded', s.name);
      return results;
    },
    () => 'MapStateFailed',
  );
  scope.event('MapStateExited', s.name);
  return step;
}

async function iteration(s: MapState, input: Json, scope: Scope, run: RunMachine): Promise<Json> {
  scope.event('MapIterationStarted', s.name);
  try {
    const out = await run(s.processor, input, scope);
    scope.event('MapIterationSucceeded', s.name);
    return out;
  } catch (e) {
    scope.event(scope.signal.aborted ? 'MapIterationAborted' : 'MapIterationFailed', s.name);
    throw e;
  }
}

/** A DISTRIBUTED iteration: a child execution with its own history; its failure fails the Map Run. */
async function child(s: MapState, index: number, input: Json, parent: Scope, run: RunMachine): Promise<Json> {
  const ctx = parent.execution.context as { Execution?: JsonObject };
  const name = `${parent.execution.name}/${s.name}/${index}`;
  const record = new ExecutionRecord(
    name,
    {
      ...parent.execution.context,
      Execution: {
        ...ctx.Execution,
        Id: `${String(ctx.Execution?.Id ?? '')}/${s.name}/${index}`,
        Name: name,
        Input: input,
      },
    },
    parent.execution.root,
  );
  const scope = new Scope(parent.env, record, parent.signal);
  scope.event('ExecutionStarted');
  try {
    const out = await run(s.processor, input, scope);
    scope.event('ExecutionSucceeded');
    return out;
  } catch (e) {
    const err = asStatesError(e);
    scope.event(parent.signal.aborted ? 'ExecutionAborted' : 'ExecutionFailed', undefined, {
      error: err.error,
      cause: err.causeText,
    });
    if (parent.signal.aborted) throw e;
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `the Map Run of state '${s.name}' failed: item ${index} failed with ${err.error}: ${err.causeText}`,
    );
  }
}

function itemsAt(s: MapState, input: Json): readonly Json[] {
  const items = s.itemsPath ? mustRead(s.itemsPath, input, null, 'ItemsPath') : input;
  if (!Array.isArray(items))
    throw runtimeError(`the ItemsPath '${s.itemsPath?.text ?? '$'}' of state '${s.name}' does not select an array`);
  return items;
}

/** ItemReader: the handler returns the object's body; with InputType JSON it must hold an array. */
async function readItems(s: MapState, input: Json, context: Json, scope: Scope): Promise<readonly Json[]> {
  const reader = s.itemReader!;
  const params = evalTemplate(reader.parameters, input, context);
  let items: unknown;
  try {
    const body = await scope.invoke(reader.resource, params, s.name);
    if (typeof body !== 'string') throw new Error(`the reader returned ${typeof body}, not the object's text`);
    items = JSON.parse(body);
  } catch (e) {
    scope.throwIfAborted();
    const err = asStatesError(e);
    throw new StatesError(
      'States.ItemReaderFailed',
      `state '${s.name}' could not read ${JSON.stringify(params)}: ${err.message}`,
    );
  }
  if (!Array.isArray(items))
    throw new StatesError(
      'States.ItemReaderFailed',
      `state '${s.name}': ${JSON.stringify(params)} does not hold a JSON array`,
    );
  return items as Json[];
}

function concurrency(s: MapState, input: Json): number {
  if (typeof s.maxConcurrency === 'number') return s.maxConcurrency;
  const v = mustRead(s.maxConcurrency, input, null, 'MaxConcurrencyPath');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw runtimeError(
      `MaxConcurrencyPath '${s.maxConcurrency.text}' of state '${s.name}' is ${JSON.stringify(v)}, not an integer ≥ 0`,
    );
  return v;
}

/**
 * Run `fn` over the items, at most `limit` at once, results in item order. On the first
 * failure no new item starts, the others' signal aborts, and the failure is rethrown once
 * every started item has ended.
 */
async function forEachLimited(
  items: readonly Json[],
  limit: number,
  parent: AbortSignal,
  fn: (item: Json, index: number, signal: AbortSignal) => Promise<Json>,
): Promise<Json[]> {
  const stop = new AbortController();
  const signal = AbortSignal.any([parent, stop.signal]);
  setMaxListeners(0, signal); // every running item's Task listens to it
  const results: Json[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure && !signal.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i, signal);
      } catch (e) {
        failure ??= { error: e };
        stop.abort(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
  if (failure) throw failure.error;
  if (parent.aborted) throw aborted(parent);
  return results;
}
