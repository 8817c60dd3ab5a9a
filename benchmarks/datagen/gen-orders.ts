/**
 * ORDERS and their LINEITEM rows for orders [from, to), generated together: an order's status and
 * total price come from its 1–7 lines. Each order draws from its own stream, so any range of
 * orders yields the same rows however the tables are split into files or batches.
 */
import type { Data } from 'apache-arrow';
import { StringColumn, bytesOf, bytesOfAll, dateData, float64Data, int32Data } from './columns.js';
import type { GenContext } from './context.js';
import { PRIORITIES, SHIP_INSTRUCTIONS, SHIP_MODES } from './dists.js';
import { Rng, STREAM } from './random.js';
import { CURRENT_DATE, LAST_ORDER_DATE, START_DATE, partSupplier, retailPriceCents, sparseOrderKey } from './spec.js';
import { putText } from './text.js';

const PRIORITY_BYTES = bytesOfAll(PRIORITIES);
const INSTRUCT_BYTES = bytesOfAll(SHIP_INSTRUCTIONS);
const MODE_BYTES = bytesOfAll(SHIP_MODES);
const CLERK = bytesOf('Clerk#');
const [F, O, P, R, A, N] = ['F', 'O', 'P', 'R', 'A', 'N'].map((c) => c.charCodeAt(0)) as [
  number,
  number,
  number,
  number,
  number,
  number,
];

export interface OrderBatch {
  readonly orders: Data[];
  readonly lineitem: Data[];
}

/** A customer key that is not a multiple of 3: a third of the customers never order (Q13, Q22). */
function customerKey(rng: Rng, customers: number): number {
  let key = rng.int(1, customers);
  let delta = 1;
  while (key % 3 === 0 && customers > 2) {
    key = Math.min(key + delta, customers);
    delta = -delta;
  }
  return key;
}

export function orderColumns(ctx: GenContext, from: number, to: number): OrderBatch {
  const n = to - from;
  const { customer: customers, part: parts, supplier: suppliers, clerks } = ctx.card;
  const oKeys = new Int32Array(n);
  const oCust = new Int32Array(n);
  const oTotal = new Float64Array(n);
  const oDate = new Int32Array(n);
  const oShipPriority = new Int32Array(n);
  const oStatus = new StringColumn(n, 1);
  const oPriority = new StringColumn(n, 15);
  const oClerk = new StringColumn(n, 15);
  const oComment = new StringColumn(n, 78);

  const cap = n * 7;
  const lOrder = new Int32Array(cap);
  const lPart = new Int32Array(cap);
  const lSupp = new Int32Array(cap);
  const lNumber = new Int32Array(cap);
  const lQuantity = new Float64Array(cap);
  const lPrice = new Float64Array(cap);
  const lDiscount = new Float64Array(cap);
  const lTax = new Float64Array(cap);
  const lShip = new Int32Array(cap);
  const lCommit = new Int32Array(cap);
  const lReceipt = new Int32Array(cap);
  const lFlag = new StringColumn(cap, 1);
  const lStatus = new StringColumn(cap, 1);
  const lInstruct = new StringColumn(cap, 17);
  const lMode = new StringColumn(cap, 7);
  const lComment = new StringColumn(cap, 43);

  const rng = new Rng(STREAM.orders);
  let l = 0;
  for (let r = 0; r < n; r++) {
    const index = from + r + 1;
    const key = sparseOrderKey(index);
    rng.seed(STREAM.orders, index);
    oKeys[r] = key;
    oCust[r] = customerKey(rng, customers);
    const date = rng.int(START_DATE, LAST_ORDER_DATE);
    oDate[r] = date;
    oPriority.push(PRIORITY_BYTES[rng.int(0, PRIORITY_BYTES.length - 1)]!);
    oClerk.put(CLERK).putDigits(rng.int(1, clerks), 9).commit();
    putText(oComment, rng, ctx.text, 19, 78);
    oComment.commit();

    const lines = rng.int(1, 7);
    let totalCents = 0;
    let open = 0;
    for (let i = 1; i <= lines; i++, l++) {
      const part = rng.int(1, parts);
      const quantity = rng.int(1, 50);
      const discount = rng.int(0, 10);
      const tax = rng.int(0, 8);
      const priceCents = quantity * retailPriceCents(part);
      lOrder[l] = key;
      lPart[l] = part;
      lSupp[l] = partSupplier(part, rng.int(0, 3), suppliers);
      lNumber[l] = i;
      lQuantity[l] = quantity;
      lPrice[l] = priceCents / 100;
      lDiscount[l] = discount / 100;
      lTax[l] = tax / 100;
      const ship = date + rng.int(1, 121);
      lShip[l] = ship;
      lCommit[l] = date + rng.int(30, 90);
      const receipt = ship + rng.int(1, 30);
      lReceipt[l] = receipt;
      const returned = rng.int(0, 1) === 0 ? R : A;
      lFlag.putByte(receipt <= CURRENT_DATE ? returned : N).commit();
      const shipped = ship <= CURRENT_DATE;
      lStatus.putByte(shipped ? F : O).commit();
      if (!shipped) open++;
      lInstruct.push(INSTRUCT_BYTES[rng.int(0, INSTRUCT_BYTES.length - 1)]!);
      lMode.push(MODE_BYTES[rng.int(0, MODE_BYTES.length - 1)]!);
      putText(lComment, rng, ctx.text, 10, 43);
      lComment.commit();
      // extendedprice × (1 - discount) × (1 + tax), truncated to cents at each step like dbgen.
      totalCents += Math.floor((Math.floor((priceCents * (100 - discount)) / 100) * (100 + tax)) / 100);
    }
    oTotal[r] = totalCents / 100;
    oStatus.putByte(open === 0 ? F : open === lines ? O : P).commit();
  }
  return {
    orders: [
      int32Data(oKeys, n),
      int32Data(oCust, n),
      oStatus.finish(),
      float64Data(oTotal, n),
      dateData(oDate, n),
      oPriority.finish(),
      oClerk.finish(),
      int32Data(oShipPriority, n),
      oComment.finish(),
    ],
    lineitem: [
      int32Data(lOrder, l),
      int32Data(lPart, l),
      int32Data(lSupp, l),
      int32Data(lNumber, l),
      float64Data(lQuantity, l),
      float64Data(lPrice, l),
      float64Data(lDiscount, l),
      float64Data(lTax, l),
      lFlag.finish(),
      lStatus.finish(),
      dateData(lShip, l),
      dateData(lCommit, l),
      dateData(lReceipt, l),
      lInstruct.finish(),
      lMode.finish(),
      lComment.finish(),
    ],
  };
}
