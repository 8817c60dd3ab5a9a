/**
 * GROUP BY items as keys and grouping sets: plain keys, ROLLUP(...), CUBE(...) (which the parser
 * gives as function calls) and GROUPING SETS (...) (which it lacks: `rewriteGroupingSets` turns
 * it into calls first), combined as SQL does — `GROUP BY a, ROLLUP(b, c)` is the cross product
 * {a} × {(b, c), (b), ()}. The sets are positions in the key list; none when every item is a
 * plain key.
 */
import { cubeSets, rollupSets } from '../api/verbs/grouping.js';
import type { Ast } from './parse.js';

export function groupingSetsOf(
  items: readonly Ast[],
  keyOf: (g: Ast) => Ast,
): { keys: Ast[]; sets: number[][] | null } {
  const keys: Ast[] = [];
  const seen = new Map<string, number>();
  const position = (g: Ast): number => {
    const node = keyOf(g);
    const text = JSON.stringify(node);
    if (!seen.has(text)) {
      seen.set(text, keys.length);
      keys.push(node);
    }
    return seen.get(text)!;
  };
  let grouping = false;
  // Each item's sets; the whole GROUP BY is their cross product.
  const parts = items.map((g): number[][] => {
    const fn = g?.type === 'function' ? String(g.name?.name?.[0]?.value ?? '').toLowerCase() : '';
    if (fn === SETS_CALL) {
      grouping = true;
      return (g.args?.value ?? []).map((s: Ast) =>
        s?.type === 'function' && String(s.name?.name?.[0]?.value).toLowerCase() === SET_CALL
          ? (s.args?.value ?? []).map(position)
          : [position(s)],
      );
    }
    if (fn !== 'rollup' && fn !== 'cube') return [[position(g)]];
    grouping = true;
    const at = (g.args?.value ?? []).map(position);
    const sets = fn === 'rollup' ? rollupSets(at.length) : cubeSets(at.length);
    return sets.map((s) => s.map((j) => at[j]!));
  });
  if (!grouping) return { keys, sets: null };
  const sets = parts.reduce<number[][]>(
    (acc, part) => acc.flatMap((s) => part.map((p) => [...new Set([...s, ...p])])),
    [[]],
  );
  return { keys, sets };
}

const SETS_CALL = '__grouping_sets';
const SET_CALL = '__set';

/**
 * `GROUPING SETS ((a, b), (a), ())` → `__grouping_sets(__set(a, b), __set(a), __set())`, which
 * the parser reads as calls (outside strings, quoted names and comments); a set without
 * parentheses (`GROUPING SETS (a, b)`) stays a plain expression, a one-key set. Positions in
 * errors after such a clause, on its line, are those of the rewritten text (a few columns on).
 */
export function rewriteGroupingSets(text: string): string {
  const code = maskLiterals(text);
  const edits: { at: number; end: number; by: string }[] = [];
  for (const m of code.matchAll(/\bgrouping\s+sets\s*\(/gi)) {
    const open = m.index + m[0].length - 1;
    edits.push({ at: m.index, end: open, by: SETS_CALL });
    let depth = 0;
    for (let i = open; i < code.length; i++) {
      if (code[i] === '(') {
        depth++;
        // An element that starts with '(' is a parenthesized set.
        if (depth === 2 && /[(,]\s*$/.test(code.slice(open, i))) edits.push({ at: i, end: i, by: SET_CALL });
      } else if (code[i] === ')' && --depth === 0) break;
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.by + out.slice(e.end);
  return out;
}

/** The text with the insides of strings, quoted names and comments blanked (same length). */
function maskLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
}
