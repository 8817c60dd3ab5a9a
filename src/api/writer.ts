/**
 * `df.write`: Spark's DataFrameWriter — immutable settings (save mode, partition columns, format,
 * options) that end in a write job whose output is committed atomically.
 */
import { PlanError } from '../../planner/errors.js';
import { normalizeDataUrl } from '../storage/url.js';
import type { DataFrame } from './dataframe.js';
import { type TextOptionValue, textWriteOptions } from './textOptions.js';

export type SaveMode = 'errorIfExists' | 'overwrite' | 'append' | 'ignore';

/** Immutable writer settings; `parquet(path)` runs the job and commits its output atomically. */
export class DataFrameWriter {
  constructor(
    private readonly df: DataFrame,
    private readonly saveMode: SaveMode,
    private readonly partitionCols: readonly string[],
    private readonly fmt: 'parquet' | 'csv' | 'json' = 'parquet',
    private readonly settings: Readonly<Record<string, TextOptionValue>> = {},
  ) {
    Object.freeze(this);
  }
  private with(
    change: Partial<{ mode: SaveMode; cols: readonly string[]; fmt: 'parquet' | 'csv' | 'json'; settings: object }>,
  ) {
    return new DataFrameWriter(
      this.df,
      change.mode ?? this.saveMode,
      change.cols ?? this.partitionCols,
      change.fmt ?? this.fmt,
      (change.settings as Record<string, TextOptionValue>) ?? this.settings,
    );
  }
  mode(m: SaveMode | 'error' | 'errorifexists'): DataFrameWriter {
    const mode: SaveMode = m === 'error' || m === 'errorifexists' ? 'errorIfExists' : m;
    if (!['errorIfExists', 'overwrite', 'append', 'ignore'].includes(mode))
      throw new PlanError('BAD_ARGUMENT', `unknown save mode '${m}'; use errorIfExists, overwrite, append or ignore`);
    return this.with({ mode });
  }
  partitionBy(...cols: string[]): DataFrameWriter {
    return this.with({ cols });
  }
  /** The format `save` writes (Parquet by default). @example df.write.format('csv').option('header', true).save('out/') */
  format(f: 'parquet' | 'csv' | 'json'): DataFrameWriter {
    if (!['parquet', 'csv', 'json'].includes(f))
      throw new PlanError('BAD_ARGUMENT', `unknown write format '${f}'; formats are parquet, csv, json`, { format: f });
    return this.with({ fmt: f });
  }
  /** One writer option (CSV / NDJSON: Spark's names; checked when the format writes). */
  option(name: string, value: TextOptionValue): DataFrameWriter {
    return this.with({ settings: { ...this.settings, [name]: value } });
  }
  options(opts: Readonly<Record<string, TextOptionValue>>): DataFrameWriter {
    return this.with({ settings: { ...this.settings, ...opts } });
  }
  /** Write in the format set with `format`. */
  save(path: string): Promise<{ rows: number; files: number }> {
    return this.fmt === 'parquet' ? this.parquet(path) : this.text(this.fmt, path, {});
  }
  parquet(path: string): Promise<{ rows: number; files: number }> {
    const other = Object.keys(this.settings)[0];
    if (other !== undefined)
      throw new PlanError('BAD_ARGUMENT', `write option '${other}' is not a Parquet option`, { option: other });
    return this.df.session.write(this.df.plan, {
      kind: 'write',
      path: normalizeDataUrl(path),
      format: 'parquet',
      mode: this.saveMode,
      partitionBy: this.partitionCols,
    });
  }
  /**
   * Write CSV files (options: header, sep / delimiter, quote, escape, nullValue, dateFormat,
   * timestampFormat), committed as Parquet writes are. @example df.write.mode('overwrite').csv('out/', { header: true })
   */
  csv(path: string, opts: Readonly<Record<string, TextOptionValue>> = {}): Promise<{ rows: number; files: number }> {
    return this.text('csv', path, opts);
  }
  /** Write NDJSON files (one object per line; null fields left out). @example df.write.json('out/') */
  json(path: string, opts: Readonly<Record<string, TextOptionValue>> = {}): Promise<{ rows: number; files: number }> {
    return this.text('json', path, opts);
  }
  private text(format: 'csv' | 'json', path: string, opts: Readonly<Record<string, TextOptionValue>>) {
    return this.df.session.write(this.df.plan, {
      kind: 'write',
      path: normalizeDataUrl(path),
      format,
      text: textWriteOptions(format, { ...this.settings, ...opts }),
      mode: this.saveMode,
      partitionBy: this.partitionCols,
    });
  }
}
