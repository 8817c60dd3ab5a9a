/**
 * Parquet schema → type names, following the rules by which parquet-wasm (arrow-rs) decodes a
 * Parquet schema into Arrow types, so a footer names a column exactly as its data will arrive:
 * LIST groups (three-level, and the legacy two-level forms), MAP groups, plain groups as
 * structs, repeated fields outside a LIST as lists, and every annotated leaf. The names are the
 * text form of operators/arrowTypes.ts (`list<int32>`, `struct<a: int64>`, `decimal(10,2)`…).
 */

/** The parts of a Parquet schema element that decide its type (as hyparquet reads them). */
export interface SchemaElement {
  readonly type?: string;
  readonly name: string;
  readonly num_children?: number;
  readonly converted_type?: string;
  readonly logical_type?: {
    readonly type?: string;
    readonly bitWidth?: number;
    readonly isSigned?: boolean;
    readonly precision?: number;
    readonly scale?: number;
    readonly unit?: string;
    readonly isAdjustedToUTC?: boolean;
  };
  readonly repetition_type?: string;
  readonly scale?: number;
  readonly precision?: number;
  readonly type_length?: number;
}

/** A node of the schema tree: an element and its children. */
export interface SchemaNode {
  readonly element: SchemaElement;
  readonly children: readonly SchemaNode[];
}

/** The tree of a footer's flat element list (element 0 is the root). */
export function schemaTree(elements: readonly SchemaElement[]): SchemaNode {
  let at = 0;
  const visit = (): SchemaNode => {
    const element = elements[at++]!;
    const children: SchemaNode[] = [];
    for (let k = 0; k < (element.num_children ?? 0); k++) children.push(visit());
    return { element, children };
  };
  return visit();
}

const UNIT: Record<string, string> = { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' };

const fieldName = (n: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : JSON.stringify(n));

/** The name of a leaf's type as arrow-rs decodes it (UUID is kept as `uuid`). */
export function leafTypeName(e: SchemaElement): string {
  const lt = e.logical_type;
  const ct = e.converted_type;
  const decimal = lt?.type === 'DECIMAL' || ct === 'DECIMAL';
  if (decimal) return `decimal(${lt?.precision ?? e.precision},${lt?.scale ?? e.scale ?? 0})`;
  switch (e.type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32':
    case 'INT64': {
      const bits = e.type === 'INT32' ? 32 : 64;
      if (lt?.type === 'DATE' || ct === 'DATE') return 'date';
      if (lt?.type === 'TIME') return `time[${UNIT[lt.unit ?? ''] ?? 'us'}]`;
      if (ct === 'TIME_MILLIS') return 'time[ms]';
      if (ct === 'TIME_MICROS') return 'time[us]';
      if (lt?.type === 'TIMESTAMP')
        return `timestamp[${UNIT[lt.unit ?? ''] ?? 'us'}${lt.isAdjustedToUTC ? ', UTC' : ''}]`;
      if (ct === 'TIMESTAMP_MILLIS') return 'timestamp[ms, UTC]';
      if (ct === 'TIMESTAMP_MICROS') return 'timestamp[us, UTC]';
      if (lt?.type === 'INTEGER') return `${lt.isSigned === false ? 'uint' : 'int'}${lt.bitWidth ?? bits}`;
      const m = /^(U?)INT_(8|16|32|64)$/.exec(ct ?? '');
      if (m) return `${m[1] ? 'uint' : 'int'}${m[2]}`;
      return `int${bits}`;
    }
    case 'INT96':
      return 'timestamp[ns]';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    case 'BYTE_ARRAY':
      if (['STRING', 'ENUM', 'JSON'].includes(lt?.type ?? '') || ['UTF8', 'ENUM', 'JSON'].includes(ct ?? ''))
        return 'string';
      return 'binary';
    case 'FIXED_LEN_BYTE_ARRAY':
      if (lt?.type === 'UUID') return 'uuid';
      if (lt?.type === 'FLOAT16') return 'float16';
      if (ct === 'INTERVAL') return 'interval';
      return `fixed_size_binary[${e.type_length ?? 0}]`;
    default:
      return String(e.type ?? 'unknown').toLowerCase();
  }
}

const isList = (e: SchemaElement) => e.logical_type?.type === 'LIST' || e.converted_type === 'LIST';
const isMap = (e: SchemaElement) =>
  e.logical_type?.type === 'MAP' || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE';

/** The type of a node ignoring its own repetition. */
function nodeType(node: SchemaNode): string {
  const e = node.element;
  if (!node.children.length) return leafTypeName(e);
  if (isList(e) && node.children.length === 1) return `list<${listElement(node, node.children[0]!)}>`;
  if (isMap(e) && node.children.length === 1) {
    const kv = node.children[0]!;
    const [k, v] = kv.children;
    if (k && v) return `map<${fieldType(k)}, ${fieldType(v)}>`;
  }
  return `struct<${node.children.map((c) => `${fieldName(c.element.name)}: ${fieldType(c)}`).join(', ')}>`;
}

/** The element type of a LIST group whose repeated child is `rep` (the legacy forms included). */
function listElement(list: SchemaNode, rep: SchemaNode): string {
  if (!rep.children.length) return nodeType(rep); // two-level: repeated int32 element
  const name = rep.element.name;
  if (rep.children.length > 1 || name === 'array' || name === `${list.element.name}_tuple`) return nodeType(rep);
  return fieldType(rep.children[0]!);
}

/** The type of a field: a repeated field outside a LIST group is a list of its type. */
function fieldType(node: SchemaNode): string {
  const t = nodeType(node);
  return node.element.repetition_type === 'REPEATED' ? `list<${t}>` : t;
}

/** The type name of a top-level column (a child of the root). */
export function columnTypeName(node: SchemaNode): string {
  return fieldType(node);
}
