/**
 * Decimal arithmetic arguments of sums (`sum(price * (1 - discount))`) computed without a
 * temporary vector per operation: each + - * of the argument trees writes its exact doubles
 * into a buffer of its own, reused batch after batch, and a subexpression that several
 * arguments share (TPC-H Q1's discounted price) is computed once per batch. Every step takes the
 * fast kernels' own proof (`exactStep`: scales that need no rounding, bounds below 2^53 and the
 * result's precision); when a step cannot be proven, or an operand holds nulls, that argument is
 * evaluated by the ordinary kernels instead, so the values are the kernels' exactly.
 *
 * A result lives until the next chunk: only accumulators that read their input at once (the
 * decimal sum and avg) may be given one.
 */
import { typeOf } from '../../planner/exprType.js';
import type { Expr } from '../../planner/expr.js';
import { exprToString } from '../../planner/expr.js';
import type { DecimalType, Schema } from '../../planner/types.js';
import { decimalParts, isDecimal } from '../../planner/types.js';
import { decimalVecOfDoubles, EXACT_LIMIT } from '../decimal.js';
import { compileExpr, type Evaluator, type UdfTable } from '../eval.js';
import { type ExactSide, type ExactStep, exactLoop, exactOperand, exactStep } from '../kernels.js';
import { isScalar } from '../scalar.js';
import type { Batch, DecimalVec } from '../vector.js';

type Exact = ExactSide & { readonly scale: number };

type Node =
  | {
      readonly kind: 'leaf';
      readonly ev: Evaluator;
      /** This batch's values (null: not exact), and the batch they are of. */
      exact: Exact | null;
      batch: number;
    }
  | {
      readonly kind: 'op';
      readonly op: '+' | '-' | '*';
      readonly left: Node;
      readonly right: Node;
      readonly type: DecimalType;
      readonly scale: number;
      /** This batch's proof (null: not provable), and the batch it is of. */
      step: ExactStep | null;
      batch: number;
      /** The current chunk's results, and the chunk they are of. */
      readonly buf: Float64Array;
      chunk: number;
    };

/** Rows computed at a time: every buffer of a chunk stays in the processor's cache. */
export const EXACT_CHUNK = 4096;

const isExactOp = (e: Expr): e is Expr & { kind: 'binary'; op: '+' | '-' | '*' } =>
  e.kind === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*');

/**
 * Whether the tree's leaves are columns and literals only: a leaf is evaluated again by the
 * kernels when its argument is not provable, which must cost nothing and call no user code.
 */
function plainLeaves(e: Expr, schema: Schema): boolean {
  if (isExactOp(e)) {
    const type = typeOf(e, schema);
    if (type !== 'null' && isDecimal(type)) return plainLeaves(e.left, schema) && plainLeaves(e.right, schema);
  }
  return e.kind === 'col' || e.kind === 'lit';
}

/**
 * Per batch, `prepare` evaluates the leaves and proves every step from their bounds; then the
 * provable arguments are computed chunk by chunk (`chunk`, then `value` for each), each step
 * into its own buffer of EXACT_CHUNK rows.
 */
export class ExactArgs {
  /** Each argument's root (null: not a decimal + - * tree; the caller evaluates it). */
  private readonly roots: (Node | null)[];
  private batchNo = 0;
  private chunkNo = 0;
  private from = 0;
  private to = 0;

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
          ? {
              kind: 'op',
              op: e.op,
              left: build(e.left),
              right: build(e.right),
              type,
              scale: decimalParts(type).scale,
              step: null,
              batch: 0,
              buf: new Float64Array(EXACT_CHUNK),
              chunk: 0,
            }
          : { kind: 'leaf', ev: compileExpr(e, schema, udfs), exact: null, batch: 0 };
      nodes.set(text, node);
      return node;
    };
    this.roots = args.map((a, i) => {
      const e = a?.kind === 'alias' ? a.input : a;
      if (!e || !eligible[i] || !isExactOp(e) || !plainLeaves(e, schema)) return null;
      const root = build(e);
      return root.kind === 'op' ? root : null;
    });
  }

  /**
   * Evaluates batch `b`'s leaves and proves the steps; returns the arguments computed here for
   * it: every step provable and the result, which a sum reads, below 2^52. The others are the
   * kernels' to evaluate.
   */
  prepare(b: Batch, n: number): number[] {
    this.batchNo++;
    const ready: number[] = [];
    this.roots.forEach((root, i) => {
      if (root?.kind !== 'op') return;
      const r = this.prove(root, b, n);
      if (r && r.max < EXACT_LIMIT) ready.push(i);
    });
    return ready;
  }

  /** Starts rows [from, to) of the prepared batch. */
  chunk(from: number, to: number): void {
    this.chunkNo++;
    this.from = from;
    this.to = to;
  }

  /** Argument i (one `prepare` returned) over the current chunk's rows, valid until the next chunk. */
  value(i: number): DecimalVec {
    const root = this.roots[i] as Node & { kind: 'op' };
    const n = this.to - this.from;
    this.compute(root);
    return decimalVecOfDoubles(root.type, root.buf.subarray(0, n), root.step!.max, null);
  }

  /** A node's bound and scale for this batch (null: not exact). */
  private prove(node: Node, b: Batch, n: number): { max: number; scale: number } | null {
    if (node.kind === 'leaf') {
      if (node.batch !== this.batchNo) {
        const o = node.ev(b);
        node.exact = isScalar(o) || o.validity === null ? exactOperand(o, n) : null;
        node.batch = this.batchNo;
      }
      return node.exact;
    }
    if (node.batch !== this.batchNo) {
      const x = this.prove(node.left, b, n);
      const y = x && this.prove(node.right, b, n);
      // The step's bound (below 2^53) proves it exact on exact operands; only the result a sum
      // reads must stay below 2^52 (checked by `prepare`).
      node.step = x && y ? exactStep(node.op, x.scale, x.max, y.scale, y.max, node.type) : null;
      node.batch = this.batchNo;
    }
    return node.step && { max: node.step.max, scale: node.scale };
  }

  /** A proven node's values over the current chunk. */
  private side(node: Node): ExactSide {
    if (node.kind === 'op') {
      this.compute(node);
      return { col: node.buf, value: 0, max: node.step!.max };
    }
    const e = node.exact!;
    return e.col ? { col: e.col.subarray(this.from, this.to), value: 0, max: e.max } : e;
  }

  private compute(node: Node & { kind: 'op' }): void {
    if (node.chunk === this.chunkNo) return;
    exactLoop(node.step!, this.side(node.left), this.side(node.right), node.buf, this.to - this.from);
    node.chunk = this.chunkNo;
  }
}
