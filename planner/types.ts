/**
 * Data types and schemas shared by the planner and the operators.
 *
 * The engine has a small set of logical types. `int64` values are exact over their whole range
 * (BigInt64Array inside the engine, Arrow Int64 at the edges).
 */
import { PlanError } from './errors.js';

export type DataType = 'bool' | 'int32' | 'int64' | 'float64' | 'string' | 'date';

export const DATA_TYPES: readonly DataType[] = ['bool', 'int32', 'int64', 'float64', 'string', 'date'];

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export type Schema = readonly Field[];

export function field(name: string, type: DataType, nullable = true): Field {
  return Object.freeze({ name, type, nullable });
}

export function isNumeric(t: DataType): boolean {
  return t === 'int32' || t === 'int64' || t === 'float64';
}

/** The type two numeric operands are widened to. */
export function widen(a: DataType, b: DataType): DataType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'int64' || b === 'int64') return 'int64';
  return 'int32';
}

/** Days since 1970-01-01 for an ISO date `YYYY-MM-DD`; a plan error naming the literal otherwise. */
export function dateToDays(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw badDate(iso, 'expected YYYY-MM-DD');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) throw badDate(iso, `month ${month} does not exist`);
  const ms = Date.UTC(year, month - 1, day);
  if (day < 1 || new Date(ms).getUTCDate() !== day) throw badDate(iso, `day ${day} does not exist in ${m[1]}-${m[2]}`);
  return Math.round(ms / 86_400_000);
}

const badDate = (iso: string, why: string) =>
  new PlanError('BAD_DATE_LITERAL', `invalid date literal '${iso}': ${why}`, { literal: iso });

export function daysToDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}
