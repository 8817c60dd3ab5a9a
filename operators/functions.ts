/**
 * Kernels of the built-in scalar functions (signatures in planner/functions.ts).
 */
import { ExecutionError } from '../planner/errors.js';
import type { DataType } from '../planner/types.js';
import type { Operand } from './scalar.js';
import { isScalar, materialize } from './scalar.js';
import type { Vec } from './vector.js';
import { isValid, newValidity, setValid, vecFromValues } from './vector.js';
import { compareBytes } from './kernels.js';

type StrVec = Extract<Vec, { type: 'string' }>;
type Kernel = (args: readonly Operand[], n: number, outType: DataType) => Vec;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Civil date from days since epoch (Howard Hinnant's algorithm). */
export function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function addMonths(days: number, months: number): number {
  const [y, m, d] = civil(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const last = civil(daysFromCivil(nm === 12 ? ny + 1 : ny, nm === 12 ? 1 : nm + 1, 1) - 1)[2];
  return daysFromCivil(ny, nm, Math.min(d, last));
}

function ints(o: Operand, n: number): Vec & { values: Int32Array | Float64Array } {
  return materialize(o, n) as Vec & { values: Int32Array | Float64Array };
}

function datePart(part: 0 | 1 | 2): Kernel {
  return ([a], n) => {
    const v = ints(a!, n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = civil(v.values[i]!)[part];
    return { type: 'int32', values: out, validity: v.validity };
  };
}

function validityAll(args: readonly Operand[], n: number): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const a of args) {
    const v = isScalar(a) ? (a.value === null ? newValidity(n, false) : null) : a.validity;
    if (!v) continue;
    if (!out) out = v.slice();
    else for (let k = 0; k < out.length; k++) out[k]! &= v[k]!;
  }
  return out;
}

/** Map each string row through a JS function (string-producing functions). */
function mapStrings(args: readonly Operand[], n: number, f: (s: string[], i: number) => string): Vec {
  const cols = args.map((a) => materialize(a, n) as StrVec | Vec);
  const validity = validityAll(args, n);
  const out: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!isValid(validity, i)) {
      out[i] = null;
      continue;
    }
    const vals = cols.map((c) => (c.type === 'string' ? decoder.decode(c.data.subarray(c.offsets[i]!, c.offsets[i + 1]!)) : String((c as { values: ArrayLike<number> }).values[i])));
    out[i] = f(vals, i);
  }
  return vecFromValues('string', out);
}

/** A byte-level predicate of a string column against a constant pattern. */
function bytePredicate(test: (data: Uint8Array, s: number, e: number, p: Uint8Array) => boolean): Kernel {
  return ([a, b], n) => {
    if (!b || !isScalar(b)) return fallbackPredicate(test, a!, b!, n);
    const v = materialize(a!, n) as StrVec;
    const p = (b.value as Uint8Array | null) ?? new Uint8Array(0);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = test(v.data, v.offsets[i]!, v.offsets[i + 1]!, p) ? 1 : 0;
    return { type: 'bool', values: out, validity: validityAll([a!, b], n) };
  };
}

function fallbackPredicate(test: (d: Uint8Array, s: number, e: number, p: Uint8Array) => boolean, a: Operand, b: Operand, n: number): Vec {
  const v = materialize(a, n) as StrVec;
  const w = materialize(b, n) as StrVec;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = test(v.data, v.offsets[i]!, v.offsets[i + 1]!, w.data.subarray(w.offsets[i]!, w.offsets[i + 1]!)) ? 1 : 0;
  return { type: 'bool', values: out, validity: validityAll([a, b], n) };
}

const startsWith = (d: Uint8Array, s: number, e: number, p: Uint8Array) => e - s >= p.length && compareBytes(d, s, s + p.length, p, 0, p.length) === 0;
const endsWith = (d: Uint8Array, s: number, e: number, p: Uint8Array) => e - s >= p.length && compareBytes(d, e - p.length, e, p, 0, p.length) === 0;
function indexOfBytes(d: Uint8Array, s: number, e: number, p: Uint8Array): number {
  if (p.length === 0) return s;
  const first = p[0]!;
  outer: for (let i = s; i <= e - p.length; i++) {
    if (d[i] !== first) continue;
    for (let k = 1; k < p.length; k++) if (d[i + k] !== p[k]) continue outer;
    return i;
  }
  return -1;
}
const contains = (d: Uint8Array, s: number, e: number, p: Uint8Array) => indexOfBytes(d, s, e, p) >= 0;

/** SQL LIKE: '%' any run, '_' one character. Patterns made of literal runs and '%' match on bytes. */
export function likeMatcher(pattern: string): (d: Uint8Array, s: number, e: number) => boolean {
  if (!pattern.includes('_')) {
    const parts = pattern.split('%').map((x) => encoder.encode(x));
    const anchoredStart = !pattern.startsWith('%');
    const anchoredEnd = !pattern.endsWith('%');
    return (d, s, e) => {
      let pos = s;
      let end = e;
      const first = parts[0]!;
      const last = parts[parts.length - 1]!;
      if (parts.length === 1) return e - s === first.length && compareBytes(d, s, e, first, 0, first.length) === 0;
      if (anchoredStart) {
        if (!startsWith(d, pos, end, first)) return false;
        pos += first.length;
      }
      if (anchoredEnd) {
        if (!endsWith(d, pos, end, last)) return false;
        end -= last.length;
      }
      for (let k = anchoredStart ? 1 : 0; k < parts.length - (anchoredEnd ? 1 : 0); k++) {
        const p = parts[k]!;
        if (p.length === 0) continue;
        const at = indexOfBytes(d, pos, end, p);
        if (at < 0) return false;
        pos = at + p.length;
      }
      return true;
    };
  }
  const re = new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '[\\s\\S]*').replace(/_/g, '[\\s\\S]') + '$', 's');
  return (d, s, e) => re.test(decoder.decode(d.subarray(s, e)));
}

const like: Kernel = ([a, b], n) => {
  if (!b || !isScalar(b)) return mapLike(a!, b!, n);
  const m = likeMatcher(decoder.decode((b.value as Uint8Array | null) ?? new Uint8Array(0)));
  const v = materialize(a!, n) as StrVec;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = m(v.data, v.offsets[i]!, v.offsets[i + 1]!) ? 1 : 0;
  return { type: 'bool', values: out, validity: validityAll([a!, b], n) };
};

function mapLike(a: Operand, b: Operand, n: number): Vec {
  const v = materialize(a, n) as StrVec;
  const w = materialize(b, n) as StrVec;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = likeMatcher(decoder.decode(w.data.subarray(w.offsets[i]!, w.offsets[i + 1]!)))(v.data, v.offsets[i]!, v.offsets[i + 1]!) ? 1 : 0;
  return { type: 'bool', values: out, validity: validityAll([a, b], n) };
}

function numericUnary(f: (x: number, i: number) => number): Kernel {
  return ([a], n, outType) => {
    const v = ints(a!, n);
    const out = outType === 'int32' ? new Int32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(v.values[i]!, i);
    return { type: outType, values: out, validity: v.validity } as Vec;
  };
}

/** Round half away from zero at a decimal scale, exactly for decimal-looking doubles. */
export function roundHalfUp(x: number, scale: number): number {
  const m = 10 ** scale;
  const y = Math.abs(x) * m;
  const r = Math.round(Number(y.toPrecision(15)));
  return (Math.sign(x) * r) / m;
}

export const FUNCTION_KERNELS: Readonly<Record<string, Kernel>> = {
  year: datePart(0),
  month: datePart(1),
  day: datePart(2),
  date_add: ([a, b], n) => {
    const d = ints(a!, n);
    const k = ints(b!, n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = d.values[i]! + k.values[i]!;
    return { type: 'date', values: out, validity: validityAll([a!, b!], n) };
  },
  add_months: ([a, b], n) => {
    const d = ints(a!, n);
    const k = ints(b!, n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = addMonths(d.values[i]!, k.values[i]!);
    return { type: 'date', values: out, validity: validityAll([a!, b!], n) };
  },
  substring: (args, n) => mapStrings(args, n, ([s, start, len]) => {
    const chars = Array.from(s!);
    const st = Number(start);
    const from = st > 0 ? st - 1 : st < 0 ? Math.max(0, chars.length + st) : 0;
    return chars.slice(from, from + Math.max(0, Number(len))).join('');
  }),
  upper: (args, n) => mapStrings(args, n, ([s]) => s!.toUpperCase()),
  lower: (args, n) => mapStrings(args, n, ([s]) => s!.toLowerCase()),
  trim: (args, n) => mapStrings(args, n, ([s]) => s!.trim()),
  concat: (args, n) => mapStrings(args, n, (s) => s.join('')),
  length: ([a], n) => {
    const v = materialize(a!, n) as StrVec;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let k = v.offsets[i]!; k < v.offsets[i + 1]!; k++) if ((v.data[k]! & 0xc0) !== 0x80) c++;
      out[i] = c;
    }
    return { type: 'int32', values: out, validity: v.validity };
  },
  like,
  starts_with: bytePredicate(startsWith),
  ends_with: bytePredicate(endsWith),
  contains: bytePredicate(contains),
  abs: numericUnary(Math.abs),
  round: (args, n, outType) => {
    const scale = args[1] && isScalar(args[1]) ? ((args[1].value as number) ?? 0) : 0;
    return numericUnary((x) => roundHalfUp(x, scale))([args[0]!], n, outType);
  },
  coalesce: (args, n, outType) => {
    const cols = args.map((a) => materialize(a, n));
    const pick = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) for (let k = 0; k < cols.length; k++) if (isValid(cols[k]!.validity, i)) {
      pick[i] = k;
      break;
    }
    const validity = newValidity(n);
    let nulls = false;
    const vals: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = pick[i]!;
      if (k < 0) {
        setValid(validity, i, false);
        nulls = true;
        vals[i] = null;
        continue;
      }
      const c = cols[k]!;
      vals[i] = c.type === 'string' ? decoder.decode(c.data.subarray(c.offsets[i]!, c.offsets[i + 1]!)) : c.values[i];
    }
    const v = vecFromValues(outType, vals);
    return nulls ? ({ ...v, validity } as Vec) : v;
  },
};

export function kernelFor(fn: string): Kernel {
  const k = FUNCTION_KERNELS[fn];
  if (!k) throw new ExecutionError('UNKNOWN_FUNCTION', `no kernel for function '${fn}'`, { function: fn });
  return k;
}
