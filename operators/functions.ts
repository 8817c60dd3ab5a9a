/**
 * Kernels of the built-in scalar functions (signatures in planner/functions.ts): dates, math,
 * coalesce / greatest / least here; string functions in ./strings.ts and ./stringEdits.ts, regular
 * expressions in ./regexp.ts, string predicates in ./like.ts.
 */
import { InternalError } from '../planner/errors.js';
import type { FunctionName } from '../planner/functions.js';
import { addMonths } from '../planner/calendar.js';
import { TIME_KERNELS } from './time/kernels.js';
import { compareNumbers, compareValues } from '../planner/order.js';
import { compareBytes } from './kernels.js';
import type { Operand } from './scalar.js';
import { isScalar, materialize } from './scalar.js';
import { PREDICATE_KERNELS } from './like.js';
import { REGEXP_KERNELS } from './regexp.js';
import { STRING_EDIT_KERNELS } from './stringEdits.js';
import { LIST_KERNELS } from './lists.js';
import { StringBuilder } from './stringBuilder.js';
import { STRING_KERNELS, validityAll, type Kernel } from './strings.js';
import { castOperand, castVec } from './cast.js';
import type { BytesVec, DecimalVec, Int64Vec, OpaqueVec, Vec } from './vector.js';
import { decimalParts, isDecimal, storageType } from '../planner/types.js';
import { decimalArray, divRound, fits, pow10, rescale } from './decimal.js';
import { isDecimalVec, isValid, newValidity, setValid, typedArrayFor } from './vector.js';

type StrVec = BytesVec;
type NumVec = Exclude<Vec, StrVec | DecimalVec | OpaqueVec>;
type SmallVec = Exclude<NumVec, { type: 'int64' }>;

/**
 * A numeric operand as a column of type `to` (a NULL literal of any type becomes an all-null
 * column); int64 arguments of date functions keep their low 32 bits.
 */
function nums(o: Operand, n: number, to: 'int32' | 'float64' | 'date' = 'int32'): SmallVec {
  if (isScalar(o) && o.value === null)
    return { type: 'float64', values: new Float64Array(n), validity: newValidity(n, false) };
  const v = materialize(o, n);
  return (v.type === 'int64' || isDecimalVec(v) ? castVec(v, to, n) : v) as SmallVec;
}

function dateShift(shift: (days: number, k: number) => number): Kernel {
  return ([a, b], n) => {
    const d = nums(a!, n).values;
    const k = nums(b!, n).values;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = shift(d[i]!, k[i]!);
    return { type: 'date', values: out, validity: validityAll([a!, b!], n) };
  };
}

/**
 * Spark's round: HALF_UP on the double's shortest decimal form (round(1.005, 2) = 1.01,
 * round(-2.5) = -3), at any scale, negative scales included.
 */
function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  if (scale >= 0 && scale <= 22) {
    const y = a * 10 ** scale;
    const floor = Math.floor(y);
    const frac = y - floor;
    // Far from a tie the binary product decides; near one, round the decimal digits.
    if (y < 2 ** 52 && Math.abs(frac - 0.5) > 1e-9 + y * 1e-12)
      return (sign * (frac > 0.5 ? floor + 1 : floor)) / 10 ** scale;
  }
  return sign * roundDecimal(a, scale);
}

/** HALF_UP rounding of a positive number's shortest decimal digits. */
function roundDecimal(a: number, scale: number): number {
  const [mant, e] = a.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(e);
  const keep = exp + 1 + scale; // significant digits kept
  if (keep < 0) return 0;
  if (keep >= digits.length) return a;
  const up = digits.charCodeAt(keep) >= 0x35;
  const kept = BigInt(digits.slice(0, keep) || '0') + (up ? 1n : 0n);
  return Number(`${kept}e${exp + 1 - keep}`);
}

const abs: Kernel = ([a], n, outType) => {
  if (isDecimal(outType)) {
    const v = (castVec(materialize(a!, n), outType, n) as DecimalVec).values;
    const out = decimalArray(outType, n);
    for (let i = 0; i < n; i++) out[i] = v[i]! < 0n ? -v[i]! : v[i]!;
    return { type: outType, values: out, validity: validityAll([a!], n) };
  }
  if (outType === 'int64') {
    const v = (castOperand(materialize(a!, n), 'int64', n) as Int64Vec).values;
    const out = new BigInt64Array(n); // abs of the smallest long wraps to itself, as in Spark
    for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, v[i]! < 0n ? -v[i]! : v[i]!);
    return { type: 'int64', values: out, validity: validityAll([a!], n) };
  }
  const v = nums(a!, n, 'float64').values;
  const out = typedArrayFor(outType, n); // abs of the smallest int32 wraps to itself, as in Spark
  for (let i = 0; i < n; i++) out[i] = Math.abs(v[i]!);
  return { type: outType, values: out, validity: validityAll([a!], n) } as Vec;
};

/** NaN test, false for NULL and for integers (Spark's isnan). */
const isnan: Kernel = ([a], n) => {
  const out = new Uint8Array(n);
  const v = materialize(a!, n) as NumVec;
  if (v.type === 'float64')
    for (let i = 0; i < n; i++) out[i] = isValid(v.validity, i) && Number.isNaN(v.values[i]!) ? 1 : 0;
  return { type: 'bool', values: out, validity: null };
};

/** An unscaled value at scale `from` rounded HALF_UP to `to` < from digits (negative: tens, hundreds…), at scale max(to, 0). */
function roundTo(v: bigint, from: number, to: number): bigint {
  if (to >= 0) return rescale(v, from, to);
  return divRound(v, pow10(from - to)) * pow10(-to);
}

const round: Kernel = ([a, s], n, outType) => {
  const scale = s && isScalar(s) ? ((s.value as number | null) ?? 0) : 0;
  const validity = validityAll([a!], n);
  if (isDecimal(outType)) {
    // HALF_UP to `scale` digits from the argument's own scale (one rounding, negative scales
    // too), at the result's scale (Spark's type: planner/functions.ts roundedDecimal); a result
    // that outgrows the precision is NULL.
    const { precision, scale: s } = decimalParts(outType);
    const arg = materialize(a!, n) as DecimalVec;
    const from = decimalParts(arg.type).scale;
    const v = arg.values;
    const out = decimalArray(outType, n);
    const nulls = validity ? validity.slice() : newValidity(n);
    let any = validity !== null;
    for (let i = 0; i < n; i++) {
      const r = scale >= from ? rescale(v[i]!, from, s) : rescale(roundTo(v[i]!, from, scale), Math.max(scale, 0), s);
      if (fits(r, precision)) out[i] = r;
      else {
        setValid(nulls, i, false);
        any = true;
      }
    }
    return { type: outType, values: out, validity: any ? nulls : null };
  }
  if (outType === 'int64') {
    const v = (castOperand(materialize(a!, n), 'int64', n) as Int64Vec).values;
    if (scale >= 0) return { type: 'int64', values: v, validity };
    // HALF_UP at a negative scale, exactly; the result wraps to 64 bits as in Spark.
    const unit = 10n ** BigInt(-scale);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      const m = x < 0n ? -x : x;
      const r = ((m + unit / 2n) / unit) * unit;
      out[i] = BigInt.asIntN(64, x < 0n ? -r : r);
    }
    return { type: 'int64', values: out, validity };
  }
  const v = nums(a!, n, 'float64').values;
  if (outType !== 'float64' && scale >= 0) return { type: outType, values: v, validity } as Vec;
  const out = typedArrayFor(outType, n); // int32 results wrap, as in Spark
  for (let i = 0; i < n; i++) out[i] = roundHalfUp(v[i]!, scale);
  return { type: outType, values: out, validity } as Vec;
};

/**
 * Pick, per row, one argument's value: `choose(current, candidate)` says whether a valid
 * candidate replaces the current pick (the first valid argument when there is none).
 */
function pickKernel(choose: ((cmp: number) => boolean) | null): Kernel {
  return (args, n, outType) => {
    const cols = args
      .filter((a) => !isScalar(a) || a.value !== null)
      .map((a) => castVec(materialize(a, n), outType, n));
    const pick = new Int8Array(n).fill(-1);
    if (outType === 'string' || outType === 'binary') {
      const ss = cols as StrVec[];
      for (let k = 0; k < ss.length; k++) {
        const c = ss[k]!;
        for (let i = 0; i < n; i++) {
          if (!isValid(c.validity, i)) continue;
          const p = pick[i]!;
          if (p < 0) pick[i] = k;
          else if (choose) {
            const q = ss[p]!;
            if (
              choose(compareBytes(c.data, c.offsets[i]!, c.offsets[i + 1]!, q.data, q.offsets[i]!, q.offsets[i + 1]!))
            )
              pick[i] = k;
          }
        }
      }
      const out = new StringBuilder(
        n,
        ss.reduce((t, c) => t + c.data.length, 0),
      );
      const validity = newValidity(n);
      let nulls = false;
      for (let i = 0; i < n; i++) {
        const p = pick[i]!;
        if (p >= 0) out.append(ss[p]!.data, ss[p]!.offsets[i]!, ss[p]!.offsets[i + 1]!);
        else {
          setValid(validity, i, false);
          nulls = true;
        }
        out.end(i);
      }
      return { ...out.build(nulls ? validity : null), type: outType };
    }
    const out = typedArrayFor(outType, n);
    const validity = newValidity(n, false);
    let nulls = false;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k] as NumVec;
      const vals = c.values;
      for (let i = 0; i < n; i++) {
        if (!isValid(c.validity, i)) continue;
        const p = pick[i]!;
        const x = vals[i]!;
        const cur = out[i]!;
        const cmp =
          p < 0 || !choose
            ? 0
            : typeof x === 'bigint'
              ? compareValues(x, cur as bigint)
              : compareNumbers(x, cur as number);
        if (p < 0 || choose?.(cmp)) {
          pick[i] = k;
          out[i] = x as never;
        }
      }
    }
    for (let i = 0; i < n; i++)
      if (pick[i]! >= 0) setValid(validity, i, true);
      else nulls = true;
    return { type: storageType(outType), values: out, validity: nulls ? validity : null } as Vec;
  };
}

/** One kernel per built-in function of the planner's registry (planner/functions.ts). */
const FUNCTION_KERNELS: Readonly<Record<FunctionName, Kernel>> = {
  ...STRING_KERNELS,
  ...PREDICATE_KERNELS,
  ...REGEXP_KERNELS,
  ...STRING_EDIT_KERNELS,
  ...TIME_KERNELS,
  ...LIST_KERNELS,
  date_add: dateShift((d, k) => d + k),
  add_months: dateShift(addMonths),
  abs,
  round,
  isnan,
  coalesce: pickKernel(null),
  greatest: pickKernel((c) => c > 0),
  least: pickKernel((c) => c < 0),
};

export function kernelFor(fn: string): Kernel {
  const k = Object.hasOwn(FUNCTION_KERNELS, fn) ? FUNCTION_KERNELS[fn as FunctionName] : undefined;
  if (!k) throw new InternalError('NO_KERNEL', `no kernel for function '${fn}'`, { function: fn });
  return k;
}
