/**
 * SQL text → node-sql-parser AST (PostgreSQL dialect), with errors that name the position.
 * Rewrites happen first, outside strings and comments, for SQL the parser's PostgreSQL grammar
 * lacks: `substring(x from a for b)` becomes `substring(x, a, b)`, `x RLIKE p` the operator `~`
 * (`rewriteRlike`), and `GROUPING SETS (...)` calls (./groupingSets.ts).
 */
import parserPkg from 'node-sql-parser';
import { PlanError } from '../../planner/errors.js';
import { rewriteGroupingSets } from './groupingSets.js';

const { Parser } = parserPkg;
const parser = new Parser();

/** A node of the parser's AST: loosely typed, read by the translator with checks. */
// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is untyped JSON
export type Ast = any;

export interface SqlPosition {
  readonly line: number;
  readonly column: number;
}

/** Where a node starts, when the parser recorded it. */
export function positionOf(node: Ast): SqlPosition | null {
  const start = node?.loc?.start;
  return start ? { line: start.line, column: start.column } : null;
}

/** ` at line L, column C` for messages, or ''. */
export function at(pos: SqlPosition | null): string {
  return pos ? ` at line ${pos.line}, column ${pos.column}` : '';
}

/** An unsupported construct, named, with its position when known. */
export function unsupported(construct: string, node?: Ast, hint = ''): PlanError {
  const pos = positionOf(node);
  return new PlanError('SQL_UNSUPPORTED', `SQL: ${construct} is not supported${at(pos)}${hint ? `; ${hint}` : ''}`, {
    construct,
    ...(pos ?? {}),
  });
}

/** Parse one SELECT statement (optionally with WITH). */
export function parseSelect(text: string): Ast {
  if (typeof text !== 'string' || !text.trim())
    throw new PlanError('SQL_PARSE', 'SQL: expected a SELECT statement, got empty text');
  let ast: Ast;
  try {
    ast = parser.astify(rewriteGroupingSets(rewriteRlike(rewriteSubstring(text))), {
      database: 'postgresql',
      parseOptions: { includeLocations: true },
    });
  } catch (e) {
    const err = e as { message?: string; location?: { start?: { line: number; column: number } }; found?: string };
    const start = err.location?.start;
    const found =
      err.found === undefined ? '' : err.found === null ? ' (found end of input)' : ` (found '${err.found}')`;
    throw new PlanError(
      'SQL_PARSE',
      `SQL: syntax error${start ? ` at line ${start.line}, column ${start.column}` : ''}${found}`,
      { ...(start ? { line: start.line, column: start.column } : {}), parser: err.message?.slice(0, 300) },
    );
  }
  const stmts = (Array.isArray(ast) ? ast : [ast]).map(fixBooleanPrecedence);
  if (stmts.length !== 1) throw unsupported(`${stmts.length} statements in one call (one SELECT per sql())`);
  const stmt = stmts[0];
  if (stmt.type !== 'select') throw unsupported(`statement ${String(stmt.type).toUpperCase()}`, stmt, 'only SELECT');
  return stmt;
}

const isAndOr = (n: Ast): boolean =>
  n?.type === 'binary_expr' && ['AND', 'OR'].includes(String(n.operator).toUpperCase());

/**
 * The parser (5.4.0, postgresql) gives AND and OR one precedence: in WHERE it associates left
 * (`a or b and c` → `(a or b) and c`), in a select list right. Each unparenthesized chain of
 * AND/OR is flattened in text order and rebuilt with AND binding tighter than OR, left to right;
 * a parenthesized group (`parentheses: true`) stays one operand. Applied to the whole tree.
 */
export function fixBooleanPrecedence(node: Ast): Ast {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(fixBooleanPrecedence);
  if (isAndOr(node)) {
    const seq: Ast[] = [];
    const flatten = (n: Ast, top: boolean): void => {
      if (isAndOr(n) && (top || !n.parentheses)) {
        flatten(n.left, false);
        seq.push(String(n.operator).toUpperCase());
        flatten(n.right, false);
      } else seq.push(fixBooleanPrecedence(n));
    };
    flatten(node, true);
    const bin = (operator: string, left: Ast, right: Ast): Ast => ({
      type: 'binary_expr',
      operator,
      left,
      right,
      loc: left.loc,
    });
    const groups: Ast[][] = [[seq[0]]];
    for (let i = 1; i < seq.length; i += 2) {
      if (seq[i] === 'OR') groups.push([seq[i + 1]]);
      else groups.at(-1)!.push(seq[i + 1]);
    }
    const rebuilt = groups.map((g) => g.reduce((a, b) => bin('AND', a, b))).reduce((a, b) => bin('OR', a, b));
    return node.parentheses ? { ...rebuilt, parentheses: true } : rebuilt;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = v && typeof v === 'object' ? fixBooleanPrecedence(v) : v;
  return out;
}

/**
 * Spark's `x [NOT] RLIKE p` / `x [NOT] REGEXP p` → PostgreSQL's `x ~ p` / `x !~ p`, which the
 * parser knows (translated back to rlike in ./expr.ts). Quoted strings, quoted identifiers and
 * comments are left alone, as are calls `rlike(…)`; the operator is padded with spaces to the
 * keywords' length so that error positions stay those of the text as written.
 */
export function rewriteRlike(text: string): string {
  return text.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)|\b(not\s+)?(?:rlike|regexp)\b(?!\s*\()/gi,
    (m: string, skip: string | undefined, not: string | undefined) => skip ?? (not ? '!~' : '~').padEnd(m.length),
  );
}

/**
 * `substring(e from a [for b])` → `substring(e, a[, b])`: scans the text once, skipping quoted
 * strings, quoted identifiers and comments; FROM/FOR are replaced only at the call's top level.
 */
export function rewriteSubstring(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  const stack: boolean[] = []; // per open paren: is it a substring( call
  while (i < n) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < n && !(text[j] === ch && text[j + 1] !== ch)) j += text[j] === ch ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === '-' && text[i + 1] === '-') {
      const j = text.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const j = text.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '(') {
      stack.push(/substring\s*$/i.test(out) && !/[\w$]substring\s*$/i.test(out));
      out += ch;
      i++;
      continue;
    }
    if (ch === ')') {
      stack.pop();
      out += ch;
      i++;
      continue;
    }
    if (stack.at(-1) && /[a-z]/i.test(ch) && !/[\w$]/.test(out.at(-1) ?? ' ')) {
      const word = /^[a-z_][\w$]*/i.exec(text.slice(i))![0];
      const lower = word.toLowerCase();
      out += lower === 'from' || lower === 'for' ? ',' : word;
      i += word.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
