/**
 * The error taxonomy: a code names one kind of failure, so it belongs to one category (callers
 * and the driver's fatal-code list match on codes). Read from the sources, where every error is
 * raised as `new <Category>Error('<CODE>', …)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const CATEGORY: Record<string, string> = {
  PlanError: 'plan',
  SchemaError: 'schema',
  ExecutionError: 'execution',
  StorageError: 'storage',
  ResourceError: 'resources',
  InternalError: 'internal',
};

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('error codes', () => {
  it('each code belongs to one category', () => {
    const seen = new Map<string, Map<string, string>>();
    for (const file of ['src', 'planner', 'operators'].flatMap(sources)) {
      const text = readFileSync(file, 'utf8');
      const raised = [
        ...[...text.matchAll(/new (\w+Error)\(\s*'([A-Z0-9_]+)'/g)].flatMap((m) =>
          CATEGORY[m[1]!] ? [[CATEGORY[m[1]!]!, m[2]!] as const] : [],
        ),
        ...[...text.matchAll(/new StratusError\(\s*'(\w+)',\s*'([A-Z0-9_]+)'/g)].map((m) => [m[1]!, m[2]!] as const),
      ];
      for (const [category, code] of raised) {
        const at = seen.get(code) ?? new Map<string, string>();
        at.set(category, path.relative(ROOT, file));
        seen.set(code, at);
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    const shared = [...seen].filter(([, at]) => at.size > 1).map(([code, at]) => `${code}: ${[...at].join(' ')}`);
    expect(shared).toEqual([]);
  });
});
