/**
 * Records of a text slice, CSV or NDJSON, behind one shape: per record its structural error
 * (wrong field count, an unclosed quote, a line that is not a JSON object) and, per column of
 * the dataset, the texts a column converts from — with rows whose value had the wrong JSON kind.
 * textScan.ts turns them into typed batches; schema inference reads the same records.
 */
import type { TextReadOptions } from '../planner/textFormat.js';
import type { DataType, Field } from '../planner/types.js';
import { parseCsv } from './csvParse.js';
import { type JsonCell, jsonCell, type JsonKind, parseJsonLine } from './jsonLines.js';

export interface RecordChunk {
  readonly length: number;
  /** Per record: why it is malformed as a whole, or null. */
  readonly errors: readonly (string | null)[];
  /** Character offset of each record in the slice's text. */
  readonly starts: readonly number[];
  /** The record's own text (the corrupt-record column). */
  raw(i: number): string;
  /** Texts of the dataset column at `index` (CSV: position; NDJSON: name) and rows with a value of the wrong kind. */
  column(f: Field, index: number): { values: (string | null)[]; wrongKind: Uint8Array | null };
  /** NDJSON: names of the keys seen, in order of first appearance, and the cells of a key (inference). */
  readonly keys?: readonly string[];
  cells?(name: string): (JsonCell | null)[];
  /** CSV: the fields of each record (inference, the header). */
  readonly rows?: readonly (readonly (string | null)[])[];
}

/** JSON kinds a column of each type accepts. */
function acceptsKind(t: DataType, kind: JsonKind, text: string): boolean {
  if (t === 'string') return true;
  if (t === 'float64' && kind === 'string') return /^-?(NaN|Infinity)$/.test(text);
  if (t === 'bool') return kind === 'bool';
  if (t === 'int32' || t === 'int64' || t === 'float64' || t.startsWith('decimal')) return kind === 'number';
  return kind === 'string';
}

/**
 * Up to `limit` records from character `from`; `next` is where the following call resumes.
 * CSV records must have `width` fields (the dataset's columns) or are malformed. A `sample`
 * (schema inference) keeps the text of JSON numbers with a fraction (`1.0` is a double).
 */
export function readRecords(
  text: string,
  o: TextReadOptions,
  from: number,
  limit: number,
  width: number,
  sample = false,
): { chunk: RecordChunk; next: number } {
  return o.format === 'csv' ? csvRecords(text, o, from, limit, width) : jsonRecords(text, from, limit, sample);
}

function csvRecords(text: string, o: TextReadOptions, from: number, limit: number, width: number) {
  const r = parseCsv(text, o, from, limit);
  const { cells, bounds } = r;
  const n = r.starts.length;
  if (width >= 0)
    for (let k = 0; k < n; k++) {
      const w = bounds[k + 1]! - bounds[k]!;
      if (r.errors[k] === null && w !== width)
        r.errors[k] = `the record has ${w} field${w === 1 ? '' : 's'}, the schema ${width}`;
    }
  const chunk: RecordChunk = {
    length: n,
    errors: r.errors,
    starts: r.starts,
    raw: (i) => text.slice(r.starts[i], r.ends[i]),
    column: (_f, index) => {
      const values: (string | null)[] = new Array(n);
      for (let k = 0; k < n; k++) {
        const at = bounds[k]! + index;
        values[k] = at < bounds[k + 1]! ? cells[at]! : null;
      }
      return { values, wrongKind: null };
    },
    get rows() {
      return Array.from({ length: n }, (_, k) => cells.slice(bounds[k], bounds[k + 1]));
    },
  };
  return { chunk, next: r.next };
}

function jsonRecords(text: string, from: number, limit: number, sample: boolean): { chunk: RecordChunk; next: number } {
  const objects: (Record<string, unknown> | null)[] = [];
  const errors: (string | null)[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const keys = new Set<string>();
  let i = from;
  while (i < text.length && objects.length < limit) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = text.length;
    const end = nl > i && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const line = text.slice(i, end);
    if (line.trim() !== '') {
      const p = parseJsonLine(line, sample);
      starts.push(i);
      ends.push(end);
      if ('error' in p) {
        objects.push(null);
        errors.push(p.error);
      } else {
        objects.push(p.value);
        errors.push(null);
        for (const k of Object.keys(p.value)) keys.add(k);
      }
    }
    i = nl + 1;
  }
  const chunk: RecordChunk = {
    length: objects.length,
    errors,
    starts,
    keys: [...keys],
    cells: (name) => objects.map((x) => jsonCell(x?.[name])),
    raw: (k) => text.slice(starts[k], ends[k]),
    column: (f) => {
      const values: (string | null)[] = new Array(objects.length);
      let wrongKind: Uint8Array | null = null;
      for (let k = 0; k < objects.length; k++) {
        const cell = jsonCell(objects[k]?.[f.name]);
        values[k] = cell?.text ?? null;
        if (cell && !acceptsKind(f.type, cell.kind, cell.text)) {
          wrongKind ??= new Uint8Array(objects.length);
          wrongKind[k] = 1;
          values[k] = null;
        }
      }
      return { values, wrongKind };
    },
  };
  return { chunk, next: Math.min(i, text.length) };
}
