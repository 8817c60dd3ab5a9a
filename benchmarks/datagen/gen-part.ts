/**
 * PART rows and PARTSUPP rows (four per part) for parts [from, to). Retail prices and the four
 * suppliers of a part are closed-form (spec.ts), so LINEITEM can use them without these tables.
 */
import type { Data } from 'apache-arrow';
import { StringColumn, bytesOf, bytesOfAll, float64Data, int32Data } from './columns.js';
import type { GenContext } from './context.js';
import { COLORS, P_CONTAINERS, P_TYPES } from './dists.js';
import { Rng, STREAM } from './random.js';
import { partSupplier, retailPriceCents } from './spec.js';
import { putText } from './text.js';

const COLOR_BYTES = bytesOfAll(COLORS);
const TYPE_BYTES = bytesOfAll(P_TYPES);
const CONTAINER_BYTES = bytesOfAll(P_CONTAINERS);
const MANUFACTURER = bytesOf('Manufacturer#');
const BRAND = bytesOf('Brand#');
const MAX_NAME = 5 * 11 + 4;

/** Whether `color` is among the first `count` picked colors. */
function isPicked(picked: readonly number[], count: number, color: number): boolean {
  for (let k = 0; k < count; k++) if (picked[k] === color) return true;
  return false;
}

export function partColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = to - from;
  const keys = new Int32Array(n);
  const sizes = new Int32Array(n);
  const prices = new Float64Array(n);
  const names = new StringColumn(n, MAX_NAME);
  const mfgrs = new StringColumn(n, 14);
  const brands = new StringColumn(n, 8);
  const types = new StringColumn(n, 25);
  const containers = new StringColumn(n, 10);
  const comments = new StringColumn(n, 22);
  const rng = new Rng(STREAM.part);
  const picked = [0, 0, 0, 0, 0];
  for (let r = 0; r < n; r++) {
    const key = from + r + 1;
    rng.seed(STREAM.part, key);
    keys[r] = key;
    for (let c = 0; c < 5; c++) {
      let color = rng.int(0, COLOR_BYTES.length - 1);
      while (isPicked(picked, c, color)) color = rng.int(0, COLOR_BYTES.length - 1);
      picked[c] = color;
      if (c > 0) names.putByte(32);
      names.put(COLOR_BYTES[color]!);
    }
    names.commit();
    const mfgr = rng.int(1, 5);
    mfgrs.put(MANUFACTURER).putDigits(mfgr, 1).commit();
    brands
      .put(BRAND)
      .putDigits(mfgr * 10 + rng.int(1, 5), 2)
      .commit();
    types.push(TYPE_BYTES[rng.int(0, TYPE_BYTES.length - 1)]!);
    sizes[r] = rng.int(1, 50);
    containers.push(CONTAINER_BYTES[rng.int(0, CONTAINER_BYTES.length - 1)]!);
    prices[r] = retailPriceCents(key) / 100;
    putText(comments, rng, ctx.text, 5, 22);
    comments.commit();
  }
  return [
    int32Data(keys, n),
    names.finish(),
    mfgrs.finish(),
    brands.finish(),
    types.finish(),
    int32Data(sizes, n),
    containers.finish(),
    float64Data(prices, n),
    comments.finish(),
  ];
}

/** PARTSUPP for parts [from, to): 4 rows per part. */
export function partsuppColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = (to - from) * 4;
  const suppliers = ctx.card.supplier;
  const partkeys = new Int32Array(n);
  const suppkeys = new Int32Array(n);
  const quantities = new Int32Array(n);
  const costs = new Float64Array(n);
  const comments = new StringColumn(n, 198);
  const rng = new Rng(STREAM.partsupp);
  let r = 0;
  for (let key = from + 1; key <= to; key++) {
    rng.seed(STREAM.partsupp, key);
    for (let i = 0; i < 4; i++, r++) {
      partkeys[r] = key;
      suppkeys[r] = partSupplier(key, i, suppliers);
      quantities[r] = rng.int(1, 9999);
      costs[r] = rng.int(100, 100_000) / 100;
      putText(comments, rng, ctx.text, 49, 198);
      comments.commit();
    }
  }
  return [
    int32Data(partkeys, n),
    int32Data(suppkeys, n),
    int32Data(quantities, n),
    float64Data(costs, n),
    comments.finish(),
  ];
}
