/**
 * String kernels on UTF-8 bytes: substring and length (counted in characters), trim, case
 * mapping (ASCII on bytes, the rest through JS strings), concat; the predicates (LIKE, prefix,
 * suffix, contains) are in ./like.ts. Results are built with `StringBuilder` into offsets + bytes.
 */
import type { DataType } from '../planner/types.js';
import { castVec } from './cast.js';
import { StringBuilder } from './stringBuilder.js';
import type { Operand } from './scalar.js';
import { isScalar, materialize } from './scalar.js';
import type { BytesVec, Vec } from './vector.js';
import { isValid, newValidity } from './vector.js';

type StrVec = BytesVec;
/** A function's kernel: its arguments evaluated, the row count, the result type and the arguments' types. */
export type Kernel = (
  args: readonly Operand[],
  n: number,
  outType: DataType,
  argTypes?: readonly (DataType | 'null')[],
) => Vec;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const EMPTY = new Uint8Array(0);

/**
 * A string column of `n` rows built by `row(i, out)`, called for the rows where every argument is
 * valid (the others are NULL).
 */
export function stringRows(
  args: readonly Operand[],
  n: number,
  bytesGuess: number,
  row: (i: number, out: StringBuilder) => void,
): StrVec {
  const validity = validityAll(args, n);
  const out = new StringBuilder(n, bytesGuess);
  for (let i = 0; i < n; i++) {
    if (isValid(validity, i)) row(i, out);
    out.end(i);
  }
  return out.build(validity);
}

/** Row-wise access to a string operand without materializing scalars. */
export interface StrSource {
  readonly data: Uint8Array;
  readonly offsets: Int32Array | null;
}
export function source(o: Operand): StrSource {
  if (isScalar(o)) return { data: (o.value as Uint8Array | null) ?? EMPTY, offsets: null };
  const v = o as StrVec;
  return { data: v.data, offsets: v.offsets };
}
export const startOf = (x: StrSource, i: number) => (x.offsets ? x.offsets[i]! : 0);
export const endOf = (x: StrSource, i: number) => (x.offsets ? x.offsets[i + 1]! : x.data.length);

/** AND of the operands' validities; null when no operand has nulls. */
export function validityAll(args: readonly Operand[], n: number): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const a of args) {
    if (isScalar(a) && a.value === null) return newValidity(n, false);
    const v = isScalar(a) ? null : a.validity;
    if (!v) continue;
    if (!out) out = v.slice(0, (n + 7) >> 3);
    else for (let k = 0; k < out.length; k++) out[k]! &= v[k]!;
  }
  return out;
}

/** The position after the character starting at byte p. */
export const nextChar = (d: Uint8Array, p: number, e: number): number => {
  p++;
  while (p < e && (d[p]! & 0xc0) === 0x80) p++;
  return p;
};

function advanceChars(d: Uint8Array, p: number, e: number, k: number): number {
  for (; k > 0 && p < e; k--) p = nextChar(d, p, e);
  return p;
}

export function countChars(d: Uint8Array, s: number, e: number): number {
  let c = 0;
  for (let k = s; k < e; k++) if ((d[k]! & 0xc0) !== 0x80) c++;
  return c;
}

function ints(o: Operand, n: number): { values: ArrayLike<number>; validity: Uint8Array | null } {
  return materialize(o, n) as Extract<Vec, { values: Int32Array }>;
}

/** An int32 operand's values, one per row. */
export const int32s = (o: Operand, n: number): Int32Array => (materialize(o, n) as { values: Int32Array }).values;

/** Row i of a string source as a JS string. */
export const textAt = (x: StrSource, i: number): string => decoder.decode(x.data.subarray(startOf(x, i), endOf(x, i)));

/** Spark's substring(str, pos, len) on characters (UTF8String.substringSQL). */
const substring: Kernel = ([a, p, l], n) => {
  const x = source(a!);
  const validity = validityAll([a!, p!, l!], n);
  const pos = ints(p!, n).values;
  const len = ints(l!, n).values;
  const out = new StringBuilder(n, x.data.length);
  for (let i = 0; i < n; i++) {
    if (isValid(validity, i)) {
      const s = startOf(x, i);
      const e = endOf(x, i);
      const ps = pos[i]!;
      let start = ps > 0 ? ps - 1 : ps < 0 ? countChars(x.data, s, e) + ps : 0;
      const stop = start + len[i]!;
      if (start < 0) start = 0;
      if (start < stop) {
        const from = advanceChars(x.data, s, e, start);
        out.append(x.data, from, advanceChars(x.data, from, e, stop - start));
      }
    }
    out.end(i);
  }
  return out.build(validity);
};

/** Spark's trim: leading and trailing spaces (only ' '). */
const trim: Kernel = ([a], n) => {
  const x = source(a!);
  const validity = validityAll([a!], n);
  const out = new StringBuilder(n, x.data.length);
  for (let i = 0; i < n; i++) {
    let s = startOf(x, i);
    let e = endOf(x, i);
    while (s < e && x.data[s] === 0x20) s++;
    while (e > s && x.data[e - 1] === 0x20) e--;
    if (isValid(validity, i)) out.append(x.data, s, e);
    out.end(i);
  }
  return out.build(validity);
};

function isAscii(d: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) if (d[k]! >= 0x80) return false;
  return true;
}

/** upper/lower: ASCII rows on bytes, others through JS case mapping (as Java's, e.g. 'ß' → 'SS'). */
function caseMap(upper: boolean): Kernel {
  const lo = upper ? 0x61 : 0x41;
  const flip = upper ? -32 : 32;
  return ([a], n) => {
    const x = source(a!);
    const validity = validityAll([a!], n);
    const out = new StringBuilder(n, x.data.length);
    for (let i = 0; i < n; i++) {
      const s = startOf(x, i);
      const e = endOf(x, i);
      if (isValid(validity, i)) {
        if (isAscii(x.data, s, e)) {
          out.appendShifted(x.data, s, e, lo, flip);
        } else {
          const str = decoder.decode(x.data.subarray(s, e));
          const bytes = encoder.encode(upper ? str.toUpperCase() : str.toLowerCase());
          out.append(bytes, 0, bytes.length);
        }
      }
      out.end(i);
    }
    return out.build(validity);
  };
}

/** Length in characters (code points) of a string, in bytes of a binary. */
const length: Kernel = ([a], n) => {
  const x = source(a!);
  const out = new Int32Array(n);
  if (a!.type === 'binary') for (let i = 0; i < n; i++) out[i] = endOf(x, i) - startOf(x, i);
  else for (let i = 0; i < n; i++) out[i] = countChars(x.data, startOf(x, i), endOf(x, i));
  return { type: 'int32', values: out, validity: validityAll([a!], n) };
};

/** Concatenation; NULL when any argument is NULL (Spark's concat); other types are cast to strings. */
const concat: Kernel = (args, n) => {
  const strs = args.map((a) => (a.type === 'string' ? a : castVec(materialize(a, n), 'string', n)));
  const validity = validityAll(strs, n);
  const xs = strs.map(source);
  const out = new StringBuilder(
    n,
    xs.reduce((t, x) => t + x.data.length, 0),
  );
  for (let i = 0; i < n; i++) {
    if (isValid(validity, i)) for (const x of xs) out.append(x.data, startOf(x, i), endOf(x, i));
    out.end(i);
  }
  return out.build(validity);
};

export const STRING_KERNELS = {
  substring,
  trim,
  upper: caseMap(true),
  lower: caseMap(false),
  length,
  concat,
} satisfies Readonly<Record<string, Kernel>>;
