/**
 * String predicates on UTF-8 bytes: SQL LIKE ('%' any run, '_' one character, '\' escapes),
 * starts_with, ends_with and contains, with a constant or a per-row pattern.
 */
import { compareBytes } from './kernels.js';
import { isScalar } from './scalar.js';
import { countChars, EMPTY, endOf, nextChar, source, startOf, validityAll, type Kernel } from './strings.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type BytePredicate = (d: Uint8Array, s: number, e: number, p: Uint8Array, ps: number, pe: number) => boolean;

const startsWith: BytePredicate = (d, s, e, p, ps, pe) =>
  e - s >= pe - ps && compareBytes(d, s, s + (pe - ps), p, ps, pe) === 0;
const endsWith: BytePredicate = (d, s, e, p, ps, pe) =>
  e - s >= pe - ps && compareBytes(d, e - (pe - ps), e, p, ps, pe) === 0;
const contains: BytePredicate = (d, s, e, p, ps, pe) => indexOfBytes(d, s, e, p, ps, pe) >= 0;

/** The byte position of the first occurrence of p[ps, pe) in d[s, e), or -1. */
export function indexOfBytes(d: Uint8Array, s: number, e: number, p: Uint8Array, ps = 0, pe = p.length): number {
  const m = pe - ps;
  if (m === 0) return s;
  const first = p[ps]!;
  outer: for (let i = s; i <= e - m; i++) {
    if (d[i] !== first) continue;
    for (let k = 1; k < m; k++) if (d[i + k] !== p[ps + k]) continue outer;
    return i;
  }
  return -1;
}

function predicateKernel(test: BytePredicate): Kernel {
  return ([a, b], n) => {
    const x = source(a!);
    const y = source(b!);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      out[i] = test(x.data, startOf(x, i), endOf(x, i), y.data, startOf(y, i), endOf(y, i)) ? 1 : 0;
    return { type: 'bool', values: out, validity: validityAll([a!, b!], n) };
  };
}

/** A LIKE pattern segment between '%'s: literal byte runs and `null` for '_' (one character). */
type Segment = (Uint8Array | null)[];

/** Parse a LIKE pattern ('\' escapes '%', '_' and itself, as in Spark). */
function parseLike(pattern: string): Segment[] {
  const segments: Segment[] = [[]];
  let lit = '';
  const flush = () => {
    if (lit) segments[segments.length - 1]!.push(encoder.encode(lit));
    lit = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) lit += pattern[++i];
    else if (c === '%') {
      flush();
      segments.push([]);
    } else if (c === '_') {
      flush();
      segments[segments.length - 1]!.push(null);
    } else lit += c;
  }
  flush();
  return segments;
}

/** The end of `seg` matched at byte p (bounded by e), or -1. */
function matchAt(d: Uint8Array, p: number, e: number, seg: Segment): number {
  for (const item of seg) {
    if (item === null) {
      if (p >= e) return -1;
      p = nextChar(d, p, e);
    } else {
      if (e - p < item.length) return -1;
      for (let k = 0; k < item.length; k++) if (d[p + k] !== item[k]) return -1;
      p += item.length;
    }
  }
  return p;
}

const segmentChars = (seg: Segment) => seg.reduce((a, x) => a + (x === null ? 1 : countChars(x, 0, x.length)), 0);

/** SQL LIKE on bytes: the first segment is anchored at the start, the last at the end, the middle ones match leftmost. */
export function likeMatcher(pattern: string): (d: Uint8Array, s: number, e: number) => boolean {
  const segs = parseLike(pattern);
  const first = segs[0]!;
  if (segs.length === 1) return (d, s, e) => matchAt(d, s, e, first) === e;
  const last = segs[segs.length - 1]!;
  const lastChars = segmentChars(last);
  const middle = segs.slice(1, -1).filter((g) => g.length > 0);
  return (d, s, e) => {
    let pos = matchAt(d, s, e, first);
    if (pos < 0) return false;
    let end = e;
    if (last.length) {
      let st = e;
      for (let k = 0; k < lastChars && st > pos; k++)
        do st--;
        while (st > pos && (d[st]! & 0xc0) === 0x80);
      if (countChars(d, st, e) !== lastChars || matchAt(d, st, e, last) !== e) return false;
      end = st;
    }
    for (const seg of middle) {
      pos = findSegment(d, pos, end, seg);
      if (pos < 0) return false;
    }
    return true;
  };
}

/** The end of the leftmost match of `seg` in [p, e), or -1. Literal heads jump by byte search. */
function findSegment(d: Uint8Array, p: number, e: number, seg: Segment): number {
  const head = seg[0];
  if (head) {
    // A literal starts with a lead byte, so byte matches fall on character boundaries.
    for (let at = indexOfBytes(d, p, e, head); at >= 0; at = indexOfBytes(d, at + 1, e, head)) {
      const end = seg.length === 1 ? at + head.length : matchAt(d, at, e, seg);
      if (end >= 0) return end;
    }
    return -1;
  }
  for (; p < e; p = nextChar(d, p, e)) {
    const end = matchAt(d, p, e, seg);
    if (end >= 0) return end;
  }
  return -1;
}

/**
 * LIKE of a column against a pattern of literals between '%'s (no '_'), as most are
 * ('%special%requests%', 'PROMO%', '%BRASS'), into `out`: the anchored ends are compared per row,
 * and each middle literal is found by a native byte search over the column's bytes
 * (Buffer#indexOf) whose hit serves every row up to it — a JavaScript search per row cost ~230 ns
 * a row on TPC-H Q13's 1.5 M order comments. Null when the pattern has a '_'.
 */
function likeLiterals(
  pattern: string,
): ((data: Uint8Array, offsets: Int32Array, n: number, out: Uint8Array) => void) | null {
  const segs = parseLike(pattern);
  if (segs.length < 2 || segs.some((g) => g.length > 1 || g[0] === null)) return null;
  const lit = (g: Segment) => (g[0] as Uint8Array | undefined) ?? EMPTY;
  const first = lit(segs[0]!);
  const last = lit(segs[segs.length - 1]!);
  const middle = segs
    .slice(1, -1)
    .map(lit)
    .filter((m) => m.length > 0);
  const needles = middle.map((m) => Buffer.from(m));
  return (data, offsets, n, out) => {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
    // Per middle literal, its next occurrence at or after where it was last looked for (-1: none left).
    const next = middle.map(() => -2);
    const from = middle.map(() => 0);
    rows: for (let i = 0; i < n; i++) {
      const s = offsets[i]!;
      const e = offsets[i + 1]!;
      if (e - s < first.length + last.length) continue;
      if (compareBytes(data, s, s + first.length, first, 0, first.length) !== 0) continue;
      if (compareBytes(data, e - last.length, e, last, 0, last.length) !== 0) continue;
      let pos = s + first.length;
      const end = e - last.length;
      for (let k = 0; k < middle.length; k++) {
        if (next[k] !== -1 && (next[k]! < pos || from[k]! > pos)) {
          next[k] = bytes.indexOf(needles[k]!, pos);
          from[k] = pos;
        }
        const at = next[k]!;
        if (at === -1 || at + middle[k]!.length > end) continue rows;
        pos = at + middle[k]!.length;
      }
      out[i] = 1;
    }
  };
}

const like: Kernel = ([a, b], n) => {
  const x = source(a!);
  const out = new Uint8Array(n);
  if (isScalar(b!)) {
    const pattern = decoder.decode((b.value as Uint8Array | null) ?? EMPTY);
    const literals = x.offsets ? likeLiterals(pattern) : null;
    if (literals) literals(x.data, x.offsets!, n, out);
    else {
      const m = likeMatcher(pattern);
      for (let i = 0; i < n; i++) out[i] = m(x.data, startOf(x, i), endOf(x, i)) ? 1 : 0;
    }
  } else {
    const y = source(b!);
    for (let i = 0; i < n; i++)
      out[i] = likeMatcher(decoder.decode(y.data.subarray(startOf(y, i), endOf(y, i))))(
        x.data,
        startOf(x, i),
        endOf(x, i),
      )
        ? 1
        : 0;
  }
  return { type: 'bool', values: out, validity: validityAll([a!, b!], n) };
};

export const PREDICATE_KERNELS = {
  like,
  starts_with: predicateKernel(startsWith),
  ends_with: predicateKernel(endsWith),
  contains: predicateKernel(contains),
} satisfies Readonly<Record<string, Kernel>>;
