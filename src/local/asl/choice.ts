/**
 * Choice rules, evaluated as Step Functions does: And / Or short-circuit (so an `IsPresent`
 * guard protects the comparisons after it), a comparison against a value of another type is
 * false, and a comparison on a missing field is a `States.Runtime` error.
 */
import { mustRead, readPath } from './paths.js';
import type { Json, Rule } from './types.js';

export function evalRule(r: Rule, input: Json, context: Json): boolean {
  switch (r.kind) {
    case 'And':
      return r.rules.every((x) => evalRule(x, input, context));
    case 'Or':
      return r.rules.some((x) => evalRule(x, input, context));
    case 'Not':
      return !evalRule(r.rule, input, context);
    case 'IsPresent':
      return readPath(r.variable, input, context).found === r.expected;
    case 'Compare': {
      const v = mustRead(r.variable, input, context, 'Variable');
      return typeof v === typeof r.value && v === r.value;
    }
    default: {
      const never: never = r;
      throw new Error(`unknown rule ${JSON.stringify(never)}`);
    }
  }
}
