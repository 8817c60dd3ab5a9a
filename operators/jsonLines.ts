/**
 * NDJSON records: one JSON object per line, parsed with JSON.parse. Numbers of 16 or more digits
 * are kept as their text (JSON.parse would round them to a double), so int64 and decimal columns
 * read exactly. Each value becomes the text a column converts from, with its JSON kind so a
 * column can refuse a value of the wrong kind (a string where a number belongs) as Spark does.
 */

export type JsonKind = 'number' | 'string' | 'bool' | 'nested';

/** A JSON value as a column sees it: its text (nested values as JSON) and its kind. */
export interface JsonCell {
  readonly text: string;
  readonly kind: JsonKind;
}

const EXACT = '\u0000';

/**
 * Quote number tokens of 16+ digits outside strings (with `fractions`, also those with a point or
 * an exponent, so `1.0` keeps its text), marked so they still count as numbers.
 */
function protectNumbers(line: string, fractions: boolean): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      // Skip a string, its escapes included.
      i++;
      while (i < n && line.charCodeAt(i) !== 34) i += line.charCodeAt(i) === 92 ? 2 : 1;
      i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const s = i;
      let digits = 0;
      while (i < n && /[-+0-9.eE]/.test(line[i]!)) {
        if (line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) digits++;
        i++;
      }
      if (digits >= 16 || (fractions && /[.eE]/.test(line.slice(s, i)))) {
        out += `${line.slice(last, s)}"\\u0000${line.slice(s, i)}"`;
        last = i;
      }
    } else i++;
  }
  return last === 0 ? line : out + line.slice(last);
}

/** Parse one line: its object, or why it is not one. `exact`: every fraction keeps its text (inference). */
export function parseJsonLine(line: string, exact = false): { value: Record<string, unknown> } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(exact || /\d{16}/.test(line) ? protectNumbers(line, exact) : line);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { error: `a line must hold a JSON object, not ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}` };
  return { value: v as Record<string, unknown> };
}

/** JSON text of a nested value, numbers kept as written. */
const nestedText = (v: unknown) => JSON.stringify(v).replace(/"\\u0000([-+0-9.eE]+)"/g, '$1');

/** A parsed value as a cell, or null for JSON null and a missing key. */
export function jsonCell(v: unknown): JsonCell | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v.startsWith(EXACT) ? { text: v.slice(1), kind: 'number' } : { text: v, kind: 'string' };
    case 'number':
      return { text: String(v), kind: 'number' };
    case 'boolean':
      return { text: v ? 'true' : 'false', kind: 'bool' };
    default:
      return { text: nestedText(v), kind: 'nested' };
  }
}
