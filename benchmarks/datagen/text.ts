/**
 * Comment text (specification 4.2.2.10): a pool of pseudo-English sentences is generated once
 * from the spec's weighted grammar, and each comment is a random-length slice of it at a random
 * offset — fast, and phrases such as "special ... requests" (Q13) occur at their natural rate.
 */
import { bytesOf, type StringColumn } from './columns.js';
import {
  ADJECTIVES,
  ADVERBS,
  AUXILIARIES,
  GRAMMAR,
  NOUN_PHRASES,
  NOUNS,
  PREPOSITIONS,
  TERMINATORS,
  VERB_PHRASES,
  VERBS,
  type Weighted,
} from './dists.js';
import { Rng, STREAM } from './random.js';

/** Size of the shared text pool (dbgen uses 300 MB; 16 MiB keeps slices varied enough). */
const TEXT_POOL_BYTES = 16 << 20;

/** Picks a word with probability proportional to its weight, via a lookup table. */
class Picker {
  private readonly slots: Uint8Array;
  readonly words: Uint8Array[];
  /** Each entry split at spaces: the tokens of a grammar shape. */
  readonly shapes: string[][];

  constructor(list: Weighted) {
    this.words = list.map(([w]) => bytesOf(w));
    this.shapes = list.map(([w]) => w.split(' '));
    const total = list.reduce((s, [, weight]) => s + weight, 0);
    this.slots = new Uint8Array(total);
    let k = 0;
    list.forEach(([, weight], i) => {
      this.slots.fill(i, k, k + weight);
      k += weight;
    });
  }

  index(rng: Rng): number {
    return this.slots[rng.int(0, this.slots.length - 1)]!;
  }
}

const SPACE = 32;
const COMMA = 44;

/** Writes sentences into a byte buffer until it is full. */
class SentenceWriter {
  private pos = 0;
  private space = false;
  private readonly nouns = new Picker(NOUNS);
  private readonly verbs = new Picker(VERBS);
  private readonly adjectives = new Picker(ADJECTIVES);
  private readonly adverbs = new Picker(ADVERBS);
  private readonly prepositions = new Picker(PREPOSITIONS);
  private readonly auxiliaries = new Picker(AUXILIARIES);
  private readonly terminators = new Picker(TERMINATORS);
  private readonly grammar = new Picker(GRAMMAR);
  private readonly nounPhrases = new Picker(NOUN_PHRASES);
  private readonly verbPhrases = new Picker(VERB_PHRASES);
  private readonly the = bytesOf('the');

  constructor(
    private readonly out: Uint8Array,
    private readonly rng: Rng,
  ) {}

  get full(): boolean {
    return this.pos >= this.out.length;
  }

  private raw(bytes: Uint8Array | number): void {
    const out = this.out;
    if (typeof bytes === 'number') {
      if (this.pos < out.length) out[this.pos++] = bytes;
      return;
    }
    if (this.pos + bytes.length <= out.length) {
      out.set(bytes, this.pos);
      this.pos += bytes.length;
    } else {
      out.set(bytes.subarray(0, out.length - this.pos), this.pos);
      this.pos = out.length;
    }
  }

  private word(from: Picker): void {
    if (this.space) this.raw(SPACE);
    this.raw(from.words[from.index(this.rng)]!);
    this.space = true;
  }

  private nounPhrase(): void {
    for (const token of this.nounPhrases.shapes[this.nounPhrases.index(this.rng)]!) {
      if (token === 'N') this.word(this.nouns);
      else if (token === 'D') this.word(this.adverbs);
      else this.word(this.adjectives);
      if (token === 'J,') this.raw(COMMA);
    }
  }

  private verbPhrase(): void {
    for (const token of this.verbPhrases.shapes[this.verbPhrases.index(this.rng)]!) {
      this.word(token === 'V' ? this.verbs : token === 'X' ? this.auxiliaries : this.adverbs);
    }
  }

  sentence(): void {
    for (const part of this.grammar.shapes[this.grammar.index(this.rng)]!) {
      if (part === 'N') this.nounPhrase();
      else if (part === 'V') this.verbPhrase();
      else if (part === 'P') {
        this.word(this.prepositions);
        this.raw(SPACE);
        this.raw(this.the);
        this.nounPhrase();
      } else this.raw(this.terminators.words[this.terminators.index(this.rng)]!);
    }
  }
}

let pool: Uint8Array | undefined;

/** The shared text pool, built on first use from its own seeded stream. */
export function textPool(): Uint8Array {
  if (!pool) {
    const out = new Uint8Array(TEXT_POOL_BYTES);
    const writer = new SentenceWriter(out, new Rng(STREAM.textPool));
    while (!writer.full) writer.sentence();
    pool = out;
  }
  return pool;
}

/** Appends a comment of minLen..maxLen bytes (uniform) to the current row of `col`. */
export function putText(col: StringColumn, rng: Rng, text: Uint8Array, minLen: number, maxLen: number): void {
  const len = rng.int(minLen, maxLen);
  col.putRange(text, rng.int(0, text.length - len), len);
}
