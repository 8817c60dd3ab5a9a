/**
 * Which casts to and from timestamps and times exist (the analyzer refuses the others at plan
 * time, naming both types): timestamps of any unit and zone among themselves and with dates,
 * strings and numbers (seconds since the epoch, as Spark); times among themselves and with strings.
 */
import type { DataType } from './types.js';
import { isTime, isTimestamp } from './types.js';

export function castAllowed(from: DataType | 'null', to: DataType): boolean {
  if (from === 'null' || from === to) return true;
  if (isTimestamp(from) || isTimestamp(to)) {
    const other = isTimestamp(from) ? to : from;
    return isTimestamp(other) || ['date', 'string', 'int32', 'int64', 'float64'].includes(other);
  }
  if (isTime(from) || isTime(to)) {
    const other = isTime(from) ? to : from;
    return isTime(other) || other === 'string';
  }
  return true;
}
