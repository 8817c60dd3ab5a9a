/**
 * Timestamp, date and time literals as the time binding converts them: a literal read as a count
 * of another type's unit in the session zone, whether it converts without loss (then the literal,
 * not the column, changes type and footer statistics still prune), and the canonical literal of
 * a value.
 */
import { PlanError } from './errors.js';
import { type Expr, type ExprOf, lit } from './expr.js';
import {
  convertUnit,
  floorDiv,
  parseTimestampText,
  timeLiteral,
  timestampLiteral,
  timeText,
  UNITS_BIG,
  wallText,
  wallToUnits,
} from './time.js';
import { localToEpoch, offsetFn } from './timezones.js';
import { type DataType, dateToDays, timestampInfo, timeUnitOf } from './types.js';

/** A literal of a timestamp or time type, in its canonical text (instants in UTC with 'Z'). */
export function temporalLit(v: bigint, type: DataType): Expr {
  const ts = timestampInfo(type);
  if (ts) return lit(`${wallText(v, ts.unit)}${ts.zone === null ? '' : 'Z'}`, type);
  return lit(timeText(v, type), type);
}

/** A literal's value as a count of `to`'s unit, read in the session zone; null when it is not one. */
export function literalValue(e: ExprOf<'lit'>, to: DataType, zone: string): bigint | null {
  if (e.value === null) return null;
  const ts = timestampInfo(to);
  if (e.type === 'string') {
    const text = String(e.value);
    if (timeUnitOf(to)) return timeLiteral(text, to);
    const w = parseTimestampText(text);
    if (!w || !ts) throw badLiteral(text, to);
    if (ts.zone === null) return wallToUnits(w, ts.unit); // a naive timestamp reads the wall clock (an offset is ignored, as Spark)
    return timestampLiteral(text, to, zone);
  }
  if (e.type === 'date' && ts) {
    const wall = dateToDays(String(e.value)) * 86400;
    const s = ts.zone === null ? wall : localToEpoch(wall, offsetFn(zone));
    return BigInt(s) * UNITS_BIG[ts.unit];
  }
  const from = timestampInfo(e.type);
  if (from && ts) {
    let v = timestampLiteral(String(e.value), e.type, 'UTC');
    if ((from.zone === null) !== (ts.zone === null)) {
      const seconds = Number(floorDiv(v, UNITS_BIG[from.unit]));
      const sub = v - BigInt(seconds) * UNITS_BIG[from.unit];
      const off = offsetFn(zone);
      const moved = from.zone === null ? localToEpoch(seconds, off) : seconds + off(seconds);
      v = BigInt(moved) * UNITS_BIG[from.unit] + sub;
    }
    return convertUnit(v, from.unit, ts.unit);
  }
  const fromTime = timeUnitOf(e.type);
  const toTime = timeUnitOf(to);
  if (fromTime && toTime) return convertUnit(timeLiteral(String(e.value), e.type), fromTime, toTime);
  return null;
}

const badLiteral = (text: string, type: string) =>
  new PlanError('BAD_TIMESTAMP_LITERAL', `'${text}' is not a ${type} literal`, { literal: text, type });

/** Whether a literal converts to `to` without losing anything (so it, not the column, changes type). */
export function convertsExactly(e: Expr, to: DataType, zone: string): boolean {
  if (e.kind !== 'lit' || e.value === null || e.type === 'null') return false;
  const v = literalValue(e, to, zone);
  if (v === null) return false;
  const back = timestampInfo(e.type)?.unit ?? timeUnitOf(e.type);
  const unit = timestampInfo(to)?.unit ?? timeUnitOf(to)!;
  return !back || convertUnit(convertUnit(v, unit, back), back, unit) === v;
}
