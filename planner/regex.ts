/**
 * Spark's regular expressions are Java's (java.util.regex); Stratus runs them on JavaScript's
 * RegExp (with the `u` flag, so `.` and classes match code points as Java does). `javaRegex`
 * translates the Java forms JS spells differently and refuses, naming the pattern, the ones it
 * cannot express; `javaReplacement` parses a `$1` / `${name}` / `\$` replacement as Java's
 * Matcher.appendReplacement does. Differences that remain are listed in docs/functions.md.
 */
import { PlanError } from './errors.js';

/** A compiled pattern: the JS regex (non-global), its group count and group names. */
export interface CompiledRegex {
  readonly regex: RegExp;
  readonly groups: number;
  readonly names: readonly string[];
}

/** One piece of a parsed replacement: literal text or a group (number or name). */
export type ReplacementPart = string | { readonly group: number | string };

const bad = (pattern: string, why: string, fn: string) =>
  new PlanError('BAD_REGEX', `${fn}: invalid regular expression '${pattern}': ${why}`, { function: fn, pattern });

// Java's line terminators (without UNIX_LINES); JS `.` and `$` know only \n \r \u2028 \u2029.
const EOL = '\\n\\r\\u0085\\u2028\\u2029';
const END = `(?=(?:\\r\\n|[${EOL}])?(?![\\s\\S]))`;
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const JAVA_VSPACE = '\\n\\x0B\\f\\r\\u0085\\u2028\\u2029';
const JAVA_HSPACE = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000';
/** Java's POSIX classes (US-ASCII only, as in Java without UNICODE_CHARACTER_CLASS). */
const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: JAVA_SPACE,
};
/** Characters JS (u flag) lets a backslash escape outside a class; inside one, also '-'. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

/** A Java regex as a JS RegExp (non-global), or a PlanError naming the pattern and `fn`. */
export function javaRegex(pattern: string, fn: string): CompiledRegex {
  let flags = 'u';
  let p = 0;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += flags.includes(f) ? '' : f;
      else if (f !== 'u') throw bad(pattern, `the inline flag (?${f}) is not supported (only i, m, s, u)`, fn);
    }
    p = lead[0].length;
  }
  const dotAll = flags.includes('s');
  const multiline = flags.includes('m');
  let out = '';
  let inClass = 0; // position in the class: 0 outside, else 1 + characters seen
  while (p < pattern.length) {
    const c = pattern[p]!;
    if (c === '\\') {
      const [text, next] = javaEscape(pattern, p + 1, inClass > 0, fn);
      out += text;
      p = next;
      if (inClass) inClass++;
      continue;
    }
    if (inClass) {
      if (c === ']' && inClass > 1) inClass = 0;
      else if (c === ']') {
        out += '\\]'; // first in a class, ']' is literal in Java (JS would close an empty class)
        inClass++;
        p++;
        continue;
      } else if (c === '[') throw bad(pattern, 'nested character classes and unions ([a[b]]) are not supported', fn);
      else if (c === '&' && pattern[p + 1] === '&')
        throw bad(pattern, 'character class intersections (&&) are not supported', fn);
      else if (!(c === '^' && inClass === 1)) inClass++;
      out += c;
      p++;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
    } else if (c === '.') out += dotAll ? '.' : `[^${EOL}]`;
    else if (c === '$') out += multiline ? '$' : END;
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(p))) {
      const q = /^\{\d+(,\d*)?\}/.exec(pattern.slice(p))![0];
      out += q;
      p += q.length;
      possessive(pattern, p, fn);
      continue;
    } else if (c === '}' || c === ']') out += `\\${c}`;
    else if (c === '(' && pattern.startsWith('(?>', p)) throw bad(pattern, 'atomic groups (?>…) are not supported', fn);
    else if (c === '(' && /^\(\?[a-zA-Z-]+[:)]/.test(pattern.slice(p)))
      throw bad(pattern, 'inline flags are supported only at the start, as (?i)', fn);
    else {
      out += c;
      if (c === '*' || c === '+' || c === '?') possessive(pattern, p + 1, fn);
    }
    p++;
  }
  if (inClass) throw bad(pattern, 'unclosed character class', fn);
  let regex: RegExp;
  try {
    regex = new RegExp(out, flags);
  } catch (e) {
    throw bad(pattern, (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, ''), fn);
  }
  const probe = new RegExp(`${out}|`, flags).exec('')!;
  return { regex, groups: probe.length - 1, names: Object.keys(probe.groups ?? {}) };
}

/** Java's possessive quantifiers (`a*+`) have no JS form. */
function possessive(pattern: string, p: number, fn: string): void {
  if (pattern[p] === '+') throw bad(pattern, 'possessive quantifiers (*+, ++, ?+, {n}+) are not supported', fn);
}

/** A Java escape at `p` (after the backslash) as JS text, and the position after it. */
function javaEscape(pattern: string, p: number, inClass: boolean, fn: string): [string, number] {
  const c = pattern[p];
  if (c === undefined) throw bad(pattern, 'a trailing backslash escapes nothing', fn);
  const literal = (ch: string) => (SYNTAX.has(ch) || (inClass && ch === '-') ? `\\${ch}` : ch);
  if (!/[a-zA-Z0-9]/.test(c)) return [literal(c), p + 1];
  switch (c) {
    case 'Q': {
      const end = pattern.indexOf('\\E', p + 1);
      const text = pattern.slice(p + 1, end < 0 ? undefined : end);
      return [[...text].map(literal).join(''), end < 0 ? pattern.length : end + 2];
    }
    case 'E':
      return ['', p + 1];
    case 'A':
      return ['(?<![\\s\\S])', p + 1];
    case 'z':
      return ['(?![\\s\\S])', p + 1];
    case 'Z':
      return [END, p + 1];
    case 'a':
      return ['\\x07', p + 1];
    case 'e':
      return ['\\x1B', p + 1];
    case 's':
      return [inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`, p + 1];
    case 'S':
      return [inClass ? '\\S' : `[^${JAVA_SPACE}]`, p + 1];
    case 'h':
      return [inClass ? JAVA_HSPACE : `[${JAVA_HSPACE}]`, p + 1];
    case 'v':
      return [inClass ? JAVA_VSPACE : `[${JAVA_VSPACE}]`, p + 1];
    case 'H':
    case 'V':
      if (inClass) throw bad(pattern, `\\${c} inside a character class is not supported`, fn);
      return [`[^${c === 'H' ? JAVA_HSPACE : JAVA_VSPACE}]`, p + 1];
    case 'R':
      return [`(?:\\r\\n|[${JAVA_VSPACE}])`, p + 1];
    case '0': {
      const m = /^[0-3]?[0-7]{1,2}/.exec(pattern.slice(p + 1));
      if (!m) throw bad(pattern, '\\0 must be followed by octal digits', fn);
      return [`\\u{${Number.parseInt(m[0], 8).toString(16)}}`, p + 1 + m[0].length];
    }
    case 'x':
      if (pattern[p + 1] === '{') {
        const m = /^\{([0-9a-fA-F]+)\}/.exec(pattern.slice(p + 1));
        if (!m) throw bad(pattern, 'bad \\x{…} escape', fn);
        return [`\\u{${m[1]}}`, p + 1 + m[0].length];
      }
      return [`\\${c}`, p + 1];
    case 'p':
    case 'P': {
      const m = /^\{(?:Is)?(\w+)\}/.exec(pattern.slice(p + 1));
      const posix = m && POSIX[m[1]!];
      if (posix) {
        if (inClass && c === 'P') throw bad(pattern, `\\P{${m[1]}} inside a character class is not supported`, fn);
        return [inClass ? posix : `[${c === 'P' ? '^' : ''}${posix}]`, p + 1 + m[0].length];
      }
      return [`\\${c}`, p + 1];
    }
    case 'G':
    case 'X':
    case 'N':
      throw bad(pattern, `\\${c} is not supported`, fn);
    default:
      return [`\\${c}`, p + 1];
  }
}

/** Parse a Java replacement string (Matcher.appendReplacement) against a pattern's groups. */
export function javaReplacement(rep: string, re: CompiledRegex, fn: string): ReplacementPart[] {
  const fail = (why: string) =>
    new PlanError('BAD_REPLACEMENT', `${fn}: invalid replacement '${rep}': ${why}`, { function: fn, replacement: rep });
  const parts: ReplacementPart[] = [];
  let lit = '';
  let i = 0;
  while (i < rep.length) {
    const c = rep[i++]!;
    if (c === '\\') {
      if (i === rep.length) throw fail('a trailing backslash escapes nothing (write \\\\ for a backslash)');
      lit += rep[i++];
    } else if (c !== '$') lit += c;
    else {
      if (i === rep.length) throw fail("'$' at the end names no group (write \\$ for a dollar sign)");
      let group: number | string;
      if (rep[i] === '{') {
        const end = rep.indexOf('}', i);
        const name = end < 0 ? '' : rep.slice(i + 1, end);
        if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(name))
          throw fail('a named group reference (dollar, braces) needs a name of letters and digits');
        if (!re.names.includes(name)) throw fail(`no group named '${name}'`);
        group = name;
        i = end + 1;
      } else {
        if (!/[0-9]/.test(rep[i]!)) throw fail(`'$${rep[i]}' is not a group reference (write \\$ for a dollar sign)`);
        let n = Number(rep[i++]);
        // Further digits belong to the number while it stays a valid group (Java's rule).
        while (i < rep.length && /[0-9]/.test(rep[i]!) && n * 10 + Number(rep[i]) <= re.groups)
          n = n * 10 + Number(rep[i++]);
        if (n > re.groups) throw fail(`no group ${n} (the pattern has ${re.groups})`);
        group = n;
      }
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ group });
    }
  }
  if (lit) parts.push(lit);
  return parts;
}
