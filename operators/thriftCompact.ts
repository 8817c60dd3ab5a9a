/**
 * Thrift's compact protocol, read and written losslessly as a generic tree (field ids and wire
 * types, no schema): enough to change a few fields of a Parquet footer (FileMetaData) and write
 * the rest back byte for byte (operators/parquetAnnotate.ts). Integers are BigInts so that an
 * i64 keeps every bit.
 */
import { ExecutionError } from '../planner/errors.js';

/** Compact-protocol wire types. */
export const T = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type ThriftValue =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly type: 3 | 4 | 5 | 6; readonly value: bigint }
  | { readonly kind: 'double'; readonly bytes: Uint8Array }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array }
  | { readonly kind: 'list'; readonly type: 9 | 10; readonly elem: number; readonly items: ThriftValue[] }
  | { readonly kind: 'map'; readonly key: number; readonly val: number; readonly entries: [ThriftValue, ThriftValue][] }
  | ThriftStruct;

export interface ThriftField {
  readonly id: number;
  value: ThriftValue;
}

export interface ThriftStruct {
  readonly kind: 'struct';
  fields: ThriftField[];
}

const bad = (why: string): never => {
  throw new ExecutionError('CORRUPT_PARQUET', `Parquet footer: ${why}`);
};

/** Read one struct from `bytes` at `at`; returns it and where it ends. */
export function readStruct(bytes: Uint8Array, at = 0): { struct: ThriftStruct; end: number } {
  let pos = at;
  const byte = () => (pos < bytes.length ? bytes[pos++]! : bad('it ends inside a value'));
  const varint = (): bigint => {
    let out = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = byte();
      out |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return out;
      if (shift > 63n) bad('a varint is too long');
    }
  };
  const zigzag = () => {
    const u = varint();
    return (u >> 1n) ^ -(u & 1n);
  };
  const value = (type: number, inCollection: boolean): ThriftValue => {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // A bool field carries its value in its type; in a collection it is one byte (1 = true, as Java writes 1 or 2).
        return { kind: 'bool', value: inCollection ? byte() === 1 : type === T.TRUE };
      case T.BYTE:
        return { kind: 'int', type, value: BigInt((byte() << 24) >> 24) };
      case T.I16:
      case T.I32:
      case T.I64:
        return { kind: 'int', type, value: zigzag() };
      case T.DOUBLE:
        pos += 8;
        if (pos > bytes.length) bad('it ends inside a double');
        return { kind: 'double', bytes: bytes.slice(pos - 8, pos) };
      case T.BINARY: {
        const n = Number(varint());
        if (pos + n > bytes.length) bad('it ends inside a string');
        pos += n;
        return { kind: 'binary', bytes: bytes.slice(pos - n, pos) };
      }
      case T.LIST:
      case T.SET: {
        const h = byte();
        const size = h >> 4 === 15 ? Number(varint()) : h >> 4;
        const elem = h & 15;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(value(elem, true));
        return { kind: 'list', type, elem, items };
      }
      case T.MAP: {
        const size = Number(varint());
        const kv = size ? byte() : 0;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) entries.push([value(kv >> 4, true), value(kv & 15, true)]);
        return { kind: 'map', key: kv >> 4, val: kv & 15, entries };
      }
      case T.STRUCT:
        return struct();
      default:
        return bad(`unknown wire type ${type}`);
    }
  };
  const struct = (): ThriftStruct => {
    const fields: ThriftField[] = [];
    let last = 0;
    for (;;) {
      const h = byte();
      if (h === 0) return { kind: 'struct', fields };
      const delta = h >> 4;
      const id = delta ? last + delta : Number(zigzag());
      fields.push({ id, value: value(h & 15, false) });
      last = id;
    }
  };
  const s = struct();
  return { struct: s, end: pos };
}

/** The compact-protocol bytes of a struct. */
export function writeStruct(s: ThriftStruct): Uint8Array {
  const out: number[] = [];
  const varint = (v: bigint) => {
    let u = BigInt.asUintN(64, v);
    while (u >= 0x80n) {
      out.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    out.push(Number(u));
  };
  const zigzag = (v: bigint) => varint((v << 1n) ^ (v >> 63n));
  const bytes = (b: Uint8Array) => {
    for (const x of b) out.push(x);
  };
  const typeOf = (v: ThriftValue): number =>
    v.kind === 'bool'
      ? v.value
        ? T.TRUE
        : T.FALSE
      : v.kind === 'int' || v.kind === 'list'
        ? v.type
        : v.kind === 'double'
          ? T.DOUBLE
          : v.kind === 'binary'
            ? T.BINARY
            : v.kind === 'map'
              ? T.MAP
              : T.STRUCT;
  const value = (v: ThriftValue, inCollection: boolean): void => {
    switch (v.kind) {
      case 'bool':
        if (inCollection) out.push(v.value ? T.TRUE : T.FALSE);
        return;
      case 'int':
        if (v.type === T.BYTE) out.push(Number(v.value) & 0xff);
        else zigzag(v.value);
        return;
      case 'double':
        bytes(v.bytes);
        return;
      case 'binary':
        varint(BigInt(v.bytes.length));
        bytes(v.bytes);
        return;
      case 'list':
        if (v.items.length < 15) out.push((v.items.length << 4) | v.elem);
        else {
          out.push(0xf0 | v.elem);
          varint(BigInt(v.items.length));
        }
        for (const x of v.items) value(x, true);
        return;
      case 'map':
        varint(BigInt(v.entries.length));
        if (v.entries.length) out.push((v.key << 4) | v.val);
        for (const [k, x] of v.entries) {
          value(k, true);
          value(x, true);
        }
        return;
      case 'struct': {
        let last = 0;
        for (const f of v.fields) {
          const type = typeOf(f.value);
          if (f.id > last && f.id - last <= 15) out.push(((f.id - last) << 4) | type);
          else {
            out.push(type);
            zigzag(BigInt(f.id));
          }
          value(f.value, false);
          last = f.id;
        }
        out.push(0);
        return;
      }
    }
  };
  value(s, false);
  return Uint8Array.from(out);
}

/** The field `id` of a struct, or undefined. */
export function fieldOf(s: ThriftStruct, id: number): ThriftValue | undefined {
  return s.fields.find((f) => f.id === id)?.value;
}

/** Set field `id` (kept in id order, as writers emit them). */
export function setField(s: ThriftStruct, id: number, value: ThriftValue): void {
  const f = s.fields.find((x) => x.id === id);
  if (f) f.value = value;
  else {
    s.fields.push({ id, value });
    s.fields.sort((a, b) => a.id - b.id);
  }
}

/** Remove field `id` if present. */
export function dropField(s: ThriftStruct, id: number): void {
  s.fields = s.fields.filter((f) => f.id !== id);
}
