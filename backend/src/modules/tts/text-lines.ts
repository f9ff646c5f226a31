/** Cutting prepared speech text into the pieces the synthesisers take. */

const encoder = new TextEncoder();
const byteLength = (s: string) => encoder.encode(s).length;

/**
 * Splits one sentence into lines of at most `maxBytes` UTF-8 bytes, at spaces where possible
 * (a single word longer than that is cut between characters). Line breaks become spaces.
 */
export function splitIntoLines(sentence: string, maxBytes: number): string[] {
  const words = sentence.replace(/[\r\n\t]+/g, ' ').split(' ').filter(Boolean);
  const lines: string[] = [];
  let current = '';
  const flush = () => {
    if (current) lines.push(current);
    current = '';
  };
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (byteLength(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    flush();
    if (byteLength(word) <= maxBytes) {
      current = word;
      continue;
    }
    let piece = '';
    for (const ch of word) {
      if (byteLength(piece + ch) > maxBytes) {
        lines.push(piece);
        piece = '';
      }
      piece += ch;
    }
    current = piece;
  }
  flush();
  return lines;
}

/** A clause and the punctuation that ended it, spelled as Piper's phoneme maps spell it. */
export interface Clause {
  text: string;
  /** `.`, `!`, `?`, `,`, `;`, `:` or '' (no punctuation at the end). */
  punctuation: string;
}

/** Persian and Latin clause punctuation → the ASCII symbol Piper appends after the clause's phonemes. */
const CLAUSE_PUNCTUATION: Record<string, string> = {
  '.': '.',
  '!': '!',
  '?': '?',
  '؟': '?',
  ',': ',',
  '،': ',',
  ';': ';',
  '؛': ';',
  ':': ':',
  '…': '.',
};

const CLAUSE_END = /([.!?؟,،;؛:…]+)(?=\s|$)/u;

/**
 * Splits a sentence at clause punctuation followed by a space or the end, as eSpeak NG's clause reader
 * does for Piper; each clause keeps the (last) punctuation mark that ended it.
 */
export function splitClauses(sentence: string): Clause[] {
  const clauses: Clause[] = [];
  let rest = sentence.replace(/\s+/g, ' ').trim();
  while (rest) {
    const m = CLAUSE_END.exec(rest);
    if (!m) {
      clauses.push({ text: rest, punctuation: '' });
      break;
    }
    const marks = m[1]!;
    const text = rest.slice(0, m.index).trim();
    const punctuation = CLAUSE_PUNCTUATION[[...marks].pop()!] ?? '';
    if (text) clauses.push({ text, punctuation });
    else if (clauses.length) clauses[clauses.length - 1]!.punctuation ||= punctuation;
    rest = rest.slice(m.index + marks.length).trim();
  }
  return clauses;
}

/** Piper puts a space after mid-sentence punctuation (and between clauses) and nothing after the last one. */
export function punctuationSuffix(punctuation: string, isLast: boolean): string {
  return isLast ? punctuation : `${punctuation} `;
}
