/**
 * Loading a definition: every state, field and path is checked against the subset the local
 * interpreter runs, transitions must name states of the same scope, state names are unique
 * machine-wide and every state is reachable — as Step Functions validates on create.
 */
import { definitionError } from './errors.js';
import {
  catchers,
  integer,
  object,
  oneOf,
  onlyFields,
  optionalString,
  resultPath,
  retriers,
  rule,
  string,
  transition,
  type Obj,
} from './fields.js';
import { compileTemplate, parsePath } from './paths.js';
import type { ItemReader, Json, Machine, State, StateType } from './types.js';

/** The one ItemReader resource supported: a JSON array read from an object. */
const S3_GET_OBJECT = 'arn:aws:states:::s3:getObject';

const COMMON = ['Type', 'Comment'];
const FLOW = ['Next', 'End'];
const RECOVER = ['ResultPath', 'Retry', 'Catch'];

type Loader = (o: Obj, name: string, where: string, seen: Set<string>) => State;

const LOADERS: Record<StateType, Loader> = {
  Task(o, name, where) {
    onlyFields(o, where, [
      ...COMMON,
      ...FLOW,
      ...RECOVER,
      'Resource',
      'Parameters',
      'ResultSelector',
      'TimeoutSeconds',
    ]);
    return {
      type: 'Task',
      name,
      next: transition(o, where),
      resource: string(o, 'Resource', where),
      parameters: template(o.Parameters, `${where}.Parameters`),
      resultSelector: template(o.ResultSelector, `${where}.ResultSelector`),
      timeoutSeconds: integer(o, 'TimeoutSeconds', where, 1),
      resultPath: resultPath(o, where),
      retry: retriers(o.Retry, `${where}.Retry`),
      catch: catchers(o.Catch, `${where}.Catch`),
    };
  },

  Map(o, name, where, seen) {
    onlyFields(o, where, [
      ...COMMON,
      ...FLOW,
      ...RECOVER,
      'ItemsPath',
      'ItemReader',
      'ItemSelector',
      'MaxConcurrency',
      'MaxConcurrencyPath',
      'ItemProcessor',
    ]);
    const proc = object(o.ItemProcessor, `${where}.ItemProcessor`);
    onlyFields(proc, `${where}.ItemProcessor`, ['ProcessorConfig', 'StartAt', 'States', 'Comment']);
    const config = object(proc.ProcessorConfig ?? { Mode: 'INLINE' }, `${where}.ItemProcessor.ProcessorConfig`);
    const mode = config.Mode ?? 'INLINE';
    if (mode !== 'INLINE' && mode !== 'DISTRIBUTED')
      throw definitionError(
        where,
        `ProcessorConfig.Mode must be 'INLINE' or 'DISTRIBUTED', got ${JSON.stringify(mode)}`,
      );
    onlyFields(
      config,
      `${where}.ItemProcessor.ProcessorConfig`,
      mode === 'INLINE' ? ['Mode'] : ['Mode', 'ExecutionType'],
    );
    if (mode === 'DISTRIBUTED' && config.ExecutionType !== 'STANDARD' && config.ExecutionType !== 'EXPRESS')
      throw definitionError(where, `a DISTRIBUTED processor needs ExecutionType 'STANDARD' or 'EXPRESS'`);
    if (oneOf(o, 'ItemsPath', 'ItemReader', where, false) === 'b' && mode !== 'DISTRIBUTED')
      throw definitionError(where, `'ItemReader' needs ProcessorConfig.Mode 'DISTRIBUTED'`);
    const concurrency = oneOf(o, 'MaxConcurrency', 'MaxConcurrencyPath', where, false);
    return {
      type: 'Map',
      name,
      next: transition(o, where),
      mode,
      itemsPath:
        o.ItemsPath === undefined ? undefined : parsePath(o.ItemsPath, `${where}.ItemsPath`, { context: false }),
      itemReader: o.ItemReader === undefined ? undefined : itemReader(o.ItemReader, `${where}.ItemReader`),
      itemSelector:
        o.ItemSelector === undefined
          ? undefined
          : compileTemplate(object(o.ItemSelector, `${where}.ItemSelector`), `${where}.ItemSelector`, {
              context: true,
              mapItem: true,
            }),
      maxConcurrency:
        concurrency === 'b'
          ? parsePath(o.MaxConcurrencyPath, `${where}.MaxConcurrencyPath`, { context: false })
          : integer(o, 'MaxConcurrency', where, 0, 0)!,
      processor: machine(proc, `${where}.ItemProcessor`, seen),
      resultPath: resultPath(o, where),
      retry: retriers(o.Retry, `${where}.Retry`),
      catch: catchers(o.Catch, `${where}.Catch`),
    };
  },

  Choice(o, name, where) {
    onlyFields(o, where, [...COMMON, 'Choices', 'Default']);
    if (!Array.isArray(o.Choices) || o.Choices.length === 0)
      throw definitionError(where, `'Choices' must be a non-empty list`);
    const choices = o.Choices.map((raw, i) => {
      const at = `${where}.Choices[${i}]`;
      return { rule: rule(raw, at, true), next: string(object(raw, at), 'Next', at) };
    });
    return { type: 'Choice', name, choices, default: optionalString(o, 'Default', where) };
  },

  Wait(o, name, where) {
    onlyFields(o, where, [...COMMON, ...FLOW, 'Seconds', 'SecondsPath']);
    const which = oneOf(o, 'Seconds', 'SecondsPath', where, true);
    return {
      type: 'Wait',
      name,
      next: transition(o, where),
      seconds:
        which === 'a'
          ? integer(o, 'Seconds', where, 0)!
          : parsePath(o.SecondsPath, `${where}.SecondsPath`, { context: false }),
    };
  },

  Pass(o, name, where) {
    onlyFields(o, where, [...COMMON, ...FLOW, 'Parameters', 'Result', 'ResultPath']);
    oneOf(o, 'Parameters', 'Result', where, false);
    return {
      type: 'Pass',
      name,
      next: transition(o, where),
      parameters: template(o.Parameters, `${where}.Parameters`),
      // Result is literal JSON: no field of it is evaluated.
      result: o.Result === undefined ? undefined : (JSON.parse(JSON.stringify(o.Result)) as Json),
      resultPath: resultPath(o, where),
    };
  },

  Succeed(o, name, where) {
    onlyFields(o, where, COMMON);
    return { type: 'Succeed', name };
  },

  Fail(o, name, where) {
    onlyFields(o, where, [...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath']);
    const text = (field: 'Error' | 'Cause') =>
      oneOf(o, field, `${field}Path`, where, false) === 'b'
        ? parsePath(o[`${field}Path`], `${where}.${field}Path`, { context: true })
        : optionalString(o, field, where);
    return { type: 'Fail', name, error: text('Error'), cause: text('Cause') };
  },
};

/** Load and validate a state machine definition (the parsed ASL JSON). */
export function loadDefinition(definition: unknown): Machine {
  const o = object(definition, 'top level');
  onlyFields(o, 'top level', ['Comment', 'StartAt', 'States', 'Version']);
  if (o.Version !== undefined && o.Version !== '1.0')
    throw definitionError('top level', `unknown Version ${o.Version}`);
  return machine(o, 'top level', new Set());
}

function machine(o: Obj, where: string, seen: Set<string>): Machine {
  const startAt = string(o, 'StartAt', where);
  const raw = object(o.States, `${where}.States`);
  const states = new Map<string, State>();
  for (const [name, value] of Object.entries(raw)) {
    const at = `state '${name}'`;
    if (seen.has(name)) throw definitionError(at, `the state name is used twice in the machine`);
    seen.add(name);
    const s = object(value, at);
    const type = s.Type as StateType;
    if (typeof type !== 'string' || !Object.hasOwn(LOADERS, type))
      throw definitionError(
        at,
        `state type ${JSON.stringify(s.Type)} is not supported by the local interpreter (supported: ${Object.keys(LOADERS).join(', ')})`,
      );
    states.set(name, LOADERS[type](s, name, at, seen));
  }
  if (states.size === 0) throw definitionError(where, `'States' is empty`);
  checkTransitions(startAt, states, where);
  return { startAt, states };
}

function targets(s: State): string[] {
  switch (s.type) {
    case 'Task':
    case 'Map':
      return [...(s.next ? [s.next] : []), ...s.catch.map((c) => c.next)];
    case 'Choice':
      return [...s.choices.map((c) => c.next), ...(s.default ? [s.default] : [])];
    case 'Wait':
    case 'Pass':
      return s.next ? [s.next] : [];
    case 'Succeed':
    case 'Fail':
      return [];
    default: {
      const never: never = s;
      throw new Error(`unknown state ${JSON.stringify(never)}`);
    }
  }
}

/** Every transition names a state of this scope, and every state is reachable from StartAt. */
function checkTransitions(startAt: string, states: ReadonlyMap<string, State>, where: string): void {
  if (!states.has(startAt)) throw definitionError(where, `StartAt '${startAt}' names no state of this scope`);
  const reached = new Set([startAt]);
  const queue = [startAt];
  while (queue.length) {
    const s = states.get(queue.pop()!)!;
    for (const t of targets(s)) {
      if (!states.has(t))
        throw definitionError(`state '${s.name}'`, `transition to '${t}', which is no state of its scope`);
      if (!reached.has(t)) {
        reached.add(t);
        queue.push(t);
      }
    }
  }
  for (const name of states.keys())
    if (!reached.has(name)) throw definitionError(`state '${name}'`, `the state is not reachable from '${startAt}'`);
}

/** Parameters and ResultSelector: an object template that may read the context object. */
function template(raw: unknown, where: string) {
  return raw === undefined ? undefined : compileTemplate(object(raw, where), where, { context: true });
}

function itemReader(raw: unknown, where: string): ItemReader {
  const o = object(raw, where);
  onlyFields(o, where, ['Resource', 'ReaderConfig', 'Parameters']);
  const resource = string(o, 'Resource', where);
  if (resource !== S3_GET_OBJECT)
    throw definitionError(where, `ItemReader resource '${resource}' is not supported (only '${S3_GET_OBJECT}')`);
  const config = object(o.ReaderConfig, `${where}.ReaderConfig`);
  onlyFields(config, `${where}.ReaderConfig`, ['InputType']);
  if (config.InputType !== 'JSON')
    throw definitionError(
      where,
      `ReaderConfig.InputType ${JSON.stringify(config.InputType)} is not supported (only 'JSON')`,
    );
  const parameters = compileTemplate(object(o.Parameters, `${where}.Parameters`), `${where}.Parameters`, {
    context: true,
  });
  return { resource, parameters, inputType: 'JSON' };
}
