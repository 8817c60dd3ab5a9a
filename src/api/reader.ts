/**
 * `session.read`: Spark's DataFrameReader — immutable read settings (format and options, Spark's
 * names) that end in a scan of Parquet, CSV or NDJSON files.
 */
import { PlanError } from '../../planner/errors.js';
import { scan } from '../../planner/plan.js';
import type { Schema } from '../../planner/types.js';
import { normalizeDataUrl } from '../storage/url.js';
import { DataFrame } from './dataframe.js';
import type { Session } from './session.js';
import { TEXT_READ_OPTIONS, type TextOptionValue, textReadOptions } from './textOptions.js';

/** Options of `read.parquet`: `mergeSchema` merges the files' schemas by name (missing columns are nulls, int32 widens to int64). */
export interface ReadOptions {
  readonly mergeSchema?: boolean;
}

/** Options of `read.csv` / `read.json` (Spark's names, any case): see docs/csv-json.md. */
export interface TextReadOptionBag {
  readonly header?: boolean | string;
  readonly sep?: string;
  readonly delimiter?: string;
  readonly quote?: string;
  readonly escape?: string;
  readonly nullValue?: string;
  readonly inferSchema?: boolean | string;
  /** A DDL string (`'id INT, price DECIMAL(10,2)'`) or a list of fields. */
  readonly schema?: string | Schema;
  readonly dateFormat?: string;
  readonly timestampFormat?: string;
  readonly mode?: 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST' | string;
  readonly columnNameOfCorruptRecord?: string;
  readonly multiLine?: boolean | string;
  /** Byte-range granularity of splitting a file into tasks (default 8 MiB). */
  readonly splitBytes?: number;
  readonly [option: string]: TextOptionValue | undefined;
}

/** The formats `read.format(...)` names. */
export type ReadFormat = 'parquet' | 'csv' | 'json';

const READ_OPTIONS: readonly string[] = ['mergeSchema', ...TEXT_READ_OPTIONS];

/** Immutable reader settings, as Spark's `DataFrameReader`. */
export class DataFrameReader {
  constructor(
    private readonly session: Session,
    private readonly settings: Readonly<Record<string, TextOptionValue>> = {},
    private readonly fmt: ReadFormat = 'parquet',
  ) {
    Object.freeze(this);
  }
  /**
   * One read option (Spark's names). @example s.read.option('mergeSchema', true).parquet('events/')
   * @example s.read.option('header', true).option('inferSchema', true).csv('data/people.csv')
   */
  option(name: string, value: TextOptionValue): DataFrameReader {
    return this.options({ [name]: value });
  }
  /** Several read options at once. @example s.read.options({ mergeSchema: true }).parquet('events/') */
  options(opts: Readonly<Record<string, TextOptionValue>>): DataFrameReader {
    const next: Record<string, TextOptionValue> = { ...this.settings };
    for (const [name, value] of Object.entries(opts)) {
      if (!READ_OPTIONS.some((o) => o.toLowerCase() === name.toLowerCase()))
        throw new PlanError(
          'BAD_ARGUMENT',
          `unknown read option '${name}'; read options are ${READ_OPTIONS.join(', ')}`,
          {
            option: name,
          },
        );
      if (name === 'mergeSchema') {
        const b = value === true || value === 'true' ? true : value === false || value === 'false' ? false : null;
        if (b === null)
          throw new PlanError(
            'BAD_ARGUMENT',
            `read option '${name}' takes true or false, got ${JSON.stringify(value)}`,
            {
              option: name,
            },
          );
        next[name] = b;
      } else next[name] = value;
    }
    return new DataFrameReader(this.session, next, this.fmt);
  }
  /** The schema of a CSV / JSON read: a DDL string or fields. @example s.read.schema('id INT, name STRING').csv('people.csv') */
  schema(schema: string | Schema): DataFrameReader {
    return this.option('schema', schema);
  }
  /** The format `load` reads. @example s.read.format('csv').option('header', true).load('people.csv') */
  format(f: ReadFormat): DataFrameReader {
    if (!['parquet', 'csv', 'json'].includes(f))
      throw new PlanError('BAD_ARGUMENT', `unknown read format '${f}'; formats are parquet, csv, json`, { format: f });
    return new DataFrameReader(this.session, this.settings, f);
  }
  /** Read in the format set with `format` (Parquet by default). */
  load(p: string): DataFrame {
    return this[this.fmt](p);
  }
  /**
   * Read Parquet: a file, a directory of files or a glob. Files match by column name, in any
   * order. @example s.read.parquet('data/lineitem') @example s.read.parquet('events/', { mergeSchema: true })
   */
  parquet(p: string, opts: ReadOptions = {}): DataFrame {
    const settings = Object.keys(opts).length ? this.options(opts as Record<string, boolean>).settings : this.settings;
    const other = Object.keys(settings).find((k) => k !== 'mergeSchema');
    if (other)
      throw new PlanError(
        'BAD_ARGUMENT',
        `read option '${other}' is not a Parquet option (Parquet takes mergeSchema)`,
        {
          option: other,
        },
      );
    return new DataFrame(this.session, scan(normalizeDataUrl(p), settings as ReadOptions));
  }
  /**
   * Read CSV: a file, a directory or a glob. Large files split into byte-range tasks (unless
   * multiLine). @example s.read.csv('people.csv', { header: true, inferSchema: true })
   */
  csv(p: string, opts: TextReadOptionBag = {}): DataFrame {
    return this.text('csv', p, opts);
  }
  /** Read NDJSON (one JSON object per line). @example s.read.json('events.json', { schema: 'id BIGINT, at TIMESTAMP' }) */
  json(p: string, opts: TextReadOptionBag = {}): DataFrame {
    return this.text('json', p, opts);
  }
  private text(format: 'csv' | 'json', p: string, opts: TextReadOptionBag): DataFrame {
    const text = textReadOptions(format, { ...this.settings, ...opts }, this.session.timeZone);
    return new DataFrame(this.session, scan(normalizeDataUrl(p), { text }));
  }
}
