/**
 * Bit-packed runs of the RLE / bit-packed hybrid encoding (parquetPages.ts `readHybrid`), one
 * function per bit width up to 16: a group of 8 values is `width` bytes, read as 32-bit words
 * and split with constant shifts, no loop or branch per value (Q1's dictionary codes of 1, 2,
 * 4, 6 and 12 bits: 3-5.5 -> ~1 ns a value). Codes straight to what they stand for: up to 4 bits
 * to the bytes of a dictionary of one-byte strings (flags), up to 8 bits to the values of a
 * dictionary of short decimals (Q1's l_quantity, l_discount, l_tax), up to 16 bits to those of
 * int32 and date dictionaries (Q1's l_shipdate). Generated (the shifts of every width written
 * out), then formatted: regenerate rather than edit by hand.
 */

/** Unpacks `groups` groups of 8 values from `buf` at byte `p` into `out` from `at`. */
export type Unpack = (buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number) => void;

function unpack1(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 1, at += 8) {
    const w0 = buf[p]!;
    out[at] = w0 & 1;
    out[at + 1] = (w0 >>> 1) & 1;
    out[at + 2] = (w0 >>> 2) & 1;
    out[at + 3] = (w0 >>> 3) & 1;
    out[at + 4] = (w0 >>> 4) & 1;
    out[at + 5] = (w0 >>> 5) & 1;
    out[at + 6] = (w0 >>> 6) & 1;
    out[at + 7] = (w0 >>> 7) & 1;
  }
}

function unpack2(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 2, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8);
    out[at] = w0 & 3;
    out[at + 1] = (w0 >>> 2) & 3;
    out[at + 2] = (w0 >>> 4) & 3;
    out[at + 3] = (w0 >>> 6) & 3;
    out[at + 4] = (w0 >>> 8) & 3;
    out[at + 5] = (w0 >>> 10) & 3;
    out[at + 6] = (w0 >>> 12) & 3;
    out[at + 7] = (w0 >>> 14) & 3;
  }
}

function unpack3(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 3, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    out[at] = w0 & 7;
    out[at + 1] = (w0 >>> 3) & 7;
    out[at + 2] = (w0 >>> 6) & 7;
    out[at + 3] = (w0 >>> 9) & 7;
    out[at + 4] = (w0 >>> 12) & 7;
    out[at + 5] = (w0 >>> 15) & 7;
    out[at + 6] = (w0 >>> 18) & 7;
    out[at + 7] = (w0 >>> 21) & 7;
  }
}

function unpack4(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 4, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    out[at] = w0 & 15;
    out[at + 1] = (w0 >>> 4) & 15;
    out[at + 2] = (w0 >>> 8) & 15;
    out[at + 3] = (w0 >>> 12) & 15;
    out[at + 4] = (w0 >>> 16) & 15;
    out[at + 5] = (w0 >>> 20) & 15;
    out[at + 6] = (w0 >>> 24) & 15;
    out[at + 7] = w0 >>> 28;
  }
}

function unpack5(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 5, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]!;
    out[at] = w0 & 31;
    out[at + 1] = (w0 >>> 5) & 31;
    out[at + 2] = (w0 >>> 10) & 31;
    out[at + 3] = (w0 >>> 15) & 31;
    out[at + 4] = (w0 >>> 20) & 31;
    out[at + 5] = (w0 >>> 25) & 31;
    out[at + 6] = ((w0 >>> 30) | (w1 << 2)) & 31;
    out[at + 7] = (w1 >>> 3) & 31;
  }
}

function unpack6(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 6, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8);
    out[at] = w0 & 63;
    out[at + 1] = (w0 >>> 6) & 63;
    out[at + 2] = (w0 >>> 12) & 63;
    out[at + 3] = (w0 >>> 18) & 63;
    out[at + 4] = (w0 >>> 24) & 63;
    out[at + 5] = ((w0 >>> 30) | (w1 << 2)) & 63;
    out[at + 6] = (w1 >>> 4) & 63;
    out[at + 7] = (w1 >>> 10) & 63;
  }
}

function unpack7(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 7, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16);
    out[at] = w0 & 127;
    out[at + 1] = (w0 >>> 7) & 127;
    out[at + 2] = (w0 >>> 14) & 127;
    out[at + 3] = (w0 >>> 21) & 127;
    out[at + 4] = ((w0 >>> 28) | (w1 << 4)) & 127;
    out[at + 5] = (w1 >>> 3) & 127;
    out[at + 6] = (w1 >>> 10) & 127;
    out[at + 7] = (w1 >>> 17) & 127;
  }
}

function unpack8(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 8, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    out[at] = w0 & 255;
    out[at + 1] = (w0 >>> 8) & 255;
    out[at + 2] = (w0 >>> 16) & 255;
    out[at + 3] = w0 >>> 24;
    out[at + 4] = w1 & 255;
    out[at + 5] = (w1 >>> 8) & 255;
    out[at + 6] = (w1 >>> 16) & 255;
    out[at + 7] = w1 >>> 24;
  }
}

function unpack9(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 9, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]!;
    out[at] = w0 & 511;
    out[at + 1] = (w0 >>> 9) & 511;
    out[at + 2] = (w0 >>> 18) & 511;
    out[at + 3] = ((w0 >>> 27) | (w1 << 5)) & 511;
    out[at + 4] = (w1 >>> 4) & 511;
    out[at + 5] = (w1 >>> 13) & 511;
    out[at + 6] = (w1 >>> 22) & 511;
    out[at + 7] = ((w1 >>> 31) | (w2 << 1)) & 511;
  }
}

function unpack10(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 10, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8);
    out[at] = w0 & 1023;
    out[at + 1] = (w0 >>> 10) & 1023;
    out[at + 2] = (w0 >>> 20) & 1023;
    out[at + 3] = ((w0 >>> 30) | (w1 << 2)) & 1023;
    out[at + 4] = (w1 >>> 8) & 1023;
    out[at + 5] = (w1 >>> 18) & 1023;
    out[at + 6] = ((w1 >>> 28) | (w2 << 4)) & 1023;
    out[at + 7] = (w2 >>> 6) & 1023;
  }
}

function unpack11(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 11, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16);
    out[at] = w0 & 2047;
    out[at + 1] = (w0 >>> 11) & 2047;
    out[at + 2] = ((w0 >>> 22) | (w1 << 10)) & 2047;
    out[at + 3] = (w1 >>> 1) & 2047;
    out[at + 4] = (w1 >>> 12) & 2047;
    out[at + 5] = ((w1 >>> 23) | (w2 << 9)) & 2047;
    out[at + 6] = (w2 >>> 2) & 2047;
    out[at + 7] = (w2 >>> 13) & 2047;
  }
}

function unpack12(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 12, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    out[at] = w0 & 4095;
    out[at + 1] = (w0 >>> 12) & 4095;
    out[at + 2] = ((w0 >>> 24) | (w1 << 8)) & 4095;
    out[at + 3] = (w1 >>> 4) & 4095;
    out[at + 4] = (w1 >>> 16) & 4095;
    out[at + 5] = ((w1 >>> 28) | (w2 << 4)) & 4095;
    out[at + 6] = (w2 >>> 8) & 4095;
    out[at + 7] = w2 >>> 20;
  }
}

function unpack13(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 13, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]!;
    out[at] = w0 & 8191;
    out[at + 1] = (w0 >>> 13) & 8191;
    out[at + 2] = ((w0 >>> 26) | (w1 << 6)) & 8191;
    out[at + 3] = (w1 >>> 7) & 8191;
    out[at + 4] = ((w1 >>> 20) | (w2 << 12)) & 8191;
    out[at + 5] = (w2 >>> 1) & 8191;
    out[at + 6] = (w2 >>> 14) & 8191;
    out[at + 7] = ((w2 >>> 27) | (w3 << 5)) & 8191;
  }
}

function unpack14(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 14, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8);
    out[at] = w0 & 16383;
    out[at + 1] = (w0 >>> 14) & 16383;
    out[at + 2] = ((w0 >>> 28) | (w1 << 4)) & 16383;
    out[at + 3] = (w1 >>> 10) & 16383;
    out[at + 4] = ((w1 >>> 24) | (w2 << 8)) & 16383;
    out[at + 5] = (w2 >>> 6) & 16383;
    out[at + 6] = ((w2 >>> 20) | (w3 << 12)) & 16383;
    out[at + 7] = (w3 >>> 2) & 16383;
  }
}

function unpack15(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 15, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8) | (buf[p + 14]! << 16);
    out[at] = w0 & 32767;
    out[at + 1] = (w0 >>> 15) & 32767;
    out[at + 2] = ((w0 >>> 30) | (w1 << 2)) & 32767;
    out[at + 3] = (w1 >>> 13) & 32767;
    out[at + 4] = ((w1 >>> 28) | (w2 << 4)) & 32767;
    out[at + 5] = (w2 >>> 11) & 32767;
    out[at + 6] = ((w2 >>> 26) | (w3 << 6)) & 32767;
    out[at + 7] = (w3 >>> 9) & 32767;
  }
}

function unpack16(buf: Uint8Array, p: number, out: Int32Array, at: number, groups: number): void {
  for (let g = 0; g < groups; g++, p += 16, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8) | (buf[p + 14]! << 16) | (buf[p + 15]! << 24);
    out[at] = w0 & 65535;
    out[at + 1] = w0 >>> 16;
    out[at + 2] = w1 & 65535;
    out[at + 3] = w1 >>> 16;
    out[at + 4] = w2 & 65535;
    out[at + 5] = w2 >>> 16;
    out[at + 6] = w3 & 65535;
    out[at + 7] = w3 >>> 16;
  }
}

/** The unpacker of each bit width (index 0 unused: a width of 0 is all zeros). */
export const UNPACK: readonly (Unpack | null)[] = [
  null,
  unpack1,
  unpack2,
  unpack3,
  unpack4,
  unpack5,
  unpack6,
  unpack7,
  unpack8,
  unpack9,
  unpack10,
  unpack11,
  unpack12,
  unpack13,
  unpack14,
  unpack15,
  unpack16,
];

/** The widest bit width `UNPACK` has a function for. */
export const UNPACK_MAX_WIDTH = 16;

/**
 * Unpacks `groups` groups of 8 codes from `buf` at byte `p` into `out` from `at` as bytes of
 * `dict` (2^width entries: padded past a smaller dictionary); returns the codes seen, bit c for
 * code c (a caller checks none is past its dictionary).
 */
export type UnpackBytes = (
  buf: Uint8Array,
  p: number,
  dict: Uint8Array,
  out: Uint8Array,
  at: number,
  groups: number,
) => number;

function unpackBytes1(
  buf: Uint8Array,
  p: number,
  dict: Uint8Array,
  out: Uint8Array,
  at: number,
  groups: number,
): number {
  let seen = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 1, at += 8) {
    const w0 = buf[p]!;
    c = w0 & 1;
    out[at] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 1) & 1;
    out[at + 1] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 2) & 1;
    out[at + 2] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 3) & 1;
    out[at + 3] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 4) & 1;
    out[at + 4] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 5) & 1;
    out[at + 5] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 6) & 1;
    out[at + 6] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 7) & 1;
    out[at + 7] = dict[c]!;
    seen |= 1 << c;
  }
  return seen;
}

function unpackBytes2(
  buf: Uint8Array,
  p: number,
  dict: Uint8Array,
  out: Uint8Array,
  at: number,
  groups: number,
): number {
  let seen = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 2, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8);
    c = w0 & 3;
    out[at] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 2) & 3;
    out[at + 1] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 4) & 3;
    out[at + 2] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 6) & 3;
    out[at + 3] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 8) & 3;
    out[at + 4] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 10) & 3;
    out[at + 5] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 12) & 3;
    out[at + 6] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 14) & 3;
    out[at + 7] = dict[c]!;
    seen |= 1 << c;
  }
  return seen;
}

function unpackBytes3(
  buf: Uint8Array,
  p: number,
  dict: Uint8Array,
  out: Uint8Array,
  at: number,
  groups: number,
): number {
  let seen = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 3, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    c = w0 & 7;
    out[at] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 3) & 7;
    out[at + 1] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 6) & 7;
    out[at + 2] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 9) & 7;
    out[at + 3] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 12) & 7;
    out[at + 4] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 15) & 7;
    out[at + 5] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 18) & 7;
    out[at + 6] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 21) & 7;
    out[at + 7] = dict[c]!;
    seen |= 1 << c;
  }
  return seen;
}

function unpackBytes4(
  buf: Uint8Array,
  p: number,
  dict: Uint8Array,
  out: Uint8Array,
  at: number,
  groups: number,
): number {
  let seen = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 4, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    c = w0 & 15;
    out[at] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 4) & 15;
    out[at + 1] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 8) & 15;
    out[at + 2] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 12) & 15;
    out[at + 3] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 16) & 15;
    out[at + 4] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 20) & 15;
    out[at + 5] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 24) & 15;
    out[at + 6] = dict[c]!;
    seen |= 1 << c;
    c = (w0 >>> 28) & 15;
    out[at + 7] = dict[c]!;
    seen |= 1 << c;
  }
  return seen;
}

/** The byte unpacker of each bit width up to `UNPACK_BYTES_MAX_WIDTH` (index 0 unused). */
export const UNPACK_BYTES: readonly (UnpackBytes | null)[] = [
  null,
  unpackBytes1,
  unpackBytes2,
  unpackBytes3,
  unpackBytes4,
];

/** The widest bit width `UNPACK_BYTES` has a function for (one 32-bit word a group; codes below 16, one bit each in a mask). */
export const UNPACK_BYTES_MAX_WIDTH = 4;

/**
 * Unpacks `groups` groups of 8 codes from `buf` at byte `p` into `out` from `at` as the
 * values of `dict` (doubles; at least 2^width entries: padded past a smaller dictionary); returns
 * a negative number when some code is past `last` (the dictionary's last code).
 */
export type UnpackDoubles = (
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
) => number;

function unpackDoubles1(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 1, at += 8) {
    const w0 = buf[p]!;
    c = w0 & 1;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 1) & 1;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 2) & 1;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 3) & 1;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 1;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 5) & 1;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 1;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 7) & 1;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles2(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 2, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8);
    c = w0 & 3;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 2) & 3;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 3;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 3;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 3;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 10) & 3;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 3;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 14) & 3;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles3(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 3, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    c = w0 & 7;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 3) & 7;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 7;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 9) & 7;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 7;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 15) & 7;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 18) & 7;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 21) & 7;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles4(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 4, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    c = w0 & 15;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 15;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 15;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 15;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 16) & 15;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 20) & 15;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 15;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 28) & 15;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles5(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 5, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]!;
    c = w0 & 31;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 5) & 31;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 10) & 31;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 15) & 31;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 20) & 31;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 25) & 31;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 31;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 3) & 31;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles6(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 6, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8);
    c = w0 & 63;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 63;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 63;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 18) & 63;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 63;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 63;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 4) & 63;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 10) & 63;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles7(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 7, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16);
    c = w0 & 127;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 7) & 127;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 14) & 127;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 21) & 127;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 28) | (w1 << 4)) & 127;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 3) & 127;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 10) & 127;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 17) & 127;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackDoubles8(
  buf: Uint8Array,
  p: number,
  dict: Float64Array,
  last: number,
  out: Float64Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 8, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    c = w0 & 255;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 255;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 16) & 255;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 255;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = w1 & 255;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 8) & 255;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 16) & 255;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 24) & 255;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

/** The doubles unpacker of each bit width up to `UNPACK_DOUBLES_MAX_WIDTH` (index 0 unused). */
export const UNPACK_DOUBLES: readonly (UnpackDoubles | null)[] = [
  null,
  unpackDoubles1,
  unpackDoubles2,
  unpackDoubles3,
  unpackDoubles4,
  unpackDoubles5,
  unpackDoubles6,
  unpackDoubles7,
  unpackDoubles8,
];

/** The widest bit width `UNPACK_DOUBLES` has a function for. */
export const UNPACK_DOUBLES_MAX_WIDTH = 8;

/**
 * Unpacks `groups` groups of 8 codes from `buf` at byte `p` into `out` from `at` as the
 * values of `dict` (int32 values; at least 2^width entries: padded past a smaller dictionary); returns
 * a negative number when some code is past `last` (the dictionary's last code).
 */
export type UnpackInts = (
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
) => number;

function unpackInts1(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 1, at += 8) {
    const w0 = buf[p]!;
    c = w0 & 1;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 1) & 1;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 2) & 1;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 3) & 1;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 1;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 5) & 1;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 1;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 7) & 1;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts2(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 2, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8);
    c = w0 & 3;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 2) & 3;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 3;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 3;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 3;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 10) & 3;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 3;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 14) & 3;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts3(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 3, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
    c = w0 & 7;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 3) & 7;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 7;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 9) & 7;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 7;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 15) & 7;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 18) & 7;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 21) & 7;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts4(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 4, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    c = w0 & 15;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 4) & 15;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 15;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 15;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 16) & 15;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 20) & 15;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 15;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 28) & 15;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts5(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 5, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]!;
    c = w0 & 31;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 5) & 31;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 10) & 31;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 15) & 31;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 20) & 31;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 25) & 31;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 31;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 3) & 31;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts6(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 6, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8);
    c = w0 & 63;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 6) & 63;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 63;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 18) & 63;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 63;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 63;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 4) & 63;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 10) & 63;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts7(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 7, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16);
    c = w0 & 127;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 7) & 127;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 14) & 127;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 21) & 127;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 28) | (w1 << 4)) & 127;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 3) & 127;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 10) & 127;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 17) & 127;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts8(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 8, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    c = w0 & 255;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 8) & 255;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 16) & 255;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 24) & 255;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = w1 & 255;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 8) & 255;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 16) & 255;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 24) & 255;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts9(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 9, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]!;
    c = w0 & 511;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 9) & 511;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 18) & 511;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 27) | (w1 << 5)) & 511;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 4) & 511;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 13) & 511;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 22) & 511;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 31) | (w2 << 1)) & 511;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts10(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 10, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8);
    c = w0 & 1023;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 10) & 1023;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 20) & 1023;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 1023;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 8) & 1023;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 18) & 1023;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 28) | (w2 << 4)) & 1023;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 6) & 1023;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts11(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 11, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16);
    c = w0 & 2047;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 11) & 2047;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 22) | (w1 << 10)) & 2047;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 1) & 2047;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 12) & 2047;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 23) | (w2 << 9)) & 2047;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 2) & 2047;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 13) & 2047;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts12(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 12, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    c = w0 & 4095;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 12) & 4095;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 24) | (w1 << 8)) & 4095;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 4) & 4095;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 16) & 4095;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 28) | (w2 << 4)) & 4095;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 8) & 4095;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 20) & 4095;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts13(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 13, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]!;
    c = w0 & 8191;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 13) & 8191;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 26) | (w1 << 6)) & 8191;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 7) & 8191;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 20) | (w2 << 12)) & 8191;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 1) & 8191;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 14) & 8191;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = ((w2 >>> 27) | (w3 << 5)) & 8191;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts14(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 14, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8);
    c = w0 & 16383;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 14) & 16383;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 28) | (w1 << 4)) & 16383;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 10) & 16383;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 24) | (w2 << 8)) & 16383;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 6) & 16383;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = ((w2 >>> 20) | (w3 << 12)) & 16383;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w3 >>> 2) & 16383;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts15(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 15, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8) | (buf[p + 14]! << 16);
    c = w0 & 32767;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 15) & 32767;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = ((w0 >>> 30) | (w1 << 2)) & 32767;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 13) & 32767;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = ((w1 >>> 28) | (w2 << 4)) & 32767;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 11) & 32767;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = ((w2 >>> 26) | (w3 << 6)) & 32767;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w3 >>> 9) & 32767;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

function unpackInts16(
  buf: Uint8Array,
  p: number,
  dict: Int32Array,
  last: number,
  out: Int32Array,
  at: number,
  groups: number,
): number {
  let over = 0;
  let c = 0;
  for (let g = 0; g < groups; g++, p += 16, at += 8) {
    const w0 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const w1 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const w2 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
    const w3 = buf[p + 12]! | (buf[p + 13]! << 8) | (buf[p + 14]! << 16) | (buf[p + 15]! << 24);
    c = w0 & 65535;
    out[at] = dict[c]!;
    over |= last - c;
    c = (w0 >>> 16) & 65535;
    out[at + 1] = dict[c]!;
    over |= last - c;
    c = w1 & 65535;
    out[at + 2] = dict[c]!;
    over |= last - c;
    c = (w1 >>> 16) & 65535;
    out[at + 3] = dict[c]!;
    over |= last - c;
    c = w2 & 65535;
    out[at + 4] = dict[c]!;
    over |= last - c;
    c = (w2 >>> 16) & 65535;
    out[at + 5] = dict[c]!;
    over |= last - c;
    c = w3 & 65535;
    out[at + 6] = dict[c]!;
    over |= last - c;
    c = (w3 >>> 16) & 65535;
    out[at + 7] = dict[c]!;
    over |= last - c;
  }
  return over;
}

/** The int32 values unpacker of each bit width up to `UNPACK_INTS_MAX_WIDTH` (index 0 unused). */
export const UNPACK_INTS: readonly (UnpackInts | null)[] = [
  null,
  unpackInts1,
  unpackInts2,
  unpackInts3,
  unpackInts4,
  unpackInts5,
  unpackInts6,
  unpackInts7,
  unpackInts8,
  unpackInts9,
  unpackInts10,
  unpackInts11,
  unpackInts12,
  unpackInts13,
  unpackInts14,
  unpackInts15,
  unpackInts16,
];

/** The widest bit width `UNPACK_INTS` has a function for. */
export const UNPACK_INTS_MAX_WIDTH = 16;
