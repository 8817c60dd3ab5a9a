/**
 * Signatures of Spark's regular-expression and string-editing functions (kernels in
 * operators/regexp.ts and operators/stringEdits.ts). A literal pattern is compiled here, so an
 * invalid one (or a Java form JS cannot express, planner/regex.ts) fails at plan time naming
 * the pattern; so do a literal replacement that names a missing group and a literal group index
 * past the pattern's groups (Spark raises those when a row matches).
 */
import { PlanError } from './errors.js';
import type { ArgType, FunctionSignature } from './functions.js';
import { type CompiledRegex, javaRegex, javaReplacement } from './regex.js';
import type { DataType } from './types.js';

const is = (t: ArgType | undefined, ...ok: DataType[]): boolean => t === undefined || t === 'null' || ok.includes(t);
const str = (t: ArgType | undefined) => is(t, 'string');
const int = (t: ArgType | undefined) => is(t, 'int32');

/** The compiled literal pattern at `at`, or null when the pattern is not a literal. */
function literalRegex(literals: readonly unknown[], at: number, fn: string): CompiledRegex | null {
  const p = literals[at];
  return typeof p === 'string' ? javaRegex(p, fn) : null;
}

/** regexp_extract / regexp_extract_all: a string, a pattern and a group index within the pattern's groups. */
const extracting = (fn: string, out: DataType): FunctionSignature => ({
  minArgs: 2,
  maxArgs: 3,
  result: (a, literals) => {
    if (!str(a[0]) || !str(a[1]) || !int(a[2])) return 'a string, a pattern and a group index';
    const re = literalRegex(literals, 1, fn);
    const idx = literals[2];
    if (typeof idx === 'number' && (idx < 0 || (re && idx > re.groups)))
      throw new PlanError(
        'BAD_GROUP_INDEX',
        `${fn}: group index ${idx} is out of range: the pattern '${literals[1]}' has ${re?.groups ?? 'no'} group(s)` +
          (idx < 0 ? ' and the index cannot be negative' : ''),
        { function: fn, pattern: literals[1], index: idx },
      );
    return out;
  },
});

const regexpReplace: FunctionSignature = {
  minArgs: 3,
  maxArgs: 4,
  result: (a, literals) => {
    if (!str(a[0]) || !str(a[1]) || !str(a[2]) || !int(a[3]))
      return 'a string, a pattern, a replacement and a position';
    const re = literalRegex(literals, 1, 'regexp_replace');
    if (re && typeof literals[2] === 'string') javaReplacement(literals[2], re, 'regexp_replace');
    const pos = literals[3];
    if (typeof pos === 'number' && pos < 1)
      throw new PlanError('BAD_ARGUMENT', `regexp_replace: position must be 1 or more, got ${pos}`, {
        function: 'regexp_replace',
        position: pos,
      });
    return 'string';
  },
};

const rlike: FunctionSignature = {
  minArgs: 2,
  maxArgs: 2,
  result: (a, literals) => {
    if (!str(a[0]) || !str(a[1])) return 'a string and a pattern';
    literalRegex(literals, 1, 'rlike');
    return 'bool';
  },
};

const strings =
  (n: number, out: DataType) =>
  (a: readonly ArgType[]): DataType | string =>
    a.length <= n && a.every((t) => str(t)) ? out : `${n === 1 ? 'a string' : `${n} strings`}`;

const pad: FunctionSignature = {
  minArgs: 2,
  maxArgs: 3,
  result: (a) => (str(a[0]) && int(a[1]) && str(a[2]) ? 'string' : 'a string, a length and a pad string'),
};

const split: FunctionSignature = {
  minArgs: 2,
  maxArgs: 3,
  result: (a, literals) => {
    if (!str(a[0]) || !str(a[1]) || !int(a[2])) return 'a string, a pattern and a limit';
    literalRegex(literals, 1, 'split');
    return 'list<string>';
  },
};

export const STRING_FUNCTIONS = {
  /** The pieces between matches, as list<string>; at most `limit` when positive (the last holds the rest). */
  split,
  /** The group `idx` (default 1; 0 = the whole match) of the first match, '' when none. */
  regexp_extract: extracting('regexp_extract', 'string'),
  /** The group `idx` (default 1) of every match, as list<string> ('' for a group that took no part). */
  regexp_extract_all: extracting('regexp_extract_all', 'list<string>'),
  /** Every match replaced (Java `$1` / `${name}` group references), from `position` (1-based). */
  regexp_replace: regexpReplace,
  /** Whether the pattern matches somewhere in the string (Spark's rlike / regexp_like / regexp). */
  rlike,
  /** Every occurrence of `search` replaced (default ''); an empty search leaves the string. */
  replace: { minArgs: 2, maxArgs: 3, result: strings(3, 'string') },
  /** Padded on the left (right) with `pad` (default ' ') to `len` characters, or cut to them. */
  lpad: pad,
  rpad: pad,
  /** 1-based character position of the first occurrence, 0 when absent. */
  instr: { minArgs: 2, maxArgs: 2, result: strings(2, 'int32') },
  /** locate(substr, str, pos): instr from character `pos` (1-based); 0 when pos < 1 or is NULL. */
  locate: {
    minArgs: 2,
    maxArgs: 3,
    result: (a) => (str(a[0]) && str(a[1]) && int(a[2]) ? 'int32' : 'a substring, a string and a position'),
  },
  /** Lower case with the first letter of each space-separated word in title case. */
  initcap: { minArgs: 1, maxArgs: 1, result: strings(1, 'string') },
  /** Characters of `from` replaced by those of `to` at the same place (deleted past its end). */
  translate: { minArgs: 3, maxArgs: 3, result: strings(3, 'string') },
} as const satisfies Readonly<Record<string, FunctionSignature>>;
