/**
 * The build side of a hash join as an index from key to build rows, and the probe that turns a
 * batch of probe keys into matching (probe row, build row) pairs. Null keys never match.
 *
 * One int32/date key column (order, customer, part, supplier keys; dates) gets an index of its
 * own: a slot per key, addressed directly by key − base when the keys are dense (at most
 * DIRECT_SLOTS_PER_ROW slots per build row), else in an open-addressing table sized by the
 * build rows with a bitmap of the keys present in front of it, so that probe keys absent from
 * the build side (most of them, in a selective join) skip the table. Unique build keys (a
 * dimension's primary key) keep their one row in the slot; repeated keys list their rows slot
 * by slot. No group ids or key copies are made. Several int32 key columns with narrow ranges are
 * packed into one int32 key; other keys go through a GroupTable of their distinct tuples.
 */
import { GroupTable } from './hash.js';
import { recycle, spareArray } from './spareArrays.js';
import type { Vec } from './vector.js';
import { int32Range, isValid, newValidity, setValid } from './vector.js';

/** Matching pairs: probe row psel[k] meets build row bsel[k], probe rows ascending. */
export interface Matches {
  readonly psel: Int32Array;
  readonly bsel: Int32Array;
}

export interface JoinIndex {
  /**
   * Every (probe row, build row) pair whose keys are equal (no null key matches); with
   * `firstOnly`, only each probe row's first match (semi and anti joins ask whether there is one).
   */
  matches(keys: readonly Vec[], n: number, firstOnly?: boolean): Matches;
  /**
   * The probe rows (ascending) whose keys the build side has: all a runtime filter asks. With
   * `out` (at least n long) the rows are written into it where the index allows (a view of its
   * start is returned), else into a fresh array.
   */
  has(keys: readonly Vec[], n: number, out?: Int32Array): Int32Array;
  /** The index will not be used again: its memory may serve the next one. */
  release(): void;
}

/**
 * A key range is addressed directly while it spans at most this many slots per build row (and
 * DIRECT_MAX_SPAN in all): keys that arrive sorted or clustered (order keys of a file, or of a
 * hash partition of them: 1 slot in 16) then touch the slots in order, where a hash table's
 * slots are a cache miss each.
 */
const DIRECT_SLOTS_PER_ROW = 16;
const DIRECT_MAX_SPAN = 1 << 23;
/**
 * Wider ranges are addressed by rank while that takes no more memory than a hashed table (its
 * bitmap, span / 8 bytes, and 8 bytes a slot): a bitmap of the keys present and a count per 32
 * keys (span / 4 bytes) number the distinct keys in key order, one slot each. Sorted build keys
 * (order keys of a file, a date-filtered orders table) then build and probe in order, with no
 * hash table's cache miss per key.
 */
const RANK_SLOTS_PER_CAP = 64;
/** The presence bitmap of a hashed index covers key ranges up to this many keys (8 MiB of bits). */
const BITMAP_MAX_SPAN = 1 << 26;

function anyNull(cols: readonly Vec[], i: number): boolean {
  for (const c of cols) if (!isValid(c.validity, i)) return true;
  return false;
}

const isIntKey = (keys: readonly Vec[]): keys is [Vec & { values: Int32Array }] =>
  keys.length === 1 && 'values' in keys[0]! && keys[0].values instanceof Int32Array && keys[0].type !== 'bool';

/** One int32 key column: build rows per key slot, slots addressed directly, by rank or hashed. */
export class IntJoinIndex implements JoinIndex {
  private readonly base: number;
  private readonly span: number;
  /** Hashed: the key of slot s (null when slots are addressed directly by key − base, or by rank). */
  private readonly keys: Int32Array | null;
  private readonly mask: number;
  private readonly shift: number;
  /** Hashed or ranked: bit k set when key base + k is present (null when the range is too wide). */
  private readonly present: Uint8Array | null;
  /**
   * Ranked: bit k of word k >> 5 set when key base + k is present (`present` is a byte view of
   * it), and rankBase[w] the keys present below word w; key base + k has slot rankBase[k >> 5] +
   * the bits below bit k. Null otherwise.
   */
  private readonly rankBits: Int32Array | null = null;
  private readonly rankBase: Int32Array | null = null;
  /**
   * While `rows` is null: the (lowest) build row of slot s, or -1 — all a unique key has, and all
   * a semi or anti join asks of a repeated one. Once listed: the rows of slot s are
   * rows[slots[s] .. slots[s+1]), ascending.
   */
  private slots: Int32Array;
  private rows: Int32Array | null = null;
  /**
   * Repeated keys not listed yet: lists them (slots become CSR starts, `rows` is set), on the
   * first lookup that wants every match. A semi or anti join never does: Q22 and Q4 at SF1
   * index 1.5 M order / 3.8 M lineitem keys, ~10 / ~4 rows a key, and skip the two passes.
   */
  private listRows: (() => void) | null = null;
  /** For probe keys held otherwise than as int32 (a type the planner did not align). */
  private fallback: GeneralJoinIndex | null = null;
  /** Direct slots: bit k set when key base + k has rows (has(), made on its first call). */
  private slotBits: Uint8Array | null = null;

  constructor(
    private readonly build: Vec & { values: Int32Array },
    private readonly n: number,
  ) {
    const v = build.values;
    const validity = build.validity;
    const [min, max] = int32Range(v, validity, n);
    const span = min <= max ? max - min + 1 : 0;
    this.base = min;
    this.span = span;
    const direct = span <= Math.max(1024, Math.min(DIRECT_MAX_SPAN, DIRECT_SLOTS_PER_ROW * n));
    const cap = direct ? Math.max(span, 1) : 2 ** Math.ceil(Math.log2(Math.max(1024, 2 * n)));
    if (!direct && span <= Math.min(BITMAP_MAX_SPAN, RANK_SLOTS_PER_CAP * cap)) {
      this.keys = null;
      this.mask = 0;
      this.shift = 0;
      const bits = spareArray(Int32Array, (span + 31) >>> 5);
      const ranks = spareArray(Int32Array, bits.length);
      this.rankBits = bits;
      this.rankBase = ranks;
      this.present = new Uint8Array(bits.buffer, bits.byteOffset, (span + 7) >> 3);
      const built = rankedSlots(v, validity, n, min, bits, ranks);
      this.slots = built.slots;
      this.rows = built.rows;
      return;
    }
    const keys = direct ? null : new Int32Array(cap);
    this.keys = keys;
    const mask = cap - 1;
    const shift = 32 - Math.log2(direct ? 1 : cap);
    this.mask = mask;
    this.shift = shift;
    const present = !direct && span <= BITMAP_MAX_SPAN ? new Uint8Array((span + 7) >> 3) : null;
    this.present = present;
    // First the lowest row of each key (rows from the last), noting whether any key repeats.
    const slots = spareArray(Int32Array, cap + 1, -1);
    // Hashed: each row's slot, so that listing repeated keys' rows needs no second lookup.
    const slotOfRow = keys ? new Int32Array(n) : null;
    let unique = true;
    for (let i = n - 1; i >= 0; i--) {
      if (validity && !isValid(validity, i)) continue;
      const x = v[i]!;
      let s: number;
      if (keys === null) s = x - min;
      else {
        s = Math.imul(x, 0x9e3779b1) >>> shift;
        while (slots[s] !== -1 && keys[s] !== x) s = (s + 1) & mask;
        keys[s] = x;
        const k = x - min;
        if (present) present[k >> 3]! |= 1 << (k & 7);
        slotOfRow![i] = s;
      }
      if (slots[s] !== -1) unique = false;
      slots[s] = i;
    }
    this.slots = slots;
    if (unique) return;
    // Repeated keys: count rows per slot, then list them slot by slot (CSR) — when first asked.
    this.listRows = () => {
      this.listRows = null;
      slots.fill(0);
      const slotOf = (i: number): number => (slotOfRow ? slotOfRow[i]! : v[i]! - min);
      for (let i = 0; i < n; i++) if (!validity || isValid(validity, i)) slots[slotOf(i)]!++;
      for (let s = 0, acc = 0; s < cap; s++) slots[s] = acc += slots[s]!;
      slots[cap] = slots[cap - 1]!;
      const rows = new Int32Array(slots[cap]!);
      for (let i = n - 1; i >= 0; i--) if (!validity || isValid(validity, i)) rows[--slots[slotOf(i)]!] = i;
      this.rows = rows;
    };
  }

  /** Hands the slot array back for the next build (operators/spareArrays.ts): a fresh large one costs its page faults. */
  release(): void {
    recycle(this.slots);
    recycle(this.rankBits);
    recycle(this.rankBase);
  }

  /** The slot of key x, or -1 when x is absent. */
  private slotOf(x: number): number {
    const k = x - this.base;
    const rankBits = this.rankBits;
    if (rankBits !== null) {
      if (k < 0 || k >= this.span) return -1;
      const w = rankBits[k >> 5]!;
      const bit = 1 << (k & 31);
      return (w & bit) === 0 ? -1 : this.rankBase![k >> 5]! + bitCount(w & (bit - 1));
    }
    if (this.keys === null) return k >= 0 && k < this.span ? k : -1;
    if (this.present && (k < 0 || k >= this.span || (this.present[k >> 3]! & (1 << (k & 7))) === 0)) return -1;
    const keys = this.keys;
    const unique = this.rows === null;
    const slots = this.slots;
    for (let s = Math.imul(x, 0x9e3779b1) >>> this.shift; ; s = (s + 1) & this.mask) {
      // An empty slot: -1 (first rows), or no rows (CSR).
      if (unique ? slots[s] === -1 : slots[s] === slots[s + 1]) return -1;
      if (keys[s] === x) return s;
    }
  }

  /**
   * Membership only, from a bitmap of the keys present: the hashed index's own, or one made from
   * the direct slots on the first lookup (span / 8 bytes: it stays in cache where the slots,
   * 4 bytes a key, do not). A scan's runtime filter looks up every row: TPC-H Q3 at SF 10, 32 M
   * lineitem keys against 1.5 M orders, 3-4 times faster than matches in a microbenchmark.
   */
  has(cols: readonly Vec[], n: number, room?: Int32Array): Int32Array {
    const bits = isIntKey(cols) ? (this.present ?? this.directBits()) : null;
    if (!bits) return this.matches(cols, n, true).psel;
    const { values, validity } = cols[0] as Vec & { values: Int32Array };
    const out = room && room.length >= n ? room : new Int32Array(n);
    return out.subarray(0, keysInBitmap(values, validity, n, this.base, this.span, bits, out));
  }

  /** Direct slots: the bitmap of the keys that have rows (made once); hashed without a bitmap: null. */
  private directBits(): Uint8Array | null {
    if (this.keys !== null) return null;
    if (this.slotBits) return this.slotBits;
    const { slots, rows, span } = this;
    const bits = new Uint8Array((span + 7) >> 3);
    for (let d = 0; d < span; d++)
      if (rows === null ? slots[d] !== -1 : slots[d]! < slots[d + 1]!) bits[d >> 3]! |= 1 << (d & 7);
    this.slotBits = bits;
    return bits;
  }

  matches(cols: readonly Vec[], n: number, firstOnly = false): Matches {
    const c = cols[0]!;
    if (!isIntKey(cols)) {
      this.fallback ??= new GeneralJoinIndex([this.build], this.n);
      return this.fallback.matches(cols, n, firstOnly);
    }
    const v = (c as Vec & { values: Int32Array }).values;
    const validity = c.validity;
    if (!firstOnly && this.listRows) this.listRows();
    const { slots, rows } = this;
    // Probe keys often come in runs (a file sorted by order key): a repeat needs no lookup.
    let lastKey = 0;
    let lastSlot = -2;
    if (rows === null || firstOnly) {
      // At most one match a row: room for all of them (pages never written cost nothing).
      const psel = new Int32Array(n);
      const bsel = new Int32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (validity && !isValid(validity, i)) continue;
        const x = v[i]!;
        if (x !== lastKey || lastSlot === -2) {
          lastKey = x;
          lastSlot = this.slotOf(x);
        }
        if (lastSlot === -1) continue;
        const r =
          rows === null ? slots[lastSlot]! : slots[lastSlot]! < slots[lastSlot + 1]! ? rows[slots[lastSlot]!]! : -1;
        if (r === -1) continue;
        psel[k] = i;
        bsel[k++] = r;
      }
      return { psel: psel.subarray(0, k), bsel: bsel.subarray(0, k) };
    }
    const at = new Int32Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (validity && !isValid(validity, i)) {
        at[i] = -1;
        continue;
      }
      const x = v[i]!;
      if (x !== lastKey || lastSlot === -2) {
        lastKey = x;
        lastSlot = this.slotOf(x);
      }
      at[i] = lastSlot;
      if (lastSlot !== -1) count += slots[lastSlot + 1]! - slots[lastSlot]!;
    }
    const psel = new Int32Array(count);
    const bsel = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const s = at[i]!;
      if (s === -1) continue;
      for (let j = slots[s]!, e = slots[s + 1]!; j < e; j++) {
        psel[k] = i;
        bsel[k++] = rows[j]!;
      }
    }
    return { psel, bsel };
  }
}

/** The bits set in a 32-bit word. */
function bitCount(w: number): number {
  let x = w - ((w >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * The slots of a ranked index: sets the bit of each valid key (key − min) in `bits` and the keys
 * present below each word in `ranks` (both zeroed, a word each per 32 keys); returns one slot per
 * distinct key, in key order: its build row when no key repeats (rows null), else the start of
 * its rows (CSR, ascending). Keys that arrive sorted touch every array in order.
 */
function rankedSlots(
  v: Int32Array,
  validity: Uint8Array | null,
  n: number,
  min: number,
  bits: Int32Array,
  ranks: Int32Array,
): { slots: Int32Array; rows: Int32Array | null } {
  const sorted = sortedRankedSlots(v, validity, n, min, bits, ranks);
  if (sorted) return sorted;
  bits.fill(0);
  let unique = true;
  let valid = 0;
  for (let i = 0; i < n; i++) {
    if (validity && !isValid(validity, i)) continue;
    const k = v[i]! - min;
    const w = bits[k >> 5]!;
    const bit = 1 << (k & 31);
    if ((w & bit) !== 0) unique = false;
    bits[k >> 5] = w | bit;
    valid++;
  }
  let distinct = 0;
  for (let w = 0; w < bits.length; w++) {
    ranks[w] = distinct;
    distinct += bitCount(bits[w]!);
  }
  const rankOf = (k: number): number => ranks[k >> 5]! + bitCount(bits[k >> 5]! & ((1 << (k & 31)) - 1));
  if (unique) {
    const slots = spareArray(Int32Array, distinct);
    for (let i = 0; i < n; i++) if (!validity || isValid(validity, i)) slots[rankOf(v[i]! - min)] = i;
    return { slots, rows: null };
  }
  // Repeated keys: count rows per slot, then list them slot by slot (CSR).
  const slots = spareArray(Int32Array, distinct + 1);
  const rankOfRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (validity && !isValid(validity, i)) continue;
    const s = rankOf(v[i]! - min);
    rankOfRow[i] = s;
    slots[s]!++;
  }
  for (let s = 0, acc = 0; s < distinct; s++) slots[s] = acc += slots[s]!;
  slots[distinct] = valid;
  const rows = new Int32Array(valid);
  for (let i = n - 1; i >= 0; i--) if (!validity || isValid(validity, i)) rows[--slots[rankOfRow[i]!]!] = i;
  return { slots, rows };
}

/**
 * rankedSlots for keys that arrive in ascending order (a sorted file's): the j-th distinct key
 * has slot j, so one pass sets the bits, the counts and the slots. Null (bits partly set) at the
 * first key out of order.
 */
function sortedRankedSlots(
  v: Int32Array,
  validity: Uint8Array | null,
  n: number,
  min: number,
  bits: Int32Array,
  ranks: Int32Array,
): { slots: Int32Array; rows: Int32Array | null } | null {
  // The valid rows in order: the slots while no key repeats, else the CSR rows of `starts`.
  const rows = spareArray(Int32Array, n);
  let starts: Int32Array | null = null;
  let j = 0;
  let valid = 0;
  let last = -1;
  let lastWord = -1;
  for (let i = 0; i < n; i++) {
    if (validity && !isValid(validity, i)) continue;
    const k = v[i]! - min;
    if (k !== last) {
      if (k < last) {
        recycle(rows);
        recycle(starts);
        return null;
      }
      last = k;
      const w = k >> 5;
      bits[w]! |= 1 << (k & 31);
      // The words from the last key's on (a loop: a fill call per word costs more).
      while (lastWord < w) ranks[++lastWord] = j;
      if (starts !== null) starts[j] = valid;
      j++;
    } else if (starts === null) {
      // The first repeat: so far key t had the one row t.
      starts = spareArray(Int32Array, n + 1);
      for (let t = 0; t < j; t++) starts[t] = t;
    }
    rows[valid++] = i;
  }
  while (lastWord < ranks.length - 1) ranks[++lastWord] = j;
  if (starts === null) return { slots: rows, rows: null };
  starts[j] = valid;
  return { slots: starts, rows };
}

/**
 * Writes to `out` the rows whose key has its bit set in `bits` (key − base); returns how many.
 * Without nulls, one unsigned compare checks the range and the bit is read by a shift: a fifth
 * to a third less CPU than the general loop (6 M sorted order keys against 57 or all keys:
 * 17 -> 12-14, 23-26 -> 17-19 ms in a microbenchmark). Exact: an int32 key below base has
 * d >>> 0 = d + 2^32 >= span, as base + span - 1 (the largest build key) is below 2^31.
 */
function keysInBitmap(
  v: Int32Array,
  validity: Uint8Array | null,
  n: number,
  base: number,
  span: number,
  bits: Uint8Array,
  out: Int32Array,
): number {
  let k = 0;
  if (validity === null) {
    for (let i = 0; i < n; i++) {
      const d = v[i]! - base;
      if (d >>> 0 < span && ((bits[d >>> 3]! >> (d & 7)) & 1) !== 0) out[k++] = i;
    }
    return k;
  }
  for (let i = 0; i < n; i++) {
    const d = v[i]! - base;
    if (d >= 0 && d < span && (bits[d >> 3]! & (1 << (d & 7))) !== 0 && isValid(validity, i)) out[k++] = i;
  }
  return k;
}

/** Any other keys: a GroupTable of the distinct key tuples, rows listed per group (CSR). */
export class GeneralJoinIndex implements JoinIndex {
  private readonly table: GroupTable;
  /** rows of group g are rows[start[g] .. start[g+1]) */
  private readonly start: Int32Array;
  private readonly rows: Int32Array;

  constructor(cols: readonly Vec[], n: number) {
    const table = new GroupTable(cols.map((c) => c.type));
    const ids = table.groupIds(cols, n);
    for (let i = 0; i < n; i++) if (anyNull(cols, i)) ids[i] = -1;
    const start = new Int32Array(table.size + 1);
    for (let i = 0; i < n; i++) if (ids[i]! >= 0) start[ids[i]! + 1]!++;
    for (let g = 0; g < table.size; g++) start[g + 1]! += start[g]!;
    const fill = start.slice(0, table.size);
    const rows = new Int32Array(start[table.size]!);
    for (let i = 0; i < n; i++) if (ids[i]! >= 0) rows[fill[ids[i]!]!++] = i;
    this.table = table;
    this.start = start;
    this.rows = rows;
  }

  release(): void {}

  has(cols: readonly Vec[], n: number): Int32Array {
    return this.matches(cols, n, true).psel;
  }

  matches(cols: readonly Vec[], n: number, firstOnly = false): Matches {
    const groups = this.table.lookup(cols, n);
    const { start, rows } = this;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (g >= 0 && anyNull(cols, i)) groups[i] = -1;
      else if (g >= 0) count += firstOnly ? 1 : start[g + 1]! - start[g]!;
    }
    const psel = new Int32Array(count);
    const bsel = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (g < 0) continue;
      for (let j = start[g]!, e = firstOnly ? j + 1 : start[g + 1]!; j < e; j++) {
        psel[k] = i;
        bsel[k++] = rows[j]!;
      }
    }
    return { psel, bsel };
  }
}

type IntVec = Vec & { values: Int32Array };
const isIntVec = (c: Vec): c is IntVec => isIntKey([c]);

/**
 * Several int32 key columns (partsupp's (partkey, suppkey)) whose ranges multiply to at most
 * 2^31 keys: each tuple packed into one int32, ((a − minA) · spanB + (b − minB)) …, and indexed as
 * one int32 key; a probe tuple outside the build side's ranges matches nothing.
 */
class PackedJoinIndex implements JoinIndex {
  private readonly inner: IntJoinIndex;
  private fallback: GeneralJoinIndex | null = null;

  private constructor(
    private readonly build: readonly IntVec[],
    private readonly n: number,
    private readonly mins: readonly number[],
    private readonly spans: readonly number[],
  ) {
    this.inner = new IntJoinIndex(this.pack(build, n), n);
  }

  static of(keys: readonly Vec[], n: number): PackedJoinIndex | null {
    if (keys.length < 2 || !keys.every(isIntVec)) return null;
    const mins: number[] = [];
    const spans: number[] = [];
    let product = 1;
    for (const c of keys) {
      const [min, max] = int32Range(c.values, c.validity, n);
      const span = min <= max ? max - min + 1 : 1;
      product *= span;
      mins.push(min <= max ? min : 0);
      spans.push(span);
    }
    return product <= 2147483647 ? new PackedJoinIndex(keys, n, mins, spans) : null;
  }

  /** Each row's packed tuple; null where a value is null or outside the build side's range. */
  private pack(cols: readonly IntVec[], n: number): IntVec {
    const packed = new Int32Array(n);
    let validity: Uint8Array | null = null;
    const reject = (i: number) => {
      validity ??= newValidity(n);
      setValid(validity, i, false);
    };
    for (let k = 0; k < cols.length; k++) {
      const { values, validity: valid } = cols[k]!;
      const min = this.mins[k]!;
      const span = this.spans[k]!;
      for (let i = 0; i < n; i++) {
        const d = values[i]! - min;
        if ((valid && !isValid(valid, i)) || d < 0 || d >= span) reject(i);
        else packed[i] = packed[i]! * span + d;
      }
    }
    return { type: 'int32', values: packed, validity };
  }

  matches(cols: readonly Vec[], n: number, firstOnly = false): Matches {
    if (!cols.every(isIntVec)) {
      this.fallback ??= new GeneralJoinIndex(this.build, this.n);
      return this.fallback.matches(cols, n, firstOnly);
    }
    return this.inner.matches([this.pack(cols, n)], n, firstOnly);
  }

  has(cols: readonly Vec[], n: number, out?: Int32Array): Int32Array {
    return cols.every(isIntVec) ? this.inner.has([this.pack(cols, n)], n, out) : this.matches(cols, n, true).psel;
  }

  release(): void {
    this.inner.release();
  }
}

/** The index of a build side's key columns (n rows). */
export function joinIndex(keys: readonly Vec[], n: number): JoinIndex {
  if (isIntKey(keys)) return new IntJoinIndex(keys[0], n);
  return PackedJoinIndex.of(keys, n) ?? new GeneralJoinIndex(keys, n);
}
