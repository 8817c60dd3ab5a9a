/**
 * Scalar SQL functions by name for the expression translator: each maps its (translated)
 * arguments to the DSL function of src/api/functions.ts, checking how many it takes.
 */
import { PlanError } from '../../planner/errors.js';
import type { Column } from '../api/column.js';
import * as F from '../api/functions.js';
import { functionName } from './ast.js';
import { type Ast, at, positionOf } from './parse.js';

type Scalar = (args: Column[], node: Ast) => Column;
const arity =
  (n: number, f: (...a: Column[]) => Column): Scalar =>
  (args, node) => {
    if (args.length !== n)
      throw new PlanError(
        'SQL_BAD_CALL',
        `SQL: ${functionName(node)}() takes ${n} argument(s), got ${args.length}${at(positionOf(node))}`,
        { function: functionName(node) },
      );
    return f(...args);
  };

/** A function of `min`..`max` arguments (the rest take the DSL function's defaults). */
const arities =
  (min: number, max: number, f: (...a: Column[]) => Column): Scalar =>
  (args, node) => {
    if (args.length < min || args.length > max)
      throw new PlanError(
        'SQL_BAD_CALL',
        `SQL: ${functionName(node)}() takes ${min} to ${max} arguments, got ${args.length}${at(positionOf(node))}`,
        { function: functionName(node) },
      );
    return f(...args);
  };

/** Scalar functions by SQL name. */
export const SCALARS: Readonly<Record<string, Scalar>> = {
  substring: (a, node) => {
    if (a.length !== 2 && a.length !== 3)
      throw new PlanError('SQL_BAD_CALL', `SQL: substring() takes 2 or 3 arguments${at(positionOf(node))}`);
    return a[0]!.substr(a[1]!, a[2] ?? F.lit(2 ** 31 - 1));
  },
  substr: (a, node) => SCALARS.substring!(a, node),
  size: arity(1, F.size),
  cardinality: arity(1, F.size),
  array_contains: arity(2, F.array_contains),
  upper: arity(1, F.upper),
  lower: arity(1, F.lower),
  trim: arity(1, F.trim),
  length: arity(1, F.length),
  char_length: arity(1, F.length),
  abs: arity(1, F.abs),
  year: arity(1, F.year),
  month: arity(1, F.month),
  day: arity(1, F.dayofmonth),
  round: (a, node) => {
    const scale = a[1]?.expr;
    if (a.length === 1) return F.round(a[0]!);
    if (a.length === 2 && scale?.kind === 'lit' && typeof scale.value === 'number') return F.round(a[0]!, scale.value);
    throw new PlanError('SQL_BAD_CALL', `SQL: round() takes a value and a constant scale${at(positionOf(node))}`);
  },
  regexp_extract: arities(2, 3, (s, p, i) => F.regexp_extract(s!, p!, i)),
  regexp_extract_all: arities(2, 3, (s, p, i) => F.regexp_extract_all(s!, p!, i)),
  regexp_replace: arities(3, 4, (s, p, r, i) => F.regexp_replace(s!, p!, r!, i)),
  split: arities(2, 3, (s, p, n) => F.split(s!, p!, n)),
  rlike: arity(2, F.rlike),
  regexp_like: arity(2, F.rlike),
  regexp: arity(2, F.rlike),
  replace: arities(2, 3, (s, a, b) => F.replace(s!, a!, b)),
  lpad: arities(2, 3, (s, n, p) => F.lpad(s!, n!, p)),
  rpad: arities(2, 3, (s, n, p) => F.rpad(s!, n!, p)),
  instr: arity(2, F.instr),
  locate: arities(2, 3, (a, s, p) => F.locate(a!, s!, p)),
  initcap: arity(1, F.initcap),
  translate: arity(3, F.translate),
  coalesce: (a) => F.coalesce(...a),
  concat: (a) => F.concat(...a),
  greatest: (a) => F.greatest(...a),
  least: (a) => F.least(...a),
  grouping: arity(1, F.grouping),
  grouping_id: (a) => F.grouping_id(...a),
};
