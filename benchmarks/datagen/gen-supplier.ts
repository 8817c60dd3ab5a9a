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

/**
 * The leading columns suppliers and customers share: key, name ("<prefix><key>"), address,
 * nation, phone and balance, drawn from the row's stream in the spec's order.
 */
class PartyColumns {
  private readonly keys: Int32Array;
  private readonly nations: Int32Array;
  private readonly balances: Float64Array;
  private readonly names: StringColumn;
  private readonly addresses: StringColumn;
  private readonly phones: StringColumn;

  constructor(
    private readonly n: number,
    private readonly prefix: Uint8Array,
  ) {
    this.keys = new Int32Array(n);
    this.nations = new Int32Array(n);
    this.balances = new Float64Array(n);
    this.names = new StringColumn(n, 18);
    this.addresses = new StringColumn(n, MAX_ADDRESS);
    this.phones = new StringColumn(n, PHONE_LENGTH);
  }

  put(r: number, key: number, rng: Rng): void {
    this.keys[r] = key;
    this.names.put(this.prefix).putDigits(key, 9).commit();
    putAddress(this.addresses, rng);
    this.addresses.commit();
    const nation = rng.int(0, 24);
    this.nations[r] = nation;
    putPhone(this.phones, rng, nation);
    this.phones.commit();
    this.balances[r] = acctbal(rng);
  }

  finish(): Data[] {
    return [
      int32Data(this.keys, this.n),
      this.names.finish(),
      this.addresses.finish(),
      int32Data(this.nations, this.n),
      this.phones.finish(),
      float64Data(this.balances, this.n),
    ];
  }
}

export function supplierColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = to - from;
  const party = new PartyColumns(n, SUPPLIER);
  const comments = new StringColumn(n, 100);
  const rng = new Rng(STREAM.supplier);
  for (let r = 0; r < n; r++) {
    const key = from + r + 1;
    rng.seed(STREAM.supplier, key);
    party.put(r, key, rng);
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
  return [...party.finish(), comments.finish()];
}

export function customerColumns(ctx: GenContext, from: number, to: number): Data[] {
  const n = to - from;
  const party = new PartyColumns(n, CUSTOMER);
  const segments = new StringColumn(n, 10);
  const comments = new StringColumn(n, 116);
  const rng = new Rng(STREAM.customer);
  for (let r = 0; r < n; r++) {
    const key = from + r + 1;
    rng.seed(STREAM.customer, key);
    party.put(r, key, rng);
    segments.push(SEGMENT_BYTES[rng.int(0, SEGMENT_BYTES.length - 1)]!);
    putText(comments, rng, ctx.text, 29, 116);
    comments.commit();
  }
  return [...party.finish(), segments.finish(), comments.finish()];
}
