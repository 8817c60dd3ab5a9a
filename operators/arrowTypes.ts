/**
 * Type names: the one text form of an Arrow type (`list<int32>`, `struct<a: int64, b: string>`,
 * `map<string, int64>`, `decimal(10,2)`, `timestamp[us, UTC]`, `fixed_size_binary[16]`), and
 * back from a name to an Arrow type. Opaque columns (nested, uuid, …) carry this name as their
 * engine type, so analysis, printSchema, shuffle schemas and writes all see the same type.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../planner/errors.js';

const TIME_UNIT: Record<number, string> = {
  [arrow.TimeUnit.SECOND]: 's',
  [arrow.TimeUnit.MILLISECOND]: 'ms',
  [arrow.TimeUnit.MICROSECOND]: 'us',
  [arrow.TimeUnit.NANOSECOND]: 'ns',
};
const UNIT_OF: Record<string, arrow.TimeUnit> = {
  s: arrow.TimeUnit.SECOND,
  ms: arrow.TimeUnit.MILLISECOND,
  us: arrow.TimeUnit.MICROSECOND,
  ns: arrow.TimeUnit.NANOSECOND,
};

/** A struct field name as written inside a type name: bare when it is an identifier, else JSON-quoted. */
const fieldName = (n: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : JSON.stringify(n));

/** The name of an Arrow field's type; a FixedSizeBinary(16) marked as the `arrow.uuid` extension is `uuid`. */
export function arrowFieldTypeName(f: arrow.Field): string {
  if (f.metadata.get('ARROW:extension:name') === 'arrow.uuid') return 'uuid';
  return arrowTypeName(f.type);
}

/**
 * Arrow data whose nested uuid fields carry the `arrow.uuid` extension marker, as the engine's
 * type name (`list<uuid>`, `struct<id: uuid>`) says: the Parquet decoder gives nested UUIDs as
 * plain FixedSizeBinary(16) fields, and results render a marked field as uuid text.
 */
export function withNestedUuids(d: arrow.Data, typeName: string): arrow.Data {
  if (typeName === 'uuid' || !typeName.includes('uuid')) return d;
  const marked = markUuids(d.type, arrowTypeOfName(typeName));
  return marked === d.type ? d : d.clone(marked);
}

function markUuids(t: arrow.DataType, named: arrow.DataType): arrow.DataType {
  const kids = t.children as arrow.Field[] | undefined;
  const namedKids = named.children as arrow.Field[] | undefined;
  if (!kids?.length || kids.length !== namedKids?.length) return t;
  let changed = false;
  const fields = kids.map((f, i) => {
    const n = namedKids[i]!;
    const type = markUuids(f.type, n.type);
    const uuid = n.metadata.get('ARROW:extension:name') === 'arrow.uuid' && !f.metadata.has('ARROW:extension:name');
    if (type === f.type && !uuid) return f;
    changed = true;
    return new arrow.Field(f.name, type, f.nullable, uuid ? new Map([...f.metadata, ...n.metadata]) : f.metadata);
  });
  if (!changed) return t;
  switch (t.typeId) {
    case arrow.Type.List:
      return new arrow.List(fields[0]!);
    case arrow.Type.FixedSizeList:
      return new arrow.FixedSizeList((t as arrow.FixedSizeList).listSize, fields[0]!);
    case arrow.Type.Map:
      return new arrow.Map_(fields[0] as arrow.Field<arrow.Struct>, (t as arrow.Map_).keysSorted);
    case arrow.Type.Struct:
      return new arrow.Struct(fields);
    default:
      return t;
  }
}

/** The name of an Arrow type. */
export function arrowTypeName(t: arrow.DataType): string {
  switch (t.typeId) {
    case arrow.Type.Null:
      return 'null';
    case arrow.Type.Bool:
      return 'bool';
    case arrow.Type.Int: {
      const { bitWidth, isSigned } = t as arrow.Int;
      return `${isSigned ? 'int' : 'uint'}${bitWidth}`;
    }
    case arrow.Type.Float:
      return `float${{ [arrow.Precision.HALF]: 16, [arrow.Precision.SINGLE]: 32, [arrow.Precision.DOUBLE]: 64 }[(t as arrow.Float).precision]}`;
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'string';
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
      return 'binary';
    case arrow.Type.Date:
      return 'date';
    case arrow.Type.Decimal: {
      const d = t as arrow.Decimal;
      return `decimal(${d.precision},${d.scale})`;
    }
    case arrow.Type.Timestamp: {
      const ts = t as arrow.Timestamp;
      return `timestamp[${TIME_UNIT[ts.unit]}${ts.timezone ? `, ${ts.timezone}` : ''}]`;
    }
    case arrow.Type.Time:
      return `time[${TIME_UNIT[(t as arrow.Time).unit]}]`;
    case arrow.Type.Duration:
      return `duration[${TIME_UNIT[(t as arrow.Duration).unit]}]`;
    case arrow.Type.Interval:
      return 'interval';
    case arrow.Type.FixedSizeBinary:
      return `fixed_size_binary[${(t as arrow.FixedSizeBinary).byteWidth}]`;
    case arrow.Type.List:
      return `list<${arrowFieldTypeName((t as arrow.List).children[0]!)}>`;
    case arrow.Type.FixedSizeList: {
      const l = t as arrow.FixedSizeList;
      return `fixed_size_list<${arrowFieldTypeName(l.children[0]!)}, ${l.listSize}>`;
    }
    case arrow.Type.Struct:
      return `struct<${(t as arrow.Struct).children.map((f) => `${fieldName(f.name)}: ${arrowFieldTypeName(f)}`).join(', ')}>`;
    case arrow.Type.Map: {
      const [k, v] = (t as arrow.Map_).children[0]!.type.children as arrow.Field[];
      return `map<${arrowFieldTypeName(k!)}, ${arrowFieldTypeName(v!)}>`;
    }
    case arrow.Type.Dictionary:
      return arrowTypeName((t as arrow.Dictionary).dictionary);
    default:
      return String(t).toLowerCase();
  }
}

const badName = (name: string, why: string) =>
  new InternalError('BAD_TYPE_NAME', `cannot read the type name '${name}': ${why}`, { type: name });

/** A cursor over a type name: identifiers, numbers, quoted names and punctuation, read on demand. */
class Cursor {
  private at = 0;
  constructor(readonly name: string) {}
  private static readonly TOKEN = /\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|-?\d+|[<>[\](),:])/y;
  peek(): string | undefined {
    const re = Cursor.TOKEN;
    re.lastIndex = this.at;
    return re.exec(this.name)?.[1];
  }
  next(): string {
    const re = Cursor.TOKEN;
    re.lastIndex = this.at;
    const m = re.exec(this.name);
    if (!m) throw badName(this.name, this.done() ? 'it ends early' : `unexpected '${this.name.slice(this.at).trim()}'`);
    this.at = re.lastIndex;
    return m[1]!;
  }
  expect(t: string): void {
    const got = this.next();
    if (got !== t) throw badName(this.name, `expected '${t}', got '${got}'`);
  }
  int(): number {
    const t = this.next();
    if (!/^-?\d+$/.test(t)) throw badName(this.name, `expected a number, got '${t}'`);
    return Number(t);
  }
  /** The raw text up to (not including) `stop` (a time zone such as `+01:00`). */
  until(stop: string): string {
    const end = this.name.indexOf(stop, this.at);
    if (end < 0) throw badName(this.name, `expected '${stop}'`);
    const text = this.name.slice(this.at, end).trim();
    this.at = end;
    return text;
  }
  done(): boolean {
    return this.name.slice(this.at).trim() === '';
  }
}

/** The Arrow type a name denotes (inverse of `arrowTypeName` up to child field names). */
export function arrowTypeOfName(name: string): arrow.DataType {
  return arrowFieldOfName('item', name).type;
}

/** An Arrow field of the named type (the field carries the uuid extension when the name is `uuid`). */
export function arrowFieldOfName(fieldNameText: string, name: string): arrow.Field {
  const c = new Cursor(name);
  const next = () => c.next();
  const expect = (t: string) => c.expect(t);
  const int = () => c.int();
  const parseField = (fname: string): arrow.Field => {
    const id = next();
    const field = (t: arrow.DataType, meta?: Map<string, string>) => new arrow.Field(fname, t, true, meta);
    switch (id) {
      case 'null':
        return field(new arrow.Null());
      case 'bool':
        return field(new arrow.Bool());
      case 'string':
        return field(new arrow.Utf8());
      case 'binary':
        return field(new arrow.Binary());
      case 'date':
        return field(new arrow.DateDay());
      case 'float16':
        return field(new arrow.Float16());
      case 'float32':
        return field(new arrow.Float32());
      case 'float64':
        return field(new arrow.Float64());
      case 'interval': // months, days and nanoseconds: a Parquet INTERVAL exactly (operators/parquetInterval.ts)
        return field(new arrow.IntervalMonthDayNano());
      case 'uuid':
        return field(
          new arrow.FixedSizeBinary(16),
          new Map([
            ['ARROW:extension:name', 'arrow.uuid'],
            ['ARROW:extension:metadata', ''],
          ]),
        );
      case 'decimal': {
        expect('(');
        const p = int();
        expect(',');
        const s = int();
        expect(')');
        return field(new arrow.Decimal(s, p, p > 18 ? 128 : 64));
      }
      case 'timestamp':
      case 'time':
      case 'duration': {
        expect('[');
        const unit = UNIT_OF[next()];
        if (unit === undefined) throw badName(name, 'unknown time unit');
        let tz: string | null = null;
        if (c.peek() === ',') {
          next();
          tz = c.until(']');
        }
        expect(']');
        if (id === 'timestamp') return field(new arrow.Timestamp(unit, tz));
        if (id === 'duration') return field(new arrow.Duration(unit));
        return field(
          new arrow.Time(unit, unit === arrow.TimeUnit.SECOND || unit === arrow.TimeUnit.MILLISECOND ? 32 : 64),
        );
      }
      case 'fixed_size_binary': {
        expect('[');
        const w = int();
        expect(']');
        return field(new arrow.FixedSizeBinary(w));
      }
      case 'list': {
        expect('<');
        const item = parseField('element');
        expect('>');
        return field(new arrow.List(item));
      }
      case 'fixed_size_list': {
        expect('<');
        const item = parseField('element');
        expect(',');
        const n = int();
        expect('>');
        return field(new arrow.FixedSizeList(n, item));
      }
      case 'map': {
        expect('<');
        const k = parseField('key');
        expect(',');
        const v = parseField('value');
        expect('>');
        const key = new arrow.Field('key', k.type, false, k.metadata);
        return field(
          new arrow.Map_(new arrow.Field('key_value', new arrow.Struct([key, v] as arrow.Field<never>[]), false)),
        );
      }
      case 'struct': {
        expect('<');
        const children: arrow.Field[] = [];
        while (c.peek() !== '>') {
          if (children.length) expect(',');
          const raw = next();
          const n = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
          expect(':');
          children.push(parseField(n));
        }
        expect('>');
        return field(new arrow.Struct(children));
      }
      default: {
        const m = /^(u?)int(8|16|32|64)$/.exec(id);
        if (m) return field(new arrow.Int(m[1] !== 'u', Number(m[2]) as 8 | 16 | 32 | 64));
        throw badName(name, `unknown type '${id}'`);
      }
    }
  };
  const f = parseField(fieldNameText);
  if (!c.done()) throw badName(name, `unexpected text after the type`);
  return f;
}
