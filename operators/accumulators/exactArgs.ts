/**
 * Decimal arithmetic arguments of sums (`sum(price * (1 - discount))`) computed without a
 * temporary vector per operation: each + - * of the argument trees writes its exact doubles
 * into a buffer of its own, reused batch after batch, and a subexpression that several
 * arguments share (TPC-H Q1's discounted price) is computed once per batch. Every step takes the
 * fast kernels' own proof (`exactStep`: scales that need no rounding, bounds below 2^53 and the
 * result's precision); when a step cannot be proven, or an operand holds nulls, that argument is
 * evaluated by the ordinary kernels instead, so the values are the kernels' exactly.
 *
 * A result lives until the next batch: only accumulators that read their input at once (the
 * decimal sum and avg) may be given one.
 */
import { typeOf } from '../../planner/analyzer.js';
import type { Expr } from '../../planner/expr.js';
import { exprToString } from '../../planner/expr.js';
import type { DecimalType, Schema } from '../../planner/types.js';
import { decimalParts, isDecimal } from '../../planner/types.js';
import { decimalVecOfDoubles, EXACT_LIMIT } from '../decimal.js';
import { compileExpr, type Evaluator, type UdfTable } from '../eval.js';
import { type ExactSide, exactLoop, exactOperand, exactStep } from '../kernels.js';
import { isScalar } from '../scalar.js';
import type { Batch, DecimalVec } from '../vector.js';

type Exact = ExactSide & { readonly scale: number };

type Node =
  | { readonly kind: 'leaf'; readonly ev: Evaluator }
  | {
      readonly kind: 'op';
      readonly op: '+' | '-' | '*';
      readonly left: Node;
      readonly right: Node;
      readonly type: DecimalType;
      buf: Float64Array;
    };

const isExactOp = (e: Expr): e is Expr & { kind: 'binary'; op: '+' | '-' | '*' } =>
  e.kind === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*');

export class ExactArgs {
  /** Each argument's root (null: not a decimal + - * tree; the caller evaluates it). */
  private readonly roots: (Node | null)[];
  private readonly memo = new Map<Node, Exact | null>();
  /** The batch the memo holds results of. */
  private batchNo = -1;

  /** `args[i]` is compiled only where `eligible[i]` (its accumulator reads its input at once). */
  constructor(args: readonly (Expr | null)[], eligible: readonly boolean[], schema: Schema, udfs?: UdfTable) {
    const nodes = new Map<string, Node>();
    const build = (e: Expr): Node => {
      const text = exprToString(e);
      let node = nodes.get(text);
      if (node) return node;
      const type = typeOf(e, schema);
      node =
        isExactOp(e) && type !== 'null' && isDecimal(type)
          ? { kind: 'op', op: e.op, left: build(e.left), right: build(e.right), type, buf: new Float64Array(0) }
          : { kind: 'leaf', ev: compileExpr(e, schema, udfs) };
      nodes.set(text, node);
      return node;
    };
    this.roots = args.map((a, i) => {
      const e = a?.kind === 'alias' ? a.input : a;
      if (!e || !eligible[i] || !isExactOp(e)) return null;
      const root = build(e);
      return root.kind === 'op' ? root : null;
    });
  }

  /**
   * Argument i of batch `b` as a decimal column of exact doubles (valid until the next batch),
   * or null when it cannot be proven exact here (then evaluate it with the kernels).
   */
  value(i: number, b: Batch, n: number, batchNo: number): DecimalVec | null {
    if (batchNo !== this.batchNo) {
      this.batchNo = batchNo;
      this.memo.clear();
    }
    const root = this.roots[i];
    if (root?.kind !== 'op') return null;
    const r = this.eval(root, b, n);
    return r && r.max < EXACT_LIMIT ? decimalVecOfDoubles(root.type, r.col!.subarray(0, n), r.max, null) : null;
  }

  private eval(node: Node, b: Batch, n: number): Exact | null {
    const known = this.memo.get(node);
    if (known !== undefined) return known;
    let out: Exact | null = null;
    if (node.kind === 'leaf') {
      const o = node.ev(b);
      out = isScalar(o) || o.validity === null ? exactOperand(o, n) : null;
    } else {
      const x = this.eval(node.left, b, n);
      const y = x && this.eval(node.right, b, n);
      // The step's bound (below 2^53) proves it exact on exact operands; only the result a sum
      // reads must stay below 2^52 (checked by `value`).
      const step = x && y ? exactStep(node.op, x.scale, x.max, y.scale, y.max, node.type) : null;
      if (x && y && step) {
        if (node.buf.length < n) node.buf = new Float64Array(n);
        exactLoop(step, x, y, node.buf, n);
        out = { col: node.buf, value: 0, max: step.max, scale: decimalParts(node.type).scale };
      }
    }
    this.memo.set(node, out);
    return out;
  }
}
