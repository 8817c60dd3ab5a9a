/**
 * SQL literals and types for the expression translator: number literals typed as Spark types
 * them, INTERVAL units, and the type names CAST accepts.
 */
import { PlanError } from '../../planner/errors.js';
import type { Column } from '../api/column.js';
import * as F from '../api/functions.js';
import { interval } from '../api/interval.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';

/**
 * A number literal, typed as Spark types it: integers int32 (int64, then decimal, past their
 * range), decimals exactly as decimal(p,s) from their digits (`0.0001` is decimal(4,4)),
 * exponent forms float64.
 */
export function numberLiteral(v: number | string, node: Ast): Column {
  const text = String(v);
  if (/^-?\d+$/.test(text)) {
    const b = BigInt(text);
    if (b >= -(2n ** 31n) && b < 2n ** 31n) return F.lit(Number(b));
    if (BigInt.asIntN(64, b) === b) return F.lit(b);
  }
  const m = /^-?(\d*)(?:\.(\d*))?$/.exec(text);
  if (m) {
    const int = m[1]!.replace(/^0+/, '');
    const frac = m[2] ?? '';
    const scale = frac.length;
    const precision = Math.max(int.length + scale, scale, 1);
    if (precision > 38)
      throw new PlanError('SQL_BAD_LITERAL', `SQL: number '${text}' has more than 38 digits${at(positionOf(node))}`);
    return F.lit(text).cast(`decimal(${precision},${scale})` as never);
  }
  const x = Number(text);
  if (!Number.isFinite(x)) throw new PlanError('SQL_BAD_LITERAL', `SQL: bad number '${text}'${at(positionOf(node))}`);
  return F.lit(x);
}

const INTERVAL_UNITS: Readonly<
  Record<string, 'years' | 'months' | 'days' | 'weeks' | 'hours' | 'minutes' | 'seconds'>
> = {
  year: 'years',
  years: 'years',
  month: 'months',
  months: 'months',
  day: 'days',
  days: 'days',
  week: 'weeks',
  weeks: 'weeks',
  hour: 'hours',
  hours: 'hours',
  minute: 'minutes',
  minutes: 'minutes',
  second: 'seconds',
  seconds: 'seconds',
};

/** An INTERVAL literal as the DSL's interval (a whole number of one unit). */
export function intervalOf(node: Ast) {
  const unit = INTERVAL_UNITS[String(node.unit).toLowerCase()];
  const n = Number(node.expr?.value);
  if (!unit || !Number.isInteger(n)) throw unsupported(`INTERVAL '${node.expr?.value}' ${node.unit}`, node);
  return interval({ [unit]: n });
}

const CAST_TYPES: Readonly<Record<string, string>> = {
  int: 'int32',
  integer: 'int32',
  tinyint: 'int8',
  byte: 'int8',
  smallint: 'int16',
  short: 'int16',
  bigint: 'int64',
  long: 'int64',
  double: 'float64',
  'double precision': 'float64',
  float: 'float32',
  real: 'float32',
  varchar: 'string',
  text: 'string',
  char: 'string',
  string: 'string',
  date: 'date',
  boolean: 'bool',
  bool: 'bool',
  timestamp: 'timestamp',
};

/** The type a CAST node names (`decimal(p,s)` with its precision and scale), refused if unknown. */
export function castType(node: Ast): string {
  const target = Array.isArray(node.target) ? node.target[0] : node.target;
  const name = String(target?.dataType ?? '').toLowerCase();
  if (name === 'decimal' || name === 'numeric') {
    const p = Number(target.length ?? 38);
    const s = Number(target.scale ?? 0);
    return `decimal(${p},${s})`;
  }
  const to = CAST_TYPES[name];
  if (!to) throw unsupported(`CAST to ${name || 'an unknown type'}`, node);
  return to;
}
