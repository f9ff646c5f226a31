import type { TokenEntity } from '@sokhan/common';

/**
 * transformers.js' token-classification gives each token's decoded text but no offsets. Tokenizers drop and fold
 * characters (BERT's normaliser removes ZWNJ and other format characters, may lowercase and strip accents), so
 * each token is found in the text by a folded comparison, left to right, and mapped back to the text's offsets.
 */

/** A character as tokenizers compare it: lowercased, accents and format characters gone ('' when dropped). */
function fold(ch: string): string {
  if (/[\p{Cc}\p{Cf}\s]/u.test(ch)) return '';
  return ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The folded text, and for each of its code units the offset in `text` of the character it came from. */
function foldedView(text: string): { folded: string; origin: number[]; originEnd: number[] } {
  let folded = '';
  const origin: number[] = [];
  const originEnd: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const f = fold(ch);
    for (let k = 0; k < f.length; k++) {
      origin.push(i);
      originEnd.push(i + ch.length);
    }
    folded += f;
    i += ch.length;
  }
  return { folded, origin, originEnd };
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Offsets of each token's text in `text`, in order; null for a token not found after the previous one (an unknown
 * token's mark, a byte-level piece of a character). `pieces` are the decoded tokens, continuation marks removed.
 */
export function alignTokens(text: string, pieces: string[]): (Span | null)[] {
  const { folded, origin, originEnd } = foldedView(text);
  let cursor = 0;
  return pieces.map((piece) => {
    const needle = [...piece].map(fold).join('');
    if (!needle) return null;
    const at = folded.indexOf(needle, cursor);
    if (at < 0) return null;
    cursor = at + needle.length;
    // Marks after the last letter (a kasra, a tashdid) belong to it, though the tokenizer dropped them.
    let end = originEnd[cursor - 1]!;
    while (end < text.length && /\p{M}/u.test(text[end]!)) end++;
    return { start: origin[at]!, end };
  });
}

/** A token's decoded text without WordPiece's `##`, SentencePiece's `▁` or byte-level BPE's `Ġ` marks. */
export function tokenSurface(decoded: string): string {
  return decoded.replace(/^(##|▁|Ġ)/, '').trim();
}

export interface LabelledToken {
  label: string;
  score: number;
  span: Span | null;
}

function tag(label: string): [prefix: string, type: string] {
  return label[1] === '-' && 'BIES'.includes(label[0] ?? '') ? [label[0]!, label.slice(2)] : ['I', label];
}

/**
 * Consecutive tokens of one entity merged (B- opens, I-/E- continue, S- stands alone), as transformers.js' "simple"
 * aggregation does, with the span from the first token's start to the last one's end. `tokens` holds the kept
 * tokens in order (the ignored labels already left out); `adjacent(a, b)` says whether b follows a directly.
 */
export function groupEntities(text: string, tokens: LabelledToken[], adjacent: (a: number, b: number) => boolean): TokenEntity[] {
  const groups: { type: string; members: LabelledToken[] }[] = [];
  let open: string | null = null;
  tokens.forEach((t, i) => {
    const [prefix, type] = tag(t.label);
    const extend = open === type && prefix !== 'B' && prefix !== 'S' && i > 0 && adjacent(i - 1, i);
    if (extend) groups[groups.length - 1]!.members.push(t);
    else groups.push({ type, members: [t] });
    open = prefix === 'S' || prefix === 'E' ? null : type;
  });
  return groups.flatMap(({ type, members }) => {
    const spans = members.map((m) => m.span).filter((s): s is Span => s !== null);
    if (spans.length === 0) return [];
    const start = spans[0]!.start;
    const end = spans[spans.length - 1]!.end;
    const score = members.reduce((s, m) => s + m.score, 0) / members.length;
    return [{ entity: type, score, start, end, word: text.slice(start, end) }];
  });
}
