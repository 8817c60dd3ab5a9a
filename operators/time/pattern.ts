/**
 * Formatting and parsing by Spark datetime patterns (tokens from planner/datetimePattern.ts), on
 * wall-clock readings: date_format, from_unixtime, and to_date / to_timestamp / unix_timestamp
 * with a format. Text that does not match gives null (a NULL result, as Spark's non-ANSI mode).
 */
import { civil, daysFromCivil, daysInMonth } from '../../planner/calendar.js';
import type { PatternToken } from '../../planner/datetimePattern.js';
import { offsetText } from '../../planner/time.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];

const pad = (n: number, w: number) => (n < 0 ? `-${String(-n).padStart(w, '0')}` : String(n).padStart(w, '0'));

/** A wall-clock reading to format. */
export interface Reading {
  /** Days since 1970-01-01 and seconds of the day, local. */
  readonly days: number;
  readonly seconds: number;
  readonly nanos: number;
  /** Offset from UTC in seconds (0 for naive values), and the zone's name. */
  readonly offset: number;
  readonly zone: string;
}

function offsetField(letter: string, count: number, off: number): string {
  const a = Math.abs(off);
  const sign = off < 0 ? '-' : '+';
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor(a / 60) % 60, 2);
  if (letter === 'Z') {
    if (count <= 3) return `${sign}${hh}${mm}`;
    if (count === 4) return off === 0 ? 'GMT' : `GMT${offsetText(off)}`;
    return off === 0 ? 'Z' : offsetText(off);
  }
  if (letter === 'X' && off === 0) return 'Z';
  if (count === 1) return `${sign}${hh}${mm === '00' ? '' : mm}`;
  if (count === 2 || count === 4) return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

/** The calendar fields of a reading, computed once per value. */
interface Fields {
  y: number;
  m: number;
  d: number;
  days: number;
  seconds: number;
  nanos: number;
  offset: number;
  zone: string;
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const fixed = (n: number, w: number) => (w === 2 && n >= 0 && n < 100 ? TWO[n]! : pad(n, w));

type Piece = (f: Fields) => string;

function piece(letter: string, c: number): Piece {
  switch (letter) {
    case 'y':
    case 'u':
      return c === 2 ? (f) => TWO[((f.y % 100) + 100) % 100]! : (f) => pad(f.y, c);
    case 'M':
    case 'L':
      return c >= 4 ? (f) => MONTHS[f.m - 1]! : c === 3 ? (f) => MONTHS[f.m - 1]!.slice(0, 3) : (f) => fixed(f.m, c);
    case 'd':
      return (f) => fixed(f.d, c);
    case 'D':
      return (f) => pad(f.days - daysFromCivil(f.y, 1, 1) + 1, c);
    case 'Q':
    case 'q':
      return (f) => {
        const q = Math.floor((f.m - 1) / 3) + 1;
        return c >= 4 ? QUARTERS[q - 1]! : c === 3 ? `Q${q}` : pad(q, c);
      };
    case 'E':
      return (f) => {
        const dow = (((f.days + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
        return c >= 4 ? DAYS[dow]! : DAYS[dow]!.slice(0, 3);
      };
    case 'a':
      return (f) => (f.seconds < 43200 ? 'AM' : 'PM');
    case 'H':
      return (f) => fixed(Math.floor(f.seconds / 3600), c);
    case 'k':
      return (f) => fixed(Math.floor(f.seconds / 3600) || 24, c);
    case 'K':
      return (f) => fixed(Math.floor(f.seconds / 3600) % 12, c);
    case 'h':
      return (f) => fixed(Math.floor(f.seconds / 3600) % 12 || 12, c);
    case 'm':
      return (f) => fixed(Math.floor(f.seconds / 60) % 60, c);
    case 's':
      return (f) => fixed(f.seconds % 60, c);
    case 'S':
      return (f) => pad(f.nanos, 9).slice(0, c);
    case 'V':
      return (f) => f.zone;
    default:
      return (f) => offsetField(letter, c, f.offset);
  }
}

/** A formatter for a pattern: a reading as text. */
export function formatter(tokens: readonly PatternToken[]): (r: Reading) => string {
  const pieces: Piece[] = tokens.map((t) => (t.kind === 'text' ? () => t.text : piece(t.letter, t.count)));
  const f: Fields = { y: 0, m: 0, d: 0, days: 0, seconds: 0, nanos: 0, offset: 0, zone: '' };
  return (r) => {
    [f.y, f.m, f.d] = civil(r.days);
    f.days = r.days;
    f.seconds = r.seconds;
    f.nanos = r.nanos;
    f.offset = r.offset;
    f.zone = r.zone;
    let out = '';
    for (const p of pieces) out += p(f);
    return out;
  };
}

/** A parsed wall clock: days, seconds of the day, nanoseconds, and the offset the text gave (null: none). */
export interface Parsed {
  readonly days: number;
  readonly seconds: number;
  readonly nanos: number;
  readonly offset: number | null;
  readonly zone: string | null;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Parse text by a pattern; null when it does not match or names an impossible date. */
export function parseByPattern(tokens: readonly PatternToken[], s: string): Parsed | null {
  let i = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let doy = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | null = null;
  let hour12 = false;
  let offset: number | null = null;
  let zone: string | null = null;
  const digits = (min: number, max: number): number | null => {
    let j = i;
    let neg = false;
    if (s[j] === '-' && min > 3) {
      neg = true;
      j++;
    }
    const start = j;
    while (j < s.length && j - start < max && isDigit(s.charCodeAt(j))) j++;
    if (j - start < min) return null;
    const v = Number(s.slice(start, j));
    i = j;
    return neg ? -v : v;
  };
  const word = (names: readonly string[], len: number | null): number | null => {
    for (let k = 0; k < names.length; k++) {
      const n = len === null ? names[k]! : names[k]!.slice(0, len);
      if (s.slice(i, i + n.length).toLowerCase() === n.toLowerCase()) {
        i += n.length;
        return k;
      }
    }
    return null;
  };
  for (const t of tokens) {
    if (t.kind === 'text') {
      if (s.slice(i, i + t.text.length) !== t.text) return null;
      i += t.text.length;
      continue;
    }
    const c = t.count;
    let v: number | null;
    switch (t.letter) {
      case 'y':
      case 'u':
        if (c === 2) {
          v = digits(2, 2);
          if (v !== null) v += 2000;
        } else v = digits(c === 1 ? 1 : c, c >= 4 ? Math.max(c, 6) : c === 1 ? 9 : c);
        if (v === null) return null;
        year = v;
        break;
      case 'M':
      case 'L':
        v = c >= 3 ? word(MONTHS, c === 3 ? 3 : null) : digits(c, 2);
        if (v === null) return null;
        month = c >= 3 ? v + 1 : v;
        break;
      case 'd':
        v = digits(c, 2);
        if (v === null) return null;
        day = v;
        break;
      case 'D':
        v = digits(c, 3);
        if (v === null) return null;
        doy = v;
        break;
      case 'E':
        if (word(DAYS, c >= 4 ? null : 3) === null) return null;
        break;
      case 'Q':
      case 'q':
        if ((c >= 3 ? word(c === 3 ? ['Q1', 'Q2', 'Q3', 'Q4'] : QUARTERS, null) : digits(c, 1)) === null) return null;
        break;
      case 'a':
        v = word(['AM', 'PM'], null);
        if (v === null) return null;
        pm = v === 1;
        break;
      case 'H':
      case 'k':
      case 'K':
      case 'h':
        v = digits(c, 2);
        if (v === null) return null;
        hour = t.letter === 'k' && v === 24 ? 0 : v;
        hour12 = t.letter === 'h' || t.letter === 'K';
        if (t.letter === 'h' && v === 12) hour = 0;
        break;
      case 'm':
        v = digits(c, 2);
        if (v === null) return null;
        minute = v;
        break;
      case 's':
        v = digits(c, 2);
        if (v === null) return null;
        second = v;
        break;
      case 'S': {
        const start = i;
        if (digits(1, c) === null) return null;
        nanos = Number(s.slice(start, i).padEnd(9, '0'));
        break;
      }
      case 'V': {
        const m = /^[A-Za-z][A-Za-z0-9_+\-/]*/.exec(s.slice(i));
        if (!m) return null;
        zone = m[0];
        i += m[0].length;
        break;
      }
      default: {
        if ((t.letter === 'X' || t.letter === 'Z') && s[i] === 'Z') {
          i++;
          offset = 0;
          break;
        }
        if (t.letter === 'Z' && c === 4 && s.startsWith('GMT', i)) i += 3;
        const m = /^([+-])(\d{2}):?(\d{2})?/.exec(s.slice(i));
        if (!m) return null;
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
        i += m[0].length;
      }
    }
  }
  if (i !== s.length) return null;
  if (pm !== null && hour12) hour += pm ? 12 : 0;
  else if (pm !== null && pm && hour < 12) hour += 12;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  let days: number;
  if (doy > 0) {
    const leap = daysInMonth(year, 2) === 29;
    if (doy > (leap ? 366 : 365)) return null;
    days = daysFromCivil(year, 1, 1) + doy - 1;
  } else {
    if (day < 1 || day > daysInMonth(year, month)) return null;
    days = daysFromCivil(year, month, day);
  }
  return { days, seconds: hour * 3600 + minute * 60 + second, nanos, offset, zone };
}
