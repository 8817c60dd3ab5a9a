/**
 * GROUP BY items as keys and grouping sets: plain keys, ROLLUP(...) and CUBE(...) (which the
 * parser gives as function calls), combined as SQL does — `GROUP BY a, ROLLUP(b, c)` is the
 * cross product {a} × {(b, c), (b), ()}. The sets are positions in the key list; none when every
 * item is a plain key.
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
