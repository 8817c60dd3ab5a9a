/**
 * Strict readers for definition fields: every object is checked against the fields the
 * interpreter supports (an unknown field is an error, never ignored), and Retry, Catch and
 * Choice rules are loaded into their tagged forms.
 */
import { definitionError } from './errors.js';
import { parsePath, ROOT } from './paths.js';
import type { Catcher, Comparison, Json, Path, Retrier, Rule } from './types.js';

export type Obj = Readonly<Record<string, unknown>>;

export function object(v: unknown, where: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw definitionError(where, `expected an object, got ${JSON.stringify(v)}`);
  return v as Obj;
}

/** Reject any field not in `allowed`, naming it and the supported ones. */
export function onlyFields(o: Obj, where: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw definitionError(
        where,
        `field '${k}' is not supported by the local interpreter (supported here: ${allowed.join(', ')})`,
      );
}

export function string(o: Obj, field: string, where: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') throw definitionError(where, `'${field}' must be a non-empty string`);
  return v;
}

export function optionalString(o: Obj, field: string, where: string): string | undefined {
  return o[field] === undefined ? undefined : string(o, field, where);
}

/** An integer field in [min, ∞), or `fallback` when absent. */
export function integer(o: Obj, field: string, where: string, min: number, fallback?: number): number | undefined {
  const v = o[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw definitionError(where, `'${field}' must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** At most one of two alternative fields (e.g. Seconds / SecondsPath). */
export function oneOf(o: Obj, a: string, b: string, where: string, required: boolean): 'a' | 'b' | undefined {
  if (o[a] !== undefined && o[b] !== undefined) throw definitionError(where, `give '${a}' or '${b}', not both`);
  if (o[a] !== undefined) return 'a';
  if (o[b] !== undefined) return 'b';
  if (required) throw definitionError(where, `one of '${a}' or '${b}' is required`);
  return undefined;
}

/** The next state, or undefined for `End: true`; exactly one must be given. */
export function transition(o: Obj, where: string): string | undefined {
  if (o.End !== undefined && o.End !== true) throw definitionError(where, `'End' must be true when given`);
  if (oneOf(o, 'Next', 'End', where, true) === 'a') return string(o, 'Next', where);
  return undefined;
}

/** ResultPath: `$` by default; null discards the result; only input paths. */
export function resultPath(o: Obj, where: string): Path | null {
  if (o.ResultPath === null) return null;
  if (o.ResultPath === undefined) return ROOT;
  return parsePath(o.ResultPath, `${where}.ResultPath`, { context: false });
}

function errorEquals(o: Obj, where: string): readonly string[] {
  const v = o.ErrorEquals;
  if (!Array.isArray(v) || v.length === 0 || !v.every((e) => typeof e === 'string' && e !== ''))
    throw definitionError(where, `'ErrorEquals' must be a non-empty list of error names`);
  if (v.includes('States.ALL') && v.length > 1)
    throw definitionError(where, `'States.ALL' must appear alone in 'ErrorEquals'`);
  return v as string[];
}

/** `States.ALL` may only be the last retrier or catcher. */
function allLast(list: readonly { errorEquals: readonly string[] }[], where: string): void {
  list.forEach((r, i) => {
    if (r.errorEquals.includes('States.ALL') && i !== list.length - 1)
      throw definitionError(`${where}[${i}]`, `a 'States.ALL' entry must be the last one`);
  });
}

export function retriers(v: unknown, where: string): readonly Retrier[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw definitionError(where, `'Retry' must be a list`);
  const out = v.map((raw, i): Retrier => {
    const at = `${where}[${i}]`;
    const o = object(raw, at);
    onlyFields(o, at, [
      'ErrorEquals',
      'IntervalSeconds',
      'MaxAttempts',
      'BackoffRate',
      'MaxDelaySeconds',
      'JitterStrategy',
      'Comment',
    ]);
    const backoffRate = o.BackoffRate ?? 2;
    if (typeof backoffRate !== 'number' || !(backoffRate >= 1))
      throw definitionError(at, `'BackoffRate' must be a number ≥ 1, got ${JSON.stringify(o.BackoffRate)}`);
    const jitter = o.JitterStrategy ?? 'NONE';
    if (jitter !== 'FULL' && jitter !== 'NONE')
      throw definitionError(at, `'JitterStrategy' must be 'FULL' or 'NONE', got ${JSON.stringify(jitter)}`);
    return {
      errorEquals: errorEquals(o, at),
      intervalSeconds: integer(o, 'IntervalSeconds', at, 1, 1)!,
      maxAttempts: integer(o, 'MaxAttempts', at, 0, 3)!,
      backoffRate,
      maxDelaySeconds: integer(o, 'MaxDelaySeconds', at, 1),
      jitter,
    };
  });
  allLast(out, where);
  return out;
}

export function catchers(v: unknown, where: string): readonly Catcher[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw definitionError(where, `'Catch' must be a list`);
  const out = v.map((raw, i): Catcher => {
    const at = `${where}[${i}]`;
    const o = object(raw, at);
    onlyFields(o, at, ['ErrorEquals', 'ResultPath', 'Next', 'Comment']);
    return { errorEquals: errorEquals(o, at), resultPath: resultPath(o, at), next: string(o, 'Next', at) };
  });
  allLast(out, where);
  return out;
}

const COMPARISONS: Record<Comparison, 'string' | 'boolean' | 'number'> = {
  StringEquals: 'string',
  BooleanEquals: 'boolean',
  NumericEquals: 'number',
};

/** A Choice rule; `top` rules carry `Next` (returned beside the rule), nested ones must not. */
export function rule(raw: unknown, where: string, top: boolean): Rule {
  const o = object(raw, where);
  const extra = top ? ['Next', 'Comment'] : ['Comment'];
  if (!top && o.Next !== undefined) throw definitionError(where, `a nested rule must not have 'Next'`);
  for (const op of ['And', 'Or'] as const)
    if (o[op] !== undefined) {
      onlyFields(o, where, [op, ...extra]);
      const list = o[op];
      if (!Array.isArray(list) || list.length === 0) throw definitionError(where, `'${op}' must be a non-empty list`);
      return { kind: op, rules: list.map((r, i) => rule(r, `${where}.${op}[${i}]`, false)) };
    }
  if (o.Not !== undefined) {
    onlyFields(o, where, ['Not', ...extra]);
    return { kind: 'Not', rule: rule(o.Not, `${where}.Not`, false) };
  }
  const ops = Object.keys(o).filter((k) => k !== 'Variable' && !extra.includes(k));
  if (ops.length !== 1)
    throw definitionError(
      where,
      `a rule needs 'Variable' and one comparison (supported: ${[...Object.keys(COMPARISONS), 'IsPresent', 'And', 'Or', 'Not'].join(', ')}), got ${ops.join(', ') || 'none'}`,
    );
  const op = ops[0]!;
  const variable = parsePath(o.Variable, `${where}.Variable`, { context: true });
  const value = o[op] as Json;
  if (op === 'IsPresent') {
    if (typeof value !== 'boolean') throw definitionError(where, `'IsPresent' must be true or false`);
    return { kind: 'IsPresent', variable, expected: value };
  }
  if (!(op in COMPARISONS))
    throw definitionError(
      where,
      `comparison '${op}' is not supported by the local interpreter (supported: ${Object.keys(COMPARISONS).join(', ')}, IsPresent)`,
    );
  if (typeof value !== COMPARISONS[op as Comparison])
    throw definitionError(where, `'${op}' needs a ${COMPARISONS[op as Comparison]}, got ${JSON.stringify(value)}`);
  return { kind: 'Compare', op: op as Comparison, variable, value };
}
