/**
 * String-editing kernels with Spark's semantics (UTF8String's): replace, lpad / rpad, instr,
 * locate, initcap and translate. Search and padding work on UTF-8 bytes and count characters
 * (code points); initcap and translate go through JS strings.
 */
import { indexOfBytes } from './like.js';
import { isScalar, materialize } from './scalar.js';
import {
  countChars,
  endOf,
  int32s,
  type Kernel,
  nextChar,
  source,
  startOf,
  stringRows,
  textAt,
  validityAll,
} from './strings.js';
import { isValid } from './vector.js';

const SPACE = Uint8Array.of(0x20);
const NONE = { data: new Uint8Array(0), offsets: null };

/** The byte position after k characters from p (bounded by e). */
function advance(d: Uint8Array, p: number, e: number, k: number): number {
  for (; k > 0 && p < e; k--) p = nextChar(d, p, e);
  return p;
}

/** replace(str, search, replace = ''): every occurrence replaced, left to right. */
const replace: Kernel = (args, n) => {
  const [a, b, c] = args;
  const x = source(a!);
  const y = source(b!);
  const z = c ? source(c) : NONE;
  return stringRows(args, n, x.data.length, (i, out) => {
    const e = endOf(x, i);
    const ps = startOf(y, i);
    const pe = endOf(y, i);
    let from = startOf(x, i);
    if (pe > ps)
      for (
        let at = indexOfBytes(x.data, from, e, y.data, ps, pe);
        at >= 0;
        at = indexOfBytes(x.data, from, e, y.data, ps, pe)
      ) {
        out.append(x.data, from, at);
        out.append(z.data, startOf(z, i), endOf(z, i));
        from = at + (pe - ps);
      }
    out.append(x.data, from, e);
  });
};

/** lpad / rpad: cut to `len` characters, or padded with whole copies of `pad` then a prefix of it. */
function padKernel(left: boolean): Kernel {
  return (args, n) => {
    const [a, l, p] = args;
    const x = source(a!);
    const len = int32s(l!, n);
    const pad = p ? source(p) : { data: SPACE, offsets: null };
    return stringRows(args, n, x.data.length, (i, out) => {
      const s = startOf(x, i);
      const e = endOf(x, i);
      const ps = startOf(pad, i);
      const pe = endOf(pad, i);
      const want = len[i]!;
      const spaces = want - countChars(x.data, s, e);
      if (spaces <= 0 || pe === ps) out.append(x.data, s, want <= 0 ? s : advance(x.data, s, e, want));
      else {
        if (!left) out.append(x.data, s, e);
        const padChars = countChars(pad.data, ps, pe);
        for (let k = Math.floor(spaces / padChars); k > 0; k--) out.append(pad.data, ps, pe);
        out.append(pad.data, ps, advance(pad.data, ps, pe, spaces % padChars));
        if (left) out.append(x.data, s, e);
      }
    });
  };
}

/** The 0-based character index of `sub` in row i of `x` from character `start`, or -1 (UTF8String.indexOf). */
function indexOfChars(x: ReturnType<typeof source>, y: ReturnType<typeof source>, i: number, start: number): number {
  const s = startOf(x, i);
  const e = endOf(x, i);
  const ps = startOf(y, i);
  const pe = endOf(y, i);
  if (pe === ps) return 0;
  const from = advance(x.data, s, e, start);
  const at = indexOfBytes(x.data, from, e, y.data, ps, pe);
  return at < 0 ? -1 : start + countChars(x.data, from, at);
}

/** instr(str, substr): 1-based character position of the first occurrence, 0 when absent. */
const instr: Kernel = (args, n) => {
  const x = source(args[0]!);
  const y = source(args[1]!);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = indexOfChars(x, y, i, 0) + 1;
  return { type: 'int32', values: out, validity: validityAll(args, n) };
};

/** locate(substr, str, pos = 1): instr from character pos; 0 when pos < 1, and when pos is NULL (Spark, as Hive). */
const locate: Kernel = (args, n) => {
  const [sub, str, p] = args;
  const y = source(sub!);
  const x = source(str!);
  const pos = p && !(isScalar(p) && p.value === null) ? materialize(p, n) : null;
  const posNull = p !== undefined && pos === null;
  const out = new Int32Array(n);
  const validity = validityAll([sub!, str!], n)?.slice() ?? null;
  const values = pos ? (pos as { values: Int32Array }).values : null;
  for (let i = 0; i < n; i++) {
    if (posNull || (pos && !isValid(pos.validity, i))) {
      out[i] = 0;
      if (validity) validity[i >> 3]! |= 1 << (i & 7);
      continue;
    }
    const start = values ? values[i]! : 1;
    out[i] = start < 1 ? 0 : indexOfChars(x, y, i, start - 1) + 1;
  }
  return { type: 'int32', values: out, validity };
};

/** Java's Character.toTitleCase for one UTF-16 unit, as near as JS gets (a single-unit upper case). */
const titleCase = (ch: string): string => {
  const u = ch.toUpperCase();
  return u.length === 1 ? u : ch;
};

/** initcap: lower case, then title case at the start and after each space (UTF8String.toTitleCase). */
const initcap: Kernel = (args, n) => {
  const x = source(args[0]!);
  return stringRows(args, n, x.data.length, (i, out) => {
    const s = textAt(x, i).toLowerCase();
    let r = '';
    for (let k = 0; k < s.length; k++) r += k === 0 || s[k - 1] === ' ' ? titleCase(s[k]!) : s[k];
    out.appendText(r);
  });
};

/** translate's map: each character of `from` to the one at its place in `to` ('' past its end); the first wins. */
function translation(from: string, to: string): Map<string, string> {
  const map = new Map<string, string>();
  const target = [...to];
  [...from].forEach((ch, k) => {
    if (!map.has(ch)) map.set(ch, target[k] ?? '');
  });
  return map;
}

/** translate(str, from, to), per character (code point). */
const translate: Kernel = (args, n) => {
  const [a, f, t] = args;
  const x = source(a!);
  const fs = source(f!);
  const ts = source(t!);
  const constant = isScalar(f!) && isScalar(t!) ? translation(textAt(fs, 0), textAt(ts, 0)) : null;
  return stringRows(args, n, x.data.length, (i, out) => {
    const map = constant ?? translation(textAt(fs, i), textAt(ts, i));
    let r = '';
    for (const ch of textAt(x, i)) r += map.get(ch) ?? ch;
    out.appendText(r);
  });
};

export const STRING_EDIT_KERNELS = {
  replace,
  lpad: padKernel(true),
  rpad: padKernel(false),
  instr,
  locate,
  initcap,
  translate,
} satisfies Readonly<Record<string, Kernel>>;
