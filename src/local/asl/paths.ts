/**
 * Reference paths and payload templates: `$.a.b` reads the state's input, `$$.a.b` the context
 * object; ResultPath writes a result into a copy of the input; Parameters-like templates build
 * a payload from fields whose names end in `.$`. Only plain dotted field paths are supported.
 */
import { definitionError, runtimeError, StatesError } from './errors.js';
import type { Json, JsonObject, Path, Template } from './types.js';

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Context fields a path may read; `*` allows any field below (inputs and items are data). */
const CONTEXT_FIELDS: Record<string, Record<string, '*' | true | Record<string, '*' | true>>> = {
  Execution: { Id: true, Name: true, StartTime: true, Input: '*', RoleArn: true },
  StateMachine: { Id: true, Name: true },
  State: { Name: true, EnteredTime: true, RetryCount: true },
  Map: { Item: { Index: true, Value: '*' } },
};

export const ROOT: Path = { text: '$', context: false, segments: [] };

export interface PathRules {
  /** Whether `$$…` context paths are allowed (not in ResultPath, ItemsPath and the like). */
  readonly context: boolean;
  /** Whether `$$.Map.Item…` is allowed (only in a Map's ItemSelector). */
  readonly mapItem?: boolean;
}

/** Parse a reference path, rejecting every form but `$`, `$.f.g` and `$$.f.g`. */
export function parsePath(text: unknown, where: string, rules: PathRules): Path {
  if (typeof text !== 'string') throw definitionError(where, `expected a path string, got ${JSON.stringify(text)}`);
  if (/^States\.[A-Za-z]+\(/.test(text))
    throw definitionError(where, `intrinsic function '${text}' is not supported by the local interpreter`);
  const context = text.startsWith('$$');
  const rest = context ? text.slice(2) : text.startsWith('$') ? text.slice(1) : undefined;
  const segments = rest === undefined || rest === '' ? [] : rest.startsWith('.') ? rest.slice(1).split('.') : [''];
  if (rest === undefined || !segments.every((s) => FIELD.test(s)))
    throw definitionError(
      where,
      `path '${text}' is not supported by the local interpreter: use '$', '$.field.field' or '$$.field.field'`,
    );
  if (context) {
    if (!rules.context) throw definitionError(where, `context path '${text}' is not allowed here`);
    checkContextPath(text, segments, where, rules.mapItem ?? false);
  }
  return { text, context, segments };
}

function checkContextPath(text: string, segments: readonly string[], where: string, mapItem: boolean): void {
  let allowed: '*' | true | Record<string, unknown> = CONTEXT_FIELDS;
  for (const s of segments) {
    if (allowed === '*') return;
    if (allowed === true || !(s in allowed))
      throw definitionError(where, `context path '${text}' names no context field the local interpreter provides`);
    allowed = (allowed as Record<string, '*' | true | Record<string, unknown>>)[s]!;
  }
  if (segments[0] === 'Map' && !mapItem)
    throw definitionError(where, `context path '${text}' is only available in a Map state's ItemSelector`);
}

/** The value at a path, or `found: false` when a field along it is missing. */
export function readPath(path: Path, input: Json, context: Json): { found: boolean; value: Json } {
  let v: Json = path.context ? context : input;
  for (const s of path.segments) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !(s in v)) return { found: false, value: null };
    v = (v as JsonObject)[s]!;
  }
  return { found: true, value: v };
}

/** Read a path that must resolve (else `States.Runtime`, as Step Functions fails the execution). */
export function mustRead(path: Path, input: Json, context: Json, field: string): Json {
  const r = readPath(path, input, context);
  if (!r.found)
    throw runtimeError(
      `the path '${path.text}' of field '${field}' could not be found in ${preview(path.context ? context : input)}`,
    );
  return r.value;
}

/** Apply ResultPath: the result replaces the input (`$`), goes into a copy of it, or is discarded (null). */
export function applyResultPath(input: Json, result: Json, path: Path | null): Json {
  if (path === null) return input;
  if (path.segments.length === 0) return result;
  const put = (target: Json, i: number): Json => {
    if (target === null || typeof target !== 'object' || Array.isArray(target))
      throw new StatesError(
        'States.ResultPathMatchFailure',
        `ResultPath '${path.text}' cannot be applied to ${preview(target)}: not an object`,
      );
    const key = path.segments[i]!;
    const child =
      i + 1 === path.segments.length ? result : put(key in target ? (target as JsonObject)[key]! : {}, i + 1);
    return { ...(target as JsonObject), [key]: child };
  };
  return put(input, 0);
}

/** Compile a template: fields named `x.$` hold paths; everything else is literal JSON. */
export function compileTemplate(raw: unknown, where: string, rules: PathRules): Template {
  if (Array.isArray(raw))
    return { kind: 'array', items: raw.map((v, i) => compileTemplate(v, `${where}[${i}]`, rules)) };
  if (raw !== null && typeof raw === 'object') {
    const fields: (readonly [string, Template])[] = [];
    for (const [k, v] of Object.entries(raw)) {
      if (k.endsWith('.$')) fields.push([k.slice(0, -2), { kind: 'path', path: parsePath(v, `${where}.${k}`, rules) }]);
      else fields.push([k, compileTemplate(v, `${where}.${k}`, rules)]);
    }
    const names = fields.map(([k]) => k);
    const dup = names.find((k, i) => names.indexOf(k) !== i);
    if (dup !== undefined) throw definitionError(where, `field '${dup}' is given both as '${dup}' and '${dup}.$'`);
    return { kind: 'object', fields };
  }
  if (raw === undefined || typeof raw === 'function' || typeof raw === 'symbol' || typeof raw === 'bigint')
    throw definitionError(where, `not a JSON value: ${String(raw)}`);
  return { kind: 'value', value: raw as Json };
}

/** Build a payload from a template over a state's input and the context object. */
export function evalTemplate(t: Template, input: Json, context: Json, field = ''): Json {
  switch (t.kind) {
    case 'value':
      return t.value;
    case 'path':
      return mustRead(t.path, input, context, `${field}.$`);
    case 'array':
      return t.items.map((item) => evalTemplate(item, input, context, field));
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [k, v] of t.fields) out[k] = evalTemplate(v, input, context, k);
      return out;
    }
    default: {
      const never: never = t;
      throw new Error(`unknown template ${JSON.stringify(never)}`);
    }
  }
}

function preview(v: Json): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
