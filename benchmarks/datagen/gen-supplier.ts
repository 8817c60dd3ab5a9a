/**
 * SUPPLIER and CUSTOMER rows [from, to): names from the key, random address, nation, phone and
 * balance; customers get a market segment, and a few suppliers the Q16 comment marker.
 */
import type { Data } from 'apache-arrow';
import { StringColumn, bytesOf, bytesOfAll, float64Data, int32Data } from './columns.js';
import type { GenContext } from './context.js';
import { SEGMENTS } from './dists.js';
import { MAX_ADDRESS, PHONE_LENGTH, acctbal, putAddress, putPhone } from './fields.js';
import { Rng, STREAM } from './random.js';
import { putText } from './text.js';

const SUPPLIER = bytesOf('Supplier#');
const CUSTOMER = bytesOf('Customer#');
const CUSTOMER_WORD = bytesOf('Customer ');
const SEGMENT_BYTES = bytesOfAll(SEGMENTS);
const MARKER_BYTES = { Complaints: bytesOf('Complaints'), Recommends: bytesOf('Recommends') };

export function supplierColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = to - from;
  const keys = new Int32Array(n);
  const nations = new Int32Array(n);
  const balances = new Float64Array(n);
  const names = new StringColumn(n, 18);
  const addresses = new StringColumn(n, MAX_ADDRESS);
  const phones = new StringColumn(n, PHONE_LENGTH);
  const comments = new StringColumn(n, 100);
  const rng = new Rng(STREAM.supplier);
  for (let r = 0; r < n; r++) {
    const key = from + r + 1;
    rng.seed(STREAM.supplier, key);
    keys[r] = key;
    names.put(SUPPLIER).putDigits(key, 9).commit();
    putAddress(addresses, rng);
    addresses.commit();
    const nation = (nations[r] = rng.int(0, 24));
    putPhone(phones, rng, nation);
    phones.commit();
    balances[r] = acctbal(rng);
    const start = comments.pos;
    putText(comments, rng, ctx.text, 25, 100);
    const marker = ctx.markers.get(key);
    if (marker) {
      // "Customer <noise> Complaints" overwrites part of the comment (spec 4.2.3, Q16).
      const len = comments.pos - start;
      const at = start + rng.int(0, len - 19);
      const end = start + rng.int(at - start + 9, len - 10);
      comments.bytes.set(CUSTOMER_WORD, at);
      comments.bytes.set(MARKER_BYTES[marker], end);
    }
    comments.commit();
  }
  return [
    int32Data(keys, n), names.finish(), addresses.finish(), int32Data(nations, n), phones.finish(),
    float64Data(balances, n), comments.finish(),
  ];
}

export function customerColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = to - from;
  const keys = new Int32Array(n);
  const nations = new Int32Array(n);
  const balances = new Float64Array(n);
  const names = new StringColumn(n, 18);
  const addresses = new StringColumn(n, MAX_ADDRESS);
  const phones = new StringColumn(n, PHONE_LENGTH);
  const segments = new StringColumn(n, 10);
  const comments = new StringColumn(n, 116);
  const rng = new Rng(STREAM.customer);
  for (let r = 0; r < n; r++) {
    const key = from + r + 1;
    rng.seed(STREAM.customer, key);
    keys[r] = key;
    names.put(CUSTOMER).putDigits(key, 9).commit();
    putAddress(addresses, rng);
    addresses.commit();
    const nation = (nations[r] = rng.int(0, 24));
    putPhone(phones, rng, nation);
    phones.commit();
    balances[r] = acctbal(rng);
    segments.push(SEGMENT_BYTES[rng.int(0, SEGMENT_BYTES.length - 1)]!);
    putText(comments, rng, ctx.text, 29, 116);
    comments.commit();
  }
  return [
    int32Data(keys, n), names.finish(), addresses.finish(), int32Data(nations, n), phones.finish(),
    float64Data(balances, n), segments.finish(), comments.finish(),
  ];
}
