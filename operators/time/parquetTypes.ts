/**
 * Timestamp and time columns in Parquet footers: the TIMESTAMP / TIME logical types (and their
 * legacy converted types, and INT96), with the Arrow type the writer embedded under
 * `ARROW:schema` taking precedence — it keeps what Parquet cannot say (the zone's name, a
 * seconds unit). Footer statistics of timestamp columns are widened by a millisecond each way,
 * as the footer reader rounds them to milliseconds.
 */
import * as arrow from 'apache-arrow';
import type { DataType, TimeUnit } from '../../planner/types.js';
import { timestampInfo, timestampType, timeUnitOf, UNITS_PER_SECOND } from '../../planner/types.js';
import { temporalEngineType } from './arrowTypes.js';

/** The parts of a Parquet schema element this module reads. */
export interface TemporalElement {
  readonly type?: string;
  readonly name: string;
  readonly converted_type?: string;
  readonly logical_type?: { type?: string; isAdjustedToUTC?: boolean; unit?: string };
}

const UNITS: Readonly<Record<string, TimeUnit>> = { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' };

/** Arrow field types a writer embedded in the footer (`ARROW:schema`), by top-level column name. */
export function embeddedArrowTypes(
  kv: readonly { key: string; value?: string }[] | undefined,
): ReadonlyMap<string, arrow.DataType> {
  const entry = kv?.find((k) => k.key === 'ARROW:schema');
  if (!entry?.value) return new Map();
  try {
    const bytes = Uint8Array.from(Buffer.from(entry.value, 'base64'));
    const schema = arrow.tableFromIPC(bytes).schema;
    return new Map(schema.fields.map((f) => [f.name, f.type]));
  } catch {
    return new Map(); // an unreadable embedded schema: the Parquet types alone decide
  }
}

/** The engine type of a timestamp or time column; undefined for other columns. */
export function temporalElementType(e: TemporalElement, embedded: arrow.DataType | undefined): DataType | undefined {
  const fromArrow = embedded ? temporalEngineType(embedded) : undefined;
  const logical = e.logical_type;
  if (logical?.type === 'TIMESTAMP') {
    const unit = UNITS[logical.unit ?? ''] ?? 'us';
    return fromArrow ?? timestampType(unit, logical.isAdjustedToUTC ? 'UTC' : null);
  }
  if (logical?.type === 'TIME') return fromArrow ?? `time[${UNITS[logical.unit ?? ''] ?? 'us'}]`;
  switch (e.converted_type) {
    case 'TIMESTAMP_MILLIS':
      return fromArrow ?? timestampType('ms', 'UTC');
    case 'TIMESTAMP_MICROS':
      return fromArrow ?? timestampType('us', 'UTC');
    case 'TIME_MILLIS':
      return fromArrow ?? 'time[ms]';
    case 'TIME_MICROS':
      return fromArrow ?? 'time[us]';
  }
  if (e.type === 'INT96') return fromArrow ?? timestampType('ns'); // legacy Spark/Impala timestamps, read naive
  return fromArrow && e.type === 'INT64' ? fromArrow : undefined;
}

/**
 * Footer bounds of a temporal column in its unit, as numbers when exact: the footer reader gives
 * timestamps as Dates rounded to milliseconds, so each bound widens by one millisecond.
 */
export function temporalBound(v: unknown, type: DataType, side: 'min' | 'max'): number | null {
  const unit = timestampInfo(type)?.unit ?? timeUnitOf(type);
  if (!unit) return null;
  let x: number;
  if (v instanceof Date) {
    const ms = v.getTime() + (side === 'min' ? -1 : 1);
    x =
      unit === 's'
        ? side === 'min'
          ? Math.floor(ms / 1000)
          : Math.ceil(ms / 1000)
        : ms * (UNITS_PER_SECOND[unit] / 1000);
  } else if (typeof v === 'bigint' || typeof v === 'number') x = Number(v);
  else return null;
  return Number.isSafeInteger(x) ? x : null;
}
