/**
 * CSV tokenizer: records of fields from text, RFC 4180 quoting plus Spark's escape character.
 * A field equal to `nullValue` is null unless it was quoted (`""` stays an empty string with the
 * default null value). Without `multiLine` a record ends at its line's end: a quote left open
 * there makes the record malformed (Spark's behaviour); with it, quoted fields span lines. Blank
 * lines are skipped. Hand-written: csv-parse measured ~8× slower here (docs/csv-json.md).
 */

export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly nullValue: string;
  readonly multiLine: boolean;
}

/** Records parsed from a text: fields, where each record starts and ends, and why one is malformed. */
export interface CsvRecords {
  /** The fields of every record, one after another (few allocations: one array per call). */
  readonly cells: (string | null)[];
  /** Record k's fields are cells[bounds[k]] up to cells[bounds[k + 1]]. */
  readonly bounds: number[];
  /** Character offsets of each record's first character and of its end (before the line break). */
  readonly starts: number[];
  readonly ends: number[];
  /** Per record: null, or why it could not be tokenized. */
  readonly errors: (string | null)[];
}

/**
 * Tokenize `text` from character `from`, stopping after `limit` records (the caller resumes at
 * the returned `next`).
 */
export function parseCsv(text: string, d: CsvDialect, from = 0, limit = Infinity): CsvRecords & { next: number } {
  const D = d.delimiter.charCodeAt(0);
  const Q = d.quote.charCodeAt(0);
  const E = d.escape.charCodeAt(0);
  const n = text.length;
  const out: CsvRecords = { cells: [], bounds: [0], starts: [], ends: [], errors: [] };
  const row = out.cells;
  /** The end of an unquoted stretch: the next delimiter or line break. */
  const fieldEnd = (from: number): number => {
    let k = from;
    for (; k < n; k++) {
      const ch = text.charCodeAt(k);
      if (ch === D || ch === 10 || ch === 13) break;
    }
    return k;
  };
  let i = from;
  while (i < n && out.starts.length < limit) {
    // Blank lines hold no record.
    const c0 = text.charCodeAt(i);
    if (c0 === 10) {
      i++;
      continue;
    }
    if (c0 === 13 && (i + 1 === n || text.charCodeAt(i + 1) === 10)) {
      i += 2;
      continue;
    }
    const start = i;
    let error: string | null = null;
    let c = 0;
    for (;;) {
      c = i < n ? text.charCodeAt(i) : -1;
      if (c === Q) {
        i++;
        let value = '';
        let seg = i;
        let closed = false;
        while (i < n) {
          const k = text.charCodeAt(i);
          if (k === E && E !== Q && i + 1 < n && (text.charCodeAt(i + 1) === Q || text.charCodeAt(i + 1) === E)) {
            value += text.slice(seg, i);
            seg = i + 1;
            i += 2;
          } else if (k === Q) {
            if (i + 1 < n && text.charCodeAt(i + 1) === Q) {
              value += text.slice(seg, i + 1);
              i += 2;
              seg = i;
            } else {
              value += text.slice(seg, i);
              i++;
              closed = true;
              break;
            }
          } else if (k === 10 && !d.multiLine) break;
          else i++;
        }
        if (!closed) {
          if (seg < i) value += text.slice(seg, i);
          error = 'a quoted field is not closed before the end of the line';
          if (!d.multiLine) {
            // The record is the rest of the line.
            if (i > start && text.charCodeAt(i - 1) === 13) value = value.slice(0, -1);
          }
        }
        // Text between a closing quote and the delimiter is kept, as most readers do.
        const after = i;
        i = fieldEnd(i);
        if (i > after) value += text.slice(after, i);
        row.push(value);
        c = i < n ? text.charCodeAt(i) : -1;
      } else {
        const s = i;
        for (;;) {
          i = fieldEnd(i);
          c = i < n ? text.charCodeAt(i) : -1;
          // A lone carriage return inside an unquoted field is data.
          if (i + 1 < n && c === 13 && text.charCodeAt(i + 1) !== 10) i++;
          else break;
        }
        if (i === n) c = -1;
        const value = text.slice(s, i);
        row.push(value === d.nullValue ? null : value);
      }
      if (c === D) {
        i++;
        continue;
      }
      break;
    }
    out.bounds.push(row.length);
    out.starts.push(start);
    out.ends.push(i);
    out.errors.push(error);
    if (i < n && text.charCodeAt(i) === 13) i++;
    if (i < n && text.charCodeAt(i) === 10) i++;
  }
  return { ...out, next: i };
}
