/**
 * Binding a plan to its session time: the analyzer's pass that makes time explicit in the plan.
 * - `current_timestamp()`, `current_date()` and `unix_timestamp()` become literals of the job's
 *   start, so every task sees the same value (the driver binds when it plans the job).
 * - Zone-dependent functions get the session zone as their last argument (optional arguments
 *   padded with NULL); literal formats, units and zones are checked here, before anything runs.
 * - Operands that meet as timestamps agree on one type: the finer unit, an instant when either
 *   is one; dates and strings compared with timestamps become timestamps (literals are converted
 *   here, in the session zone). Where a column meets a literal the literal takes the column's type
 *   when it can exactly, so footer statistics still prune.
 * - Casts that need a zone become calls that carry it (to_timestamp, to_timestamp_ntz, to_date,
 *   date_format), so CAST kernels never guess one.
 * Literal conversion is in timeLiterals.ts; the pass over a plan node's expressions in
 * timeBindingNodes.ts.
 */
import { convertsExactly, literalValue, temporalLit } from './timeLiterals.js';
import { compilePattern } from './datetimePattern.js';
import { PlanError } from './errors.js';
import type { Expr, ExprOf } from './expr.js';
import { call, cast, exprToString, lit, transformExpr } from './expr.js';
import { functionSignature } from './functions.js';
import { dateText } from './time.js';
import { DATE_TRUNC_UNITS } from './timeFunctions.js';
import { checkTimeZone, offsetFn } from './timezones.js';
import type { DataType } from './types.js';
import { commonTemporalType, isTemporal, isTimestamp, timestampInfo } from './types.js';

/** The session time a plan is bound to: its zone and the job's start (epoch milliseconds). */
export interface TimeContext {
  readonly timeZone: string;
  readonly now: number;
}

type ExprType = DataType | 'null';
type TypeOf = (e: Expr) => ExprType;

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

export class TimeBinder {
  constructor(private readonly ctx: TimeContext) {
    checkTimeZone(ctx.timeZone);
  }

  private get zone(): Expr {
    return lit(this.ctx.timeZone);
  }

  /** An expression of type `from` as `to`: literals converted now, columns by a cast or a zone-carrying call. */
  convert(x: Expr, from: ExprType, to: DataType): Expr {
    if (from === to || from === 'null') return x;
    if (x.kind === 'lit' && (isTemporal(to) || from === 'string')) {
      const v = isTemporal(to) ? literalValue(x, to, this.ctx.timeZone) : null;
      if (v !== null) return temporalLit(v, to);
    }
    return this.castExpr(x, from, to);
  }

  /** CAST, or the zone-carrying call that does what the cast means. */
  castExpr(x: Expr, from: ExprType, to: DataType): Expr {
    if (from === 'null' || from === to) return cast(x, to);
    const f = timestampInfo(from);
    const t = timestampInfo(to);
    const z = this.zone;
    const NULL = lit(null);
    const then = (e: Expr, type: DataType) => (type === to ? e : cast(e, to));
    if (t && t.zone !== null && (from === 'string' || from === 'date' || (f && f.zone === null))) {
      const unit = f?.unit ?? 'us';
      return then(call('to_timestamp', [x, NULL, z]), `timestamp[${unit}, UTC]`);
    }
    if (f && f.zone !== null) {
      if (t && t.zone === null) return then(call('to_timestamp_ntz', [x, NULL, z]), `timestamp[${f.unit}]`);
      if (to === 'date') return call('to_date', [x, NULL, z]);
      if (to === 'string') return call('date_format', [x, NULL, z]);
    }
    return cast(x, to);
  }

  /** Bind one expression over its input schema. */
  bind(e: Expr, typeOf: TypeOf): Expr {
    return transformExpr(e, (x) => {
      switch (x.kind) {
        case 'call':
          return this.bindCall(x, typeOf);
        case 'binary':
          return COMPARISONS.has(x.op) ? this.alignPair(x, typeOf) : x;
        case 'in':
          return this.alignIn(x, typeOf);
        case 'case': {
          const out = typeOf(x);
          if (out === 'null' || !isTemporal(out)) return x;
          const to = (b: Expr) => this.convert(b, typeOf(b), out);
          return {
            ...x,
            branches: x.branches.map((b) => ({ when: b.when, then: to(b.then) })),
            otherwise: x.otherwise && to(x.otherwise),
          };
        }
        case 'cast': {
          const from = typeOf(x.input);
          return from !== 'null' && (isTemporal(from) || isTemporal(x.to)) ? this.castExpr(x.input, from, x.to) : x;
        }
        default:
          return x;
      }
    });
  }

  private alignPair(x: ExprOf<'binary'>, typeOf: TypeOf): Expr {
    const l = typeOf(x.left);
    const r = typeOf(x.right);
    const target = this.pairType(x.left, l, x.right, r);
    if (!target) return x;
    return { ...x, left: this.convert(x.left, l, target), right: this.convert(x.right, r, target) };
  }

  /** The type two compared operands meet in (null: not a temporal comparison). */
  private pairType(a: Expr, at: ExprType, b: Expr, bt: ExprType): DataType | null {
    if (at === 'null' || bt === 'null' || at === bt) return null;
    const ta = isTemporal(at);
    const tb = isTemporal(bt);
    if (!ta && !tb) return null;
    // A literal takes a column's type when it converts exactly.
    if (ta && b.kind === 'lit' && convertsExactly(b, at, this.ctx.timeZone)) return at;
    if (tb && a.kind === 'lit' && convertsExactly(a, bt, this.ctx.timeZone)) return bt;
    if (ta && tb) return commonTemporalType(at, bt);
    const t = ta ? at : bt;
    const other = ta ? bt : at;
    return other === 'string' || (other === 'date' && isTimestamp(t)) ? t : null;
  }

  private alignIn(x: ExprOf<'in'>, typeOf: TypeOf): Expr {
    const it = typeOf(x.input);
    if (it === 'null' || !isTemporal(it)) return x;
    let target: DataType = it;
    for (const item of x.list) {
      const t = typeOf(item);
      if (t === 'null' || t === target || convertsExactly(item, target, this.ctx.timeZone)) continue;
      target = (isTemporal(t) ? commonTemporalType(target, t) : null) ?? target;
    }
    return {
      ...x,
      input: this.convert(x.input, it, target),
      list: x.list.map((i) => this.convert(i, typeOf(i), target)),
    };
  }

  private bindCall(x: ExprOf<'call'>, typeOf: TypeOf): Expr {
    const { now, timeZone } = this.ctx;
    if (x.args.length === 0) {
      if (x.fn === 'current_timestamp') return temporalLit(BigInt(Math.floor(now)) * 1000n, 'timestamp[us, UTC]');
      if (x.fn === 'current_date') {
        const s = Math.floor(now / 1000);
        return lit(dateText(Math.floor((s + offsetFn(timeZone)(s)) / 86400)), 'date');
      }
      if (x.fn === 'unix_timestamp') return lit(String(Math.floor(now / 1000)), 'int64');
    }
    const sig = functionSignature(x.fn);
    if (!sig) return x;
    if (sig.zoned) return this.bindZoned(x, sig.maxArgs, typeOf);
    if (x.fn === 'concat')
      return call(
        x.fn,
        x.args.map((a) => {
          const t = typeOf(a);
          return t !== 'null' && isTemporal(t) ? this.castExpr(a, t, 'string') : a;
        }),
      );
    if (x.fn === 'coalesce' || x.fn === 'greatest' || x.fn === 'least') {
      const out = typeOf(x);
      if (out === 'null' || !isTemporal(out)) return x;
      return call(
        x.fn,
        x.args.map((a) => this.convert(a, typeOf(a), out)),
      );
    }
    return x;
  }

  /** Pad a zone-dependent call to its full arity, the zone last, and check its literal arguments. */
  private bindZoned(x: ExprOf<'call'>, maxArgs: number, typeOf: TypeOf): Expr {
    const args = [...x.args];
    if (args.length < maxArgs) {
      while (args.length < maxArgs - 1) args.push(lit(null));
      args.push(this.zone);
    }
    const zone = args[maxArgs - 1]!;
    if (zone.kind !== 'lit' || typeof zone.value !== 'string')
      throw new PlanError('BAD_TIME_ZONE', `the time zone of ${exprToString(x)} must be a string literal`, {
        expression: exprToString(x),
      });
    checkTimeZone(zone.value);
    /** A unit or format argument: a string literal (or NULL); its text. */
    const literal = (i: number, what: string) => {
      const a = args[i]!;
      if (a.kind !== 'lit')
        throw new PlanError(
          'NOT_A_LITERAL',
          `the ${what} of ${exprToString(x)} must be a literal, got ${exprToString(a)}`,
          {
            expression: exprToString(x),
          },
        );
      return typeof a.value === 'string' ? a.value : null;
    };
    switch (x.fn) {
      case 'date_trunc': {
        const unit = literal(0, 'unit');
        if (unit !== null && !DATE_TRUNC_UNITS.includes(unit.toLowerCase()))
          throw new PlanError(
            'BAD_DATE_TRUNC_UNIT',
            `date_trunc unit '${unit}' is not one of ${DATE_TRUNC_UNITS.join(', ')}`,
            { unit },
          );
        break;
      }
      case 'to_date':
      case 'to_timestamp':
      case 'to_timestamp_ntz':
      case 'date_format':
      case 'unix_timestamp':
      case 'from_unixtime': {
        const pattern = literal(1, 'format');
        if (pattern !== null) compilePattern(pattern);
        break;
      }
      case 'add_interval': {
        const micros = args[3]!;
        if (typeOf(args[0]!) === 'date' && !(micros.kind === 'lit' && Number(micros.value) === 0))
          throw new PlanError(
            'DATE_PLUS_TIME',
            `${exprToString(x)} adds hours, minutes or seconds to a date; cast the date to a timestamp first`,
            { expression: exprToString(x) },
          );
        break;
      }
    }
    return call(x.fn, args);
  }
}
