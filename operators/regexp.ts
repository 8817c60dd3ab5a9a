/**
 * Regular-expression kernels (Spark's regexp_extract(_all), regexp_replace, rlike, split) on JS RegExps
 * compiled from Java patterns by planner/regex.ts. Rows are decoded to JS strings, matched,
 * and encoded back; a pattern or replacement column is compiled per distinct value (cached).
 */
import { ExecutionError } from '../planner/errors.js';
import { type CompiledRegex, javaRegex, javaReplacement, type ReplacementPart } from '../planner/regex.js';
import type { Operand } from './scalar.js';
import { isScalar } from './scalar.js';
import { StringBuilder } from './stringBuilder.js';
import { endOf, int32s, type Kernel, source, startOf, stringRows, textAt, validityAll } from './strings.js';
import { listVec } from './lists.js';
import type { BytesVec } from './vector.js';
import { isValid } from './vector.js';

interface Pattern extends CompiledRegex {
  readonly global: RegExp;
}
const patterns = new Map<string, Pattern>();
const replacements = new Map<string, ReplacementPart[]>();

function compiled(pattern: string, fn: string): Pattern {
  let p = patterns.get(pattern);
  if (!p) {
    const re = javaRegex(pattern, fn);
    p = { ...re, global: new RegExp(re.regex.source, `${re.regex.flags}g`) };
    if (patterns.size >= 256) patterns.clear();
    patterns.set(pattern, p);
  }
  return p;
}

/** Row i's compiled pattern: one compilation for a literal, a cached one per value for a column. */
function patternAt(o: Operand, fn: string): (i: number) => Pattern {
  const x = source(o);
  if (isScalar(o)) {
    const p = o.value === null ? null : compiled(textAt(x, 0), fn);
    return () => p!;
  }
  return (i) => compiled(textAt(x, i), fn);
}

/** Spark's check, made when a row matches: the group index within the pattern's groups. */
function checkGroup(r: Pattern, k: number, fn: string): void {
  if (k < 0 || k > r.groups)
    throw new ExecutionError(
      'REGEXP_GROUP_OUT_OF_RANGE',
      `${fn}: group index ${k} is out of range: the pattern '${r.regex.source}' has ${r.groups} group(s)`,
      { function: fn, index: k },
    );
}

/** regexp_extract(str, pattern, idx = 1): group idx of the first match; '' when none matched. */
const regexpExtract: Kernel = (args, n) => {
  const [a, p, g] = args;
  const x = source(a!);
  const re = patternAt(p!, 'regexp_extract');
  const idx = g ? int32s(g, n) : null;
  return stringRows(args, n, x.data.length, (i, out) => {
    const r = re(i);
    const m = r.regex.exec(textAt(x, i));
    if (m) {
      const k = idx ? idx[i]! : 1;
      checkGroup(r, k, 'regexp_extract');
      if (m[k] !== undefined) out.appendText(m[k]!);
    }
  });
};

/** regexp_extract_all(str, pattern, idx = 1): group idx of every match, as a list<string>. */
const regexpExtractAll: Kernel = (args, n) => {
  const [a, p, g] = args;
  const x = source(a!);
  const re = patternAt(p!, 'regexp_extract_all');
  const idx = g ? int32s(g, n) : null;
  const validity = validityAll(args, n);
  const offsets = new Int32Array(n + 1);
  const found: string[] = [];
  for (let i = 0; i < n; i++) {
    if (isValid(validity, i)) {
      const r = re(i);
      const k = idx ? idx[i]! : 1;
      for (const m of textAt(x, i).matchAll(r.global)) {
        checkGroup(r, k, 'regexp_extract_all');
        found.push(m[k] ?? '');
      }
    }
    offsets[i + 1] = found.length;
  }
  return listVec('string', strings(found, x.data.length), offsets, validity);
};

/** A string column of `texts`. */
function strings(texts: readonly string[], bytesGuess: number): BytesVec {
  const out = new StringBuilder(texts.length, bytesGuess);
  texts.forEach((t, k) => {
    out.appendText(t);
    out.end(k);
  });
  return out.build(null);
}

function expand(parts: readonly ReplacementPart[], m: RegExpExecArray): string {
  let s = '';
  for (const part of parts)
    s +=
      typeof part === 'string'
        ? part
        : ((typeof part.group === 'number' ? m[part.group] : m.groups?.[part.group]) ?? '');
  return s;
}

/** regexp_replace(str, pattern, replacement, position = 1): every match from `position` on replaced. */
const regexpReplace: Kernel = (args, n) => {
  const [a, p, r, pos] = args;
  const x = source(a!);
  const re = patternAt(p!, 'regexp_replace');
  const rep = source(r!);
  const from = pos ? int32s(pos, n) : null;
  return stringRows(args, n, x.data.length, (i, out) => {
    const pattern = re(i);
    const replacement = textAt(rep, i);
    const key = `${pattern.regex.source}\u0000${replacement}`;
    let parts = replacements.get(key);
    if (!parts) {
      parts = javaReplacement(replacement, pattern, 'regexp_replace');
      if (replacements.size >= 256) replacements.clear();
      replacements.set(key, parts);
    }
    const s = textAt(x, i);
    const start = from ? from[i]! - 1 : 0;
    if (start < 0)
      throw new ExecutionError('REGEXP_BAD_POSITION', `regexp_replace: position must be 1 or more, got ${start + 1}`, {
        function: 'regexp_replace',
        position: start + 1,
      });
    // Java's region: the text before `position` is kept and invisible to the pattern (Spark).
    if (start === 0 || start < s.length) {
      const rest = s.slice(start);
      let res = s.slice(0, start);
      let last = 0;
      for (const m of rest.matchAll(pattern.global)) {
        res += rest.slice(last, m.index) + expand(parts, m);
        last = m.index + m[0].length;
      }
      out.appendText(res + rest.slice(last));
    } else out.append(x.data, startOf(x, i), endOf(x, i));
  });
};

/** rlike(str, pattern): whether the pattern matches anywhere in the string (Java's find()). */
const rlike: Kernel = (args, n) => {
  const [a, p] = args;
  const x = source(a!);
  const re = patternAt(p!, 'rlike');
  const validity = validityAll(args, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (isValid(validity, i)) out[i] = re(i).regex.test(textAt(x, i)) ? 1 : 0;
  return { type: 'bool', values: out, validity };
};

/**
 * Java's Pattern.split(s, limit) as Spark calls it (a limit of 0 is -1: trailing empty strings
 * kept): the pieces between matches, at most `limit` when positive (the last holds the rest); a
 * zero-width match at the start adds no empty first piece; no match gives [s].
 */
export function javaSplit(s: string, re: RegExp, limit: number): string[] {
  const out: string[] = [];
  let index = 0;
  for (const m of s.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    if (limit > 0 && out.length >= limit - 1) {
      if (out.length === limit - 1) {
        out.push(s.slice(index));
        index = end;
      }
      continue;
    }
    if (index === 0 && start === 0 && end === 0) continue;
    out.push(s.slice(index, start));
    index = end;
  }
  if (index === 0) return [s];
  if (limit <= 0 || out.length < limit) out.push(s.slice(index));
  return out;
}

/** split(str, pattern, limit = -1): an array of the pieces (an empty pattern splits into characters). */
const split: Kernel = (args, n) => {
  const [a, p, l] = args;
  const x = source(a!);
  const re = patternAt(p!, 'split');
  const limits = l ? int32s(l, n) : null;
  const validity = validityAll(args, n);
  const offsets = new Int32Array(n + 1);
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) {
    if (isValid(validity, i)) {
      const s = textAt(x, i);
      const pattern = re(i);
      const limit = limits ? limits[i]! : -1;
      if (s !== '' && pattern.regex.source === '(?:)') {
        // Spark: an empty pattern splits into characters (at most limit, the last holding the rest).
        const chars = [...s];
        const k = limit > 0 && limit < chars.length ? limit : chars.length;
        for (let c = 0; c < k - 1; c++) pieces.push(chars[c]!);
        pieces.push(chars.slice(k - 1).join(''));
      } else for (const piece of javaSplit(s, pattern.global, limit)) pieces.push(piece);
    }
    offsets[i + 1] = pieces.length;
  }
  return listVec('string', strings(pieces, x.data.length), offsets, validity);
};

export const REGEXP_KERNELS = {
  split,
  regexp_extract_all: regexpExtractAll,
  regexp_extract: regexpExtract,
  regexp_replace: regexpReplace,
  rlike,
} satisfies Readonly<Record<string, Kernel>>;
