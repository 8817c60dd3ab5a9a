/**
 * Result comparison for query tests: the shared comparison (benchmarks/compare.ts), plus an
 * asserting wrapper and the reader of the official answer CSVs.
 *
 * @example
 * expectSameResults(rowsFromArrow(await df.collect()), await duckdbQuery(sql, dir), { ordered: false });
 */
import { readFileSync } from 'node:fs';
import {
  compareResults,
  MAX_REPORTED,
  type Cell,
  type CompareOptions,
  type ResultSet,
} from '../../benchmarks/compare.js';

export {
  compareResults,
  decimalCell,
  isDecimalCell,
  isoDateFromDays,
  rowsFromArrow,
  type Cell,
  type CompareOptions,
  type DecimalCell,
  type ResultSet,
} from '../../benchmarks/compare.js';

export function expectSameResults(actual: ResultSet, expected: ResultSet, opts: CompareOptions): void {
  const diffs = compareResults(actual, expected, opts);
  if (diffs.length === 0) return;
  const more = diffs.length > MAX_REPORTED ? `\n  … and ${diffs.length - MAX_REPORTED} more` : '';
  throw new Error(
    `results differ (${diffs.length} differences):\n  ${diffs.slice(0, MAX_REPORTED).join('\n  ')}${more}`,
  );
}

/**
 * Parse an answer CSV (header line, comma-separated, optional double quotes). Fields that
 * look numeric become numbers unless their column is in `stringColumns`; empty fields are
 * null; everything else (dates included) stays a string.
 */
export function readCsvAnswer(path: string, stringColumns: readonly string[] = []): ResultSet {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const [header, ...body] = lines.map(splitCsvLine);
  if (header === undefined) throw new Error(`readCsvAnswer: ${path} is empty (a header line is required)`);
  const keepString = header.map((name) => stringColumns.includes(name));
  const rows = body.map((fields) =>
    fields.map((f, i): Cell => {
      if (f === '') return null;
      return !keepString[i] && NUMERIC.test(f) ? Number(f) : f;
    }),
  );
  return { columns: header, rows };
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
