/**
 * Field formats shared by SUPPLIER and CUSTOMER: random addresses, phone numbers with the
 * nation's country code (nationkey + 10), and account balances in cents.
 */
import { ADDRESS_CHARS } from './dists.js';
import { bytesOf, type StringColumn } from './columns.js';
import type { Rng } from './random.js';

const ADDRESS_BYTES = bytesOf(ADDRESS_CHARS);
const DASH = 45;

/** 10..40 random alphanumeric characters (also ' ' and ','). */
export function putAddress(col: StringColumn, rng: Rng): void {
  const len = rng.int(10, 40);
  for (let i = 0; i < len; i++) col.putByte(ADDRESS_BYTES[rng.int(0, ADDRESS_BYTES.length - 1)]!);
}

/** "CC-LLL-LLL-LLLL" with CC = nationkey + 10. */
export function putPhone(col: StringColumn, rng: Rng, nationkey: number): void {
  col.putDigits(nationkey + 10, 2).putByte(DASH);
  col.putDigits(rng.int(100, 999), 3).putByte(DASH);
  col.putDigits(rng.int(100, 999), 3).putByte(DASH);
  col.putDigits(rng.int(1000, 9999), 4);
}

/** An account balance: -999.99 .. 9999.99, exact to the cent. */
export function acctbal(rng: Rng): number {
  return rng.int(-99_999, 999_999) / 100;
}

/** Longest row `putAddress` / `putPhone` can write. */
export const MAX_ADDRESS = 40;
export const PHONE_LENGTH = 15;
