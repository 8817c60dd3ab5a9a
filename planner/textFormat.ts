/**
 * Text file formats (CSV and NDJSON): the normalized read and write options a plan carries
 * (plain JSON, Spark's option names), and how a text file is cut into byte ranges — the text
 * counterpart of Parquet row groups. A range owns every line that starts inside it: a task reads
 * from the first line start after its start offset to the end of the line that crosses its end
 * offset. `multiLine` files (quoted newlines, a JSON value over several lines) are one range.
 */
import type { Schema } from './types.js';

/** `arrow`: Arrow IPC files with a schema the plan carries (the session cache's copies, src/api/cache.ts). */
export type FileFormat = 'parquet' | 'csv' | 'json' | 'arrow';
export type TextFormat = Exclude<FileFormat, 'parquet' | 'arrow'>;

/** Spark's parse modes for malformed records. */
export type ParseMode = 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';
export const PARSE_MODES: readonly ParseMode[] = ['PERMISSIVE', 'DROPMALFORMED', 'FAILFAST'];

/** What reading and writing share: the format, the CSV dialect and the datetime patterns. */
export interface TextDialect {
  readonly format: TextFormat;
  /** CSV: the first line of each file names the columns (and is not data). */
  readonly header: boolean;
  readonly delimiter: string;
  readonly quote: string;
  /**
   * Inside a quoted field, this character before a quote makes it literal (a doubled quote
   * always does); a writer doubles quotes when it is the quote, else escapes them with it.
   */
  readonly escape: string;
  /** CSV: this text is null (default ''; a quoted empty field stays an empty string). */
  readonly nullValue: string;
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
}

export interface TextReadOptions extends TextDialect {
  /** CSV: infer types from a sample (else every column is a string); NDJSON always infers. */
  readonly inferSchema: boolean;
  /** A given schema (CSV: by position; NDJSON: by name); null = from the header or inference. */
  readonly schema: Schema | null;
  readonly mode: ParseMode;
  /** PERMISSIVE: a string column holding the raw text of each malformed record (null otherwise). */
  readonly columnNameOfCorruptRecord: string | null;
  /** Records may span lines (quoted newlines): each file is read whole, by one task. */
  readonly multiLine: boolean;
  /** Granularity of byte-range splitting (tasks pack ranges up to the job's task bytes). */
  readonly splitBytes: number;
  /** Session time zone for zoned timestamp columns without an offset in the text. */
  readonly timeZone: string;
}

export type TextWriteOptions = TextDialect;

export const DEFAULT_SPLIT_BYTES = 8 << 20;

/** A byte range [start, end) of a file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The byte ranges a text file splits into: `splitBytes` each, one for multiLine files. */
export function textRanges(size: number, opts: Pick<TextReadOptions, 'multiLine' | 'splitBytes'>): ByteRange[] {
  if (opts.multiLine || size <= opts.splitBytes) return [{ start: 0, end: size }];
  const out: ByteRange[] = [];
  for (let s = 0; s < size; s += opts.splitBytes) out.push({ start: s, end: Math.min(size, s + opts.splitBytes) });
  return out;
}

/** The byte range of chunk `index` (the "row group" a task names). */
export function textRange(size: number, index: number, opts: Pick<TextReadOptions, 'multiLine' | 'splitBytes'>) {
  if (opts.multiLine || size <= opts.splitBytes) return { start: 0, end: size };
  return { start: index * opts.splitBytes, end: Math.min(size, (index + 1) * opts.splitBytes) };
}

/** A file extension per format (written part files). */
export const FORMAT_EXTENSION: Readonly<Record<FileFormat, string>> = {
  parquet: 'parquet',
  csv: 'csv',
  json: 'json',
  arrow: 'arrow',
};
