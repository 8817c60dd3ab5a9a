/**
 * StringBuilder: builds a string column (Arrow-style offsets + UTF-8 bytes) row by row, with
 * no intermediate JS strings.
 */
import type { BytesVec } from './vector.js';

const encoder = new TextEncoder();

export class StringBuilder {
  private data: Uint8Array;
  private pos = 0;
  readonly offsets: Int32Array;
  constructor(rows: number, bytesGuess: number) {
    this.offsets = new Int32Array(rows + 1);
    this.data = new Uint8Array(Math.max(16, bytesGuess));
  }
  private reserve(bytes: number): Uint8Array {
    const need = this.pos + bytes;
    if (need > this.data.length) {
      const grown = new Uint8Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.pos));
      this.data = grown;
    }
    return this.data;
  }
  append(src: Uint8Array, s: number, e: number): void {
    const out = this.reserve(e - s);
    if (e - s > 32) out.set(src.subarray(s, e), this.pos);
    else for (let k = s, p = this.pos; k < e; k++, p++) out[p] = src[k]!;
    this.pos += e - s;
  }
  /** Append ASCII bytes, adding `delta` to those in [lo, lo + 26) (ASCII case mapping). */
  appendShifted(src: Uint8Array, s: number, e: number, lo: number, delta: number): void {
    const out = this.reserve(e - s);
    for (let k = s, p = this.pos; k < e; k++, p++) {
      const c = src[k]!;
      out[p] = c >= lo && c < lo + 26 ? c + delta : c;
    }
    this.pos += e - s;
  }
  /** Append a string of char codes below 0x80. */
  appendAscii(text: string): void {
    const out = this.reserve(text.length);
    for (let k = 0; k < text.length; k++) out[this.pos + k] = text.charCodeAt(k);
    this.pos += text.length;
  }
  /** Append a JS string as UTF-8. */
  appendText(text: string): void {
    const bytes = encoder.encode(text);
    this.append(bytes, 0, bytes.length);
  }
  /** Close row `i` (rows are closed in order; a null row is closed empty). */
  end(i: number): void {
    this.offsets[i + 1] = this.pos;
  }
  build(validity: Uint8Array | null): BytesVec {
    return { type: 'string', offsets: this.offsets, data: this.data.subarray(0, this.pos), validity };
  }
}
