/**
 * Platform profiles: loads benchmarks/model/platforms.json (versioned; every number with a source
 * and the date it was taken, or an explicit assumption with its reason), checks its shape, and
 * hands numbers out by key while recording which ones the model used.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PLATFORMS_FILE = fileURLToPath(new URL('./platforms.json', import.meta.url));
export const PLATFORMS_VERSION = 1;

export interface Source {
  readonly url: string;
  readonly title: string;
  readonly sourceDate?: string;
  readonly takenAt: string;
}

export interface PlatformNumber {
  readonly value: number;
  readonly unit: string;
  readonly source?: Source;
  readonly assumption?: { readonly reason: string };
}

export interface PlatformDoc {
  readonly version: number;
  readonly region: string;
  readonly currency: string;
  readonly compiledAt: string;
  readonly numbers: Readonly<Record<string, PlatformNumber>>;
  readonly notFound?: Readonly<Record<string, string>>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every problem with a platform document, each naming the key at fault (empty when valid). */
export function platformProblems(doc: PlatformDoc): string[] {
  const out: string[] = [];
  if (doc.version !== PLATFORMS_VERSION) out.push(`version: expected ${PLATFORMS_VERSION}, got ${String(doc.version)}`);
  for (const [key, n] of Object.entries(doc.numbers ?? {})) {
    if (typeof n.value !== 'number' || !Number.isFinite(n.value)) out.push(`${key}: value is not a finite number`);
    if (typeof n.unit !== 'string' || !n.unit) out.push(`${key}: no unit`);
    if (n.source && n.assumption)
      out.push(`${key}: has both a source and an assumption flag; it must be one or the other`);
    if (!n.source && !n.assumption) out.push(`${key}: has neither a source nor an assumption flag`);
    if (n.source) {
      if (!/^(https?:\/\/|repo:)/.test(n.source.url ?? ''))
        out.push(`${key}: source url '${n.source.url}' is not a URL`);
      if (!n.source.title) out.push(`${key}: source has no title`);
      if (!DATE.test(n.source.takenAt ?? '')) out.push(`${key}: source takenAt '${n.source.takenAt}' is not a date`);
    }
    if (n.assumption && !(n.assumption.reason ?? '').trim()) out.push(`${key}: assumption without a reason`);
  }
  return out;
}

/** The numbers of one platform document, handed out by key; `used` lists every key read. */
export class Platforms {
  readonly used = new Set<string>();
  constructor(readonly doc: PlatformDoc) {
    const problems = platformProblems(doc);
    if (problems.length) throw new Error(`platform profiles are invalid:\n  ${problems.join('\n  ')}`);
  }

  static load(file = PLATFORMS_FILE): Platforms {
    return new Platforms(JSON.parse(readFileSync(file, 'utf8')) as PlatformDoc);
  }

  /** @example platforms.n('lambda.maxMemoryMB') // 10240 */
  n(key: string): number {
    const entry = this.doc.numbers[key];
    if (!entry) throw new Error(`platform profiles have no number '${key}'`);
    this.used.add(key);
    return entry.value;
  }

  /** The keys the model read that are assumptions, not sourced numbers. */
  assumptionsUsed(): string[] {
    return [...this.used].filter((k) => this.doc.numbers[k]?.assumption).sort();
  }
}
