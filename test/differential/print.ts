/**
 * Differential test, printing: a (shrunk) failing case as the source of a ready-to-paste
 * regression test for test/regressions/ — the two tables' rows, the Stratus DSL, the DuckDB SQL
 * and the check — using the helpers of ./regression.ts.
 *
 * @example
 * console.log(regressionSource(failingCase, built, 'NULL group keys split', 'seed 7, run 12'));
 */
import type { Built, Check } from './build.js';
import { codeString, numberCode } from './dual.js';
import type { Case, TableSpec } from './model.js';
import type { Value } from './values.js';

function valueCode(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return codeString(v);
  if (typeof v === 'number') return numberCode(v);
  return String(v);
}

function tableCode(t: TableSpec, indent: string): string {
  const cols = t.columns.map((c) => `['${c.name}', '${c.type}']`).join(', ');
  const rows = t.rows.map((r) => `${indent}    [${r.map(valueCode).join(', ')}],`).join('\n');
  return [
    '{',
    `${indent}  columns: [${cols}],`,
    `${indent}  rows: [${rows ? `\n${rows}\n${indent}  ` : ''}],`,
    `${indent}  writer: '${t.writer}',`,
    `${indent}  rowGroupSize: ${t.rowGroupSize},`,
    `${indent}  files: ${t.files},`,
    ...(t.repeat > 1 ? [`${indent}  repeat: ${t.repeat},`] : []),
    `${indent}}`,
  ].join('\n');
}

function checkCode(c: Check): string {
  switch (c.kind) {
    case 'multiset':
      return `{ kind: 'multiset' }`;
    case 'ordered':
      return `{ kind: 'ordered', keys: [${c.keys.join(', ')}] }`;
    case 'limited':
      return `{ kind: 'limited', n: ${c.n}, keys: ${c.keys ? `[${c.keys.join(', ')}]` : 'null'}, sqlAll: ${JSON.stringify(c.sqlAll)} }`;
    default:
      return c satisfies never;
  }
}

/** The DSL functions a pipeline's code uses (for the import line). */
const DSL_NAMES = [
  'avg',
  'broadcast',
  'coalesce',
  'col',
  'concat',
  'count',
  'countDistinct',
  'date',
  'length',
  'lit',
  'max',
  'min',
  'sum',
  'when',
];

/** Source of a vitest file reproducing one case. */
export function regressionSource(c: Case, built: Built, title: string, origin: string, difference: string): string {
  const used = DSL_NAMES.filter((n) => new RegExp(`\\b${n}\\(`).test(built.code));
  return `/**
 * Regression (differential test, ${origin}): ${title}.
 * Difference when found:
${difference
  .split('\n')
  .map((l) => ` *   ${l}`)
  .join('\n')}
 */
import { it } from 'vitest';
${used.length ? `import { ${used.join(', ')} } from '../../src/index.js';\n` : ''}import { regressionContext } from '../differential/regression.js';

const ctx = regressionContext();

it('${title.replaceAll("'", "\\'")}', async () => {
  const t = await ctx.tables({
    a: ${tableCode(c.a, '    ')},${built.code.includes('t.b') ? `\n    b: ${tableCode(c.b, '    ')},` : ''}
  }${c.config ? `, ${c.config}` : ''});
  await ctx.expectSame(
    ${built.code},
    ${JSON.stringify(built.sql)},
    ${checkCode(built.check)},${c.action === 'count' ? "\n    'count'," : ''}
  );
});
`;
}
