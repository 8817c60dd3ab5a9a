/**
 * CSV / NDJSON scan: reads the lines of its byte ranges (textRange.ts), tokenizes them into
 * records (textRecords.ts) and converts the needed columns (textValues.ts), in batches of
 * records. Malformed records — a wrong field count, an unclosed quote, a line that is not a JSON
 * object, a value that does not convert to its column's type — follow Spark's `mode`:
 * PERMISSIVE keeps the record with nulls where values failed (and its text in
 * `columnNameOfCorruptRecord`), DROPMALFORMED drops it, FAILFAST fails naming the file and the
 * record's byte offset (and line, when the range starts the file).
 */
import { ExecutionError } from '../planner/errors.js';
import { type TextReadOptions, textRange } from '../planner/textFormat.js';
import type { Schema } from '../planner/types.js';
import { compileConjunction, filterBatch } from './filter.js';
import { addTime } from './metrics.js';
import type { OperatorContext } from './operator.js';
import type { RangeReader } from './parquet.js';
import type { ScanSpec } from './scan.js';
import { readLines } from './textRange.js';
import { type RecordChunk, readRecords } from './textRecords.js';
import { convertColumn } from './textValues.js';
import { type Batch, takeBatch, type Vec, vecFromValues } from './vector.js';

/** Records per batch. */
const BATCH_RECORDS = 32_768;

export interface TextScanSpec extends ScanSpec {
  readonly text: { readonly options: TextReadOptions; readonly fields: Schema };
}

export async function* scanText(
  r: RangeReader,
  chunks: readonly number[],
  spec: TextScanSpec,
  ctx: OperatorContext,
): AsyncIterable<Batch> {
  const filter =
    spec.filters.length && !spec.prefilter ? compileConjunction(spec.filters, spec.schema, ctx.udfs) : null;
  const decoder = new TextDecoder();
  // Each chunk is read as its own range (it owns its lines), so memory stays within a chunk.
  for (const chunkIndex of chunks) {
    const range = textRange(r.size, chunkIndex, spec.text.options);
    const slice = await readLines(r, range.start, range.end);
    const t0 = performance.now();
    const text = decoder.decode(slice.bytes);
    let pos = 0;
    // The header is the first record of the file (a range starting the file).
    if (spec.text.options.header && slice.offset === 0 && spec.text.options.format === 'csv')
      pos = readRecords(text, spec.text.options, 0, 1, -1).next;
    const width = spec.text.fields.filter((f) => f.name !== spec.text.options.columnNameOfCorruptRecord).length;
    addTime('decode', performance.now() - t0);
    while (pos < text.length) {
      const t1 = performance.now();
      const { chunk, next } = readRecords(text, spec.text.options, pos, BATCH_RECORDS, width);
      pos = next;
      if (!chunk.length) continue;
      let b = toBatch(chunk, spec, (i) => where(r.name, slice.offset, text, chunk.starts[i]!));
      if (filter) b = filterBatch(b, filter);
      addTime('decode', performance.now() - t1);
      if (b.length > 0) yield b;
    }
  }
}

/** Where a record is, for errors: its byte offset, and its line when the text starts the file. */
function where(file: string, offset: number, text: string, at: number): string {
  const bytes = offset + Buffer.byteLength(text.slice(0, at));
  if (offset !== 0) return `${file} at byte offset ${bytes}`;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return `${file} line ${line} (byte offset ${bytes})`;
}

/** Typed columns of a chunk of records, with the mode applied to malformed ones. */
function toBatch(chunk: RecordChunk, spec: TextScanSpec, at: (i: number) => string): Batch {
  const o = spec.text.options;
  const n = chunk.length;
  const corrupt = o.columnNameOfCorruptRecord;
  const dataFields = spec.text.fields.filter((f) => f.name !== corrupt);
  const wanted = new Set(spec.columns);
  // Modes other than PERMISSIVE, and the corrupt-record column, judge a record by all its values.
  const checkAll = o.mode !== 'PERMISSIVE' || (corrupt !== null && wanted.has(corrupt));
  const bad = new Uint8Array(n);
  const reasons: (string | null)[] = [...chunk.errors];
  for (let i = 0; i < n; i++) if (reasons[i] !== null) bad[i] = 1;
  const vecs = new Map<string, Vec>();
  dataFields.forEach((f, index) => {
    if (!checkAll && !wanted.has(f.name)) return;
    const t0 = chunk.column(f, index);
    const { vec, bad: failed } = convertColumn(t0.values, f.type, o);
    vecs.set(f.name, vec);
    for (const marks of [t0.wrongKind, failed]) {
      if (!marks) continue;
      for (let i = 0; i < n; i++)
        if (marks[i] && !bad[i]) {
          bad[i] = 1;
          reasons[i] =
            `column '${f.name}' (${f.type}) cannot hold ${marks === failed ? JSON.stringify(t0.values[i]) : 'a value of another JSON kind'}`;
        }
    }
  });
  if (o.mode === 'FAILFAST') {
    const i = bad.indexOf(1);
    if (i >= 0)
      throw new ExecutionError(
        'MALFORMED_RECORD',
        `malformed ${o.format === 'csv' ? 'CSV' : 'JSON'} record in ${at(i)}: ${reasons[i]} (mode FAILFAST; use mode PERMISSIVE or DROPMALFORMED to read past it)`,
        { file: at(i), reason: reasons[i] },
      );
  }
  const columns = spec.schema.map((f) =>
    f.name === corrupt
      ? vecFromValues(
          'string',
          Array.from({ length: n }, (_, i) => (bad[i] ? chunk.raw(i) : null)),
        )
      : vecs.get(f.name)!,
  );
  let b: Batch = { schema: spec.schema, columns, length: n };
  if (o.mode === 'DROPMALFORMED' && bad.includes(1)) {
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (!bad[i]) keep.push(i);
    b = takeBatch(b, Int32Array.from(keep));
  }
  return b;
}
