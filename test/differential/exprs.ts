/**
 * Differential test, expression recipes → expressions: resolves a predicate or computed-column
 * recipe (model.ts) against the columns in scope, in all three forms (dual.ts). A recipe that
 * fits no column (say, `length` with no string column) becomes a simpler expression instead, so
 * every recipe is valid against every schema.
 */
import * as D from './dual.js';
import type { Dx } from './dual.js';
import { FUNCTIONS } from './functions.js';
import type { Calc, Operand, Pred } from './model.js';
import type { Avoid } from './known.js';
import { type ColType, type GenFlags, valueFor } from './values.js';

/** What expression building depends on: the types switched on and the known differences to avoid. */
export interface Gen {
  readonly flags: GenFlags;
  readonly avoid: Avoid;
}

export interface Field {
  readonly name: string;
  readonly type: ColType;
}

/** The (n mod k)-th of the k fields that satisfy `ok`, or null. */
export function pick(schema: readonly Field[], n: number, ok: (t: ColType) => boolean = () => true): Field | null {
  const fits = schema.filter((f) => ok(f.type));
  return fits.length ? fits[n % fits.length]! : null;
}

const ref = (f: Field): Dx => D.colRef(f.name, f.type);
/** Types Spark does arithmetic on here (decimals are compared and aggregated only). */
const arithmetic = (t: ColType) => t === 'int32' || t === 'int64' || t === 'float64';

/** The other side of a binary expression: a column of a fitting type, or a literal of `type`. */
function operand(
  rhs: Operand,
  type: ColType,
  schema: readonly Field[],
  ok: (t: ColType) => boolean,
  g: Gen,
): Dx | null {
  if (rhs.k === 'col') {
    const f = pick(schema, rhs.c, ok);
    if (f) return ref(f);
  }
  return D.literal(type, valueFor(type, rhs.k === 'lit' ? rhs.v : rhs.c, g.flags));
}

export function buildPred(p: Pred, schema: readonly Field[], g: Gen): Dx {
  switch (p.k) {
    case 'cmp': {
      const a = pick(schema, p.c)!;
      const b = operand(p.rhs, a.type, schema, (t) => D.comparable(a.type, t), g) ?? ref(a);
      return D.compare(D.CMP_OPS[p.op % D.CMP_OPS.length]!, ref(a), b);
    }
    case 'isnull':
      return D.isNull(ref(pick(schema, p.c)!), p.negated);
    case 'in': {
      const a = pick(schema, p.c)!;
      const values = p.vs.map((v) => D.literal(a.type, valueFor(a.type, v, g.flags)));
      if (values.some((v) => v === null)) return D.isNull(ref(a), false);
      return D.isin(ref(a), values as Dx[], p.withNull);
    }
    case 'bool': {
      const f = pick(schema, p.c, (t) => t === 'bool');
      return f ? ref(f) : D.isNull(ref(pick(schema, p.c)!), true);
    }
    case 'and':
    case 'or': {
      const l = buildPred(p.l, schema, g);
      const r = buildPred(p.r, schema, g);
      return p.k === 'and' ? D.and(l, r) : D.or(l, r);
    }
    case 'not':
      return D.not(buildPred(p.p, schema, g));
    default:
      return p satisfies never;
  }
}

export function buildCalc(c: Calc, schema: readonly Field[], g: Gen): Dx {
  const fallback = () => buildPred({ k: 'isnull', c: c.k === 'pred' ? 0 : c.c, negated: false }, schema, g);
  switch (c.k) {
    case 'arith': {
      const a = pick(schema, c.c, arithmetic);
      if (!a) return fallback();
      const b = operand(c.rhs, a.type, schema, arithmetic, g)!;
      let op = D.ARITH_OPS[c.op % D.ARITH_OPS.length]!;
      // int64 products leave ±2^53 (where the engine's int64 is exact today) unless extremes are on.
      if (op === '*' && !g.flags.int64Extremes && D.arithType(op, a.type, b.type) === 'int64') op = '+';
      return D.arith(op, ref(a), b);
    }
    case 'neg': {
      const a = pick(schema, c.c, arithmetic);
      return a ? D.negate(ref(a)) : fallback();
    }
    case 'pred':
      return buildPred(c.p, schema, g);
    case 'coalesce':
    case 'when': {
      const a = pick(schema, c.c)!;
      const b = operand(c.rhs, a.type, schema, (t) => D.commonType(a.type, t) !== null, g) ?? ref(a);
      return c.k === 'coalesce' ? D.coalesce2(ref(a), b) : D.caseWhen(buildPred(c.p, schema, g), ref(a), b);
    }
    case 'cast': {
      const a = pick(schema, c.c, (t) => t === 'int32' || t === 'int64');
      if (!a) return fallback();
      return D.cast(ref(a), a.type === 'int32' && c.c % 2 === 0 ? 'int64' : 'float64');
    }
    case 'length': {
      const a = pick(schema, c.c, (t) => t === 'string');
      return a ? D.strLength(ref(a)) : fallback();
    }
    case 'concat': {
      const a = pick(schema, c.c, (t) => t === 'string');
      if (!a) return fallback();
      return D.strConcat(ref(a), operand(c.rhs, 'string', schema, (t) => t === 'string', g)!);
    }
    case 'fn': {
      const fn = FUNCTIONS[c.f % FUNCTIONS.length]!;
      const a = pick(schema, c.c, fn.fits);
      if (!a) return fallback();
      const b = fn.binary ? (pick(schema, c.d, (t) => t === a.type) ?? a) : null;
      return fn.make(ref(a), c.n, b && ref(b));
    }
    default:
      return c satisfies never;
  }
}
