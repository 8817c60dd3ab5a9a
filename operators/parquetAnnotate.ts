/**
 * Logical types parquet-wasm's writer cannot set, added to the file it wrote: a uuid column is
 * written as FIXED_LEN_BYTE_ARRAY(16) and annotated UUID here; an interval column as
 * FIXED_LEN_BYTE_ARRAY(12) (months, days, milliseconds: operators/parquetInterval.ts) and annotated
 * INTERVAL. Only the footer changes (it is the file's last part: data pages keep their offsets);
 * it is decoded and re-encoded with operators/thriftCompact.ts, every other field byte for byte.
 */
import type * as arrow from 'apache-arrow';
import * as A from 'apache-arrow';
import { InternalError } from '../planner/errors.js';
import type { Schema } from '../planner/types.js';
import { arrowFieldOfName } from './arrowTypes.js';
import {
  dropField,
  fieldOf,
  readStruct,
  setField,
  T,
  type ThriftStruct,
  type ThriftValue,
  writeStruct,
} from './thriftCompact.js';

/** FileMetaData.schema / row_groups, SchemaElement.num_children / converted_type / logicalType, LogicalType.UUID. */
const SCHEMA = 2;
const ROW_GROUPS = 4;
/** RowGroup.columns, ColumnChunk.meta_data, ColumnMetaData.statistics. */
const COLUMNS = 1;
const META_DATA = 3;
const STATISTICS = 12;
const NUM_CHILDREN = 5;
const CONVERTED_TYPE = 6;
const LOGICAL_TYPE = 10;
const UUID = 14;
const INTERVAL = 21;

type Mark = 'uuid' | 'interval';

/** Whether a schema has a column (or a nested field) the writer cannot annotate. */
export function needsAnnotation(schema: Schema): boolean {
  return schema.some((f) => /(^|[<, ])(uuid|interval)([>,]|$)/.test(f.type));
}

/** The Parquet file with UUID and INTERVAL annotations on the leaves whose engine type is uuid or interval. */
export function annotateParquet(file: Uint8Array, schema: Schema): Uint8Array {
  if (!needsAnnotation(schema)) return file;
  const { struct: meta } = readStruct(footerBytes(file));
  const elements = listItems(fieldOf(meta, SCHEMA)) as ThriftStruct[];
  // Element 0 is the root; its children are the columns, depth first.
  let at = 1;
  let leaf = 0;
  const intervalLeaves = new Set<number>();
  const children = (e: ThriftStruct) => Number(intOf(fieldOf(e, NUM_CHILDREN)));
  const walk = (field: arrow.Field | null): void => {
    const e = elements[at++];
    if (!e) throw new InternalError('BAD_WRITTEN_SCHEMA', 'the written Parquet schema has fewer elements than columns');
    const n = children(e);
    const mark = field && markOf(field);
    if (mark && n === 0) {
      annotate(e, mark);
      if (mark === 'interval') intervalLeaves.add(leaf);
    }
    if (n === 0) leaf++;
    const kids = field ? childFields(field, n) : [];
    for (let k = 0; k < n; k++) walk(kids[k] ?? null);
  };
  for (const f of schema) walk(arrowFieldOfName(f.name, f.type));
  // An INTERVAL has no sort order (the Parquet spec): the bounds the writer kept for its bytes go.
  for (const rg of listItems(fieldOf(meta, ROW_GROUPS)) as ThriftStruct[])
    (listItems(fieldOf(rg, COLUMNS)) as ThriftStruct[]).forEach((chunk, i) => {
      const m = fieldOf(chunk, META_DATA);
      if (intervalLeaves.has(i) && m?.kind === 'struct') dropField(m, STATISTICS);
    });
  return withFooter(file, writeStruct(meta));
}

/** The Thrift bytes of a Parquet file's footer (before its 4-byte length and the closing magic). */
export function footerBytes(file: Uint8Array): Uint8Array {
  const len = new DataView(file.buffer, file.byteOffset, file.byteLength).getUint32(file.length - 8, true);
  return file.subarray(file.length - 8 - len, file.length - 8);
}

/** The file with its footer replaced (it is the file's last part: the data pages keep their offsets). */
export function withFooter(file: Uint8Array, footer: Uint8Array): Uint8Array {
  const start = file.length - 8 - footerBytes(file).length;
  const out = new Uint8Array(start + footer.length + 8);
  out.set(file.subarray(0, start));
  out.set(footer, start);
  new DataView(out.buffer).setUint32(start + footer.length, footer.length, true);
  out.set(file.subarray(file.length - 4), start + footer.length + 4);
  return out;
}

function markOf(f: arrow.Field): Mark | null {
  if (f.metadata.get('ARROW:extension:name') === 'arrow.uuid') return 'uuid';
  return f.type.typeId === A.Type.Interval ? 'interval' : null;
}

/**
 * The fields under a written group, by position: a list's and a map's repeated middle level
 * stands for the whole (its children are the element, or the key and the value).
 */
function childFields(f: arrow.Field, n: number): (arrow.Field | null)[] {
  const t = f.type;
  switch (t.typeId) {
    case A.Type.List:
    case A.Type.FixedSizeList:
      return [middle([t.children[0]!])];
    case A.Type.Map:
      return [middle((t.children[0]!.type as arrow.Struct).children)];
    case A.Type.Struct:
      return t.children;
    default:
      return new Array<null>(n).fill(null);
  }
}

/** A stand-in field for the repeated middle group of a list or map, whose children are `fields`. */
const middle = (fields: arrow.Field[]) => new A.Field('middle', new A.Struct(fields));

function annotate(e: ThriftStruct, mark: Mark): void {
  if (mark === 'uuid') {
    setField(e, LOGICAL_TYPE, { kind: 'struct', fields: [{ id: UUID, value: { kind: 'struct', fields: [] } }] });
  } else {
    setField(e, CONVERTED_TYPE, { kind: 'int', type: T.I32, value: BigInt(INTERVAL) });
  }
}

function listItems(v: ThriftValue | undefined): ThriftValue[] {
  if (v?.kind !== 'list')
    throw new InternalError('BAD_WRITTEN_SCHEMA', 'the written Parquet footer lacks a list it must have');
  return v.items;
}

const intOf = (v: ThriftValue | undefined): bigint => (v?.kind === 'int' ? v.value : 0n);
